import { describe, expect, it } from 'vitest';
import { chooseUi, inCi } from '../../src/cli/uiChoice.js';
import { dashboardUnavailable } from '../../src/ui/terminal.js';

const tty = { isTTY: true, setRawMode: () => undefined };

describe('whether the terminal can host the dashboard', () => {
  it('needs stdin and stdout to be terminals, and raw mode on stdin', () => {
    expect(dashboardUnavailable({ stdin: tty, stdout: { isTTY: true } })).toBeUndefined();
    // A file or /dev/null has no isTTY at all (undefined, not false): that is what ink mistook for "supported".
    expect(dashboardUnavailable({ stdin: {}, stdout: { isTTY: true } })).toBe('stdin is not a terminal');
    expect(dashboardUnavailable({ stdin: tty, stdout: {} })).toBe('stdout is not a terminal');
    expect(dashboardUnavailable({ stdin: {}, stdout: {} })).toBe('neither stdin nor stdout is a terminal');
    expect(dashboardUnavailable({ stdin: { isTTY: true }, stdout: { isTTY: true } })).toBe(
      'stdin cannot be put in raw mode',
    );
  });
});

describe('run: dashboard or progress lines', () => {
  it('shows the dashboard by default only where it works, outside CI and --json', () => {
    expect(chooseUi({ json: false }, undefined, false)).toEqual({ ui: true });
    expect(chooseUi({ json: false }, 'stdin is not a terminal', false)).toEqual({ ui: false });
    expect(chooseUi({ json: false }, undefined, true)).toEqual({ ui: false });
    expect(chooseUi({ json: true }, undefined, false)).toEqual({ ui: false });
    expect(chooseUi({ json: false, ui: false }, undefined, false)).toEqual({ ui: false });
    expect(chooseUi({ json: false, ui: true }, undefined, true)).toEqual({ ui: true });
  });

  it('refuses --ui where the dashboard cannot work, and next to --json, saying why', () => {
    expect(chooseUi({ json: false, ui: true }, 'stdin is not a terminal', false)).toEqual({
      error: expect.stringMatching(
        /^--ui: .*here stdin is not a terminal; without --ui the run prints progress lines$/,
      ) as unknown,
    });
    expect(chooseUi({ json: true, ui: true }, undefined, false)).toEqual({
      error: expect.stringMatching(/--ui and --json exclude each other/) as unknown,
    });
  });

  it('reads CI as ink does', () => {
    expect(inCi({ CI: 'true' })).toBe(true);
    expect(inCi({ CI: '1' })).toBe(true);
    expect(inCi({ CI: '0' })).toBe(false);
    expect(inCi({ CI: 'false' })).toBe(false);
    expect(inCi({})).toBe(false);
  });
});
