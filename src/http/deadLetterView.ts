import type { DeadLetter } from '../store/deadLetterStore.js';

/**
 * A parked event as the admin API shows it. `data` is the payload itself, as JSON — the envelope object, for an
 * event that was parked because its handler kept failing — not a JSON string inside JSON. A payload that is not
 * JSON (the usual poison) is kept as it came, marked by `dataFormat`: `text` for UTF-8 text, `base64` for bytes
 * that are not even that.
 */
export type DeadLetterView = Omit<DeadLetter, 'data'> &
  (
    | { readonly dataFormat: 'json'; readonly data: unknown }
    | { readonly dataFormat: 'text' | 'base64'; readonly data: string }
  );

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function deadLetterView(letter: DeadLetter): DeadLetterView {
  const { data, ...rest } = letter;
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    return { ...rest, dataFormat: 'base64', data: Buffer.from(data).toString('base64') };
  }
  try {
    return { ...rest, dataFormat: 'json', data: JSON.parse(text) as unknown };
  } catch {
    return { ...rest, dataFormat: 'text', data: text };
  }
}
