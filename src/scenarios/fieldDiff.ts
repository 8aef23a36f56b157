import { isDeepStrictEqual } from 'node:util';

/** One field where a read model's value differs from the oracle's: its path in the value, and both sides. */
export interface FieldDiff {
  /** `items[0].productName`; empty for a value that is not an object (a product's available quantity). */
  readonly path: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

/** Fields named per key at most: a wholly different value says enough in a few. */
export const FIELD_DIFFS_MAX = 6;

/**
 * Only the fields that differ between two values, walking plain objects and arrays (an array shorter on one side
 * reports the missing elements as `undefined` there). Bounded: at most FIELD_DIFFS_MAX fields, in key order.
 */
export function fieldDiffs(expected: unknown, actual: unknown): FieldDiff[] {
  const out: FieldDiff[] = [];
  const walk = (e: unknown, a: unknown, path: string): void => {
    if (out.length >= FIELD_DIFFS_MAX || isDeepStrictEqual(e, a)) return;
    const container = (v: unknown) => typeof v === 'object' && v !== null;
    if (container(e) && container(a) && Array.isArray(e) === Array.isArray(a)) {
      const ek = e as Record<string, unknown>;
      const ak = a as Record<string, unknown>;
      const keys = [...new Set([...Object.keys(ek), ...Object.keys(ak)])];
      if (!Array.isArray(e)) keys.sort();
      for (const k of keys) walk(ek[k], ak[k], Array.isArray(e) ? `${path}[${k}]` : path ? `${path}.${k}` : k);
      return;
    }
    out.push({ path, expected: e, actual: a });
  };
  walk(expected, actual, '');
  return out;
}

/** `items[0].productName: expected "Product 0", actual null` — one line per differing field. */
export function fieldDiffText(d: FieldDiff): string {
  const show = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v));
  return `${d.path === '' ? '' : `${d.path}: `}expected ${show(d.expected)}, actual ${show(d.actual)}`;
}
