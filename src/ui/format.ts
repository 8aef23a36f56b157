/** Small string helpers for fixed-width terminal cells. Pure; no React, no ink. */

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/** `s` cut or padded to exactly `width` characters (left-aligned). */
export const padEnd = (s: string, width: number): string =>
  s.length > width ? s.slice(0, Math.max(0, width - 1)) + '…' : s.padEnd(width);

/** `s` right-aligned in `width` characters; too long, it is cut from the left (numbers keep their low digits). */
export const padStart = (s: string, width: number): string =>
  s.length > width ? s.slice(s.length - width) : s.padStart(width);

/** A count that fits 5 characters: 12345, 123k, 12.3M. */
export function count(n: number): string {
  if (n < 100_000) return String(Math.round(n));
  if (n < 10_000_000) return `${Math.round(n / 1_000)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** Milliseconds as seconds with one decimal: `3.2 s`. */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** A rate with a precision that suits its size: 0.5, 12.5, 340. */
export function rate(perSecond: number): string {
  if (perSecond < 10) return perSecond.toFixed(1);
  return String(Math.round(perSecond));
}

/** The sparkline's scale never goes below this: one divergent key in a quiet run is a blip, not a full bar. */
export const SPARKLINE_SCALE_MIN = 10;

/**
 * A sparkline of `values` in exactly `width` cells: a run longer than the width is folded into buckets keeping each
 * bucket's maximum (a spike never disappears); a shorter one is right-aligned, so time runs left to right up to now.
 * Zero is the lowest bar; any non-zero value at least the second, so "a little divergent" never looks like "equal".
 * The scale is the peak, but at least `scaleMin`: auto-scaling alone drew a single event's blip as a full bar.
 */
export function sparkline(values: readonly number[], width: number, scaleMin = SPARKLINE_SCALE_MIN): string {
  if (width <= 0) return '';
  const buckets: number[] = [];
  if (values.length <= width) buckets.push(...values);
  else {
    for (let i = 0; i < width; i++) {
      const from = Math.floor((i * values.length) / width);
      const to = Math.floor(((i + 1) * values.length) / width);
      buckets.push(Math.max(...values.slice(from, Math.max(to, from + 1))));
    }
  }
  const max = Math.max(scaleMin, ...buckets);
  const bars = buckets.map((v) => {
    if (v <= 0 || max === 0) return BARS[0];
    const level = 1 + Math.round(((BARS.length - 2) * v) / max);
    return BARS[Math.min(BARS.length - 1, level)];
  });
  return bars.join('').padStart(width);
}

/** Packs `items` into lines of at most `width` characters, `gap` spaces apart; the first line starts after `lead`. */
export function packLines(items: readonly string[], width: number, lead = 0, gap = 2): string[][] {
  const lines: string[][] = [[]];
  let used = lead;
  for (const item of items) {
    const line = lines[lines.length - 1] ?? [];
    const need = (line.length > 0 ? gap : 0) + item.length;
    if (line.length > 0 && used + need > width) {
      lines.push([item]);
      used = lead + item.length;
    } else {
      line.push(item);
      used += need;
    }
  }
  return lines;
}
