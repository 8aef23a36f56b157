import { describe, expect, it } from 'vitest';
import { prettyColours } from '../../src/log/logger.js';

describe('prettyColours', () => {
  it('colours pretty logs only on a terminal, never in a file or a redirected stderr, never with NO_COLOR', () => {
    expect(prettyColours(undefined, true, {})).toBe(true);
    expect(prettyColours(undefined, false, {})).toBe(false); // `up 2> up.log`, `up 2>&1 | less`
    expect(prettyColours(undefined, undefined, {})).toBe(false);
    expect(prettyColours('reports/run.log', true, {})).toBe(false);
    expect(prettyColours(undefined, true, { NO_COLOR: '1' })).toBe(false);
    expect(prettyColours(undefined, true, { NO_COLOR: '' })).toBe(true);
  });
});
