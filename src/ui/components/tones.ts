import type { Tone } from '../selectors.js';

/** The one place tones become colours. */
export const TONE_COLOR: Readonly<Record<Tone, string>> = {
  ok: 'green',
  busy: 'cyan',
  warn: 'yellow',
  bad: 'red',
  muted: 'gray',
};
