import { Prng, ZipfSampler } from '../domain/prng.js';
import type { WorkloadPhase, WorkloadSpec } from './scenario.js';

export interface CatalogEntrySpec {
  readonly productId: string;
  readonly name: string;
  readonly priceCents: number;
  readonly stock: number;
}

export type WorkloadOp =
  | {
      readonly atMs: number;
      readonly kind: 'placeOrder';
      readonly customerId: string;
      readonly items: readonly { productId: string; quantity: number }[];
    }
  | { readonly atMs: number; readonly kind: 'adjustStock'; readonly productId: string; readonly delta: number }
  | { readonly atMs: number; readonly kind: 'rename'; readonly productId: string; readonly name: string }
  | { readonly atMs: number; readonly kind: 'reprice'; readonly productId: string; readonly priceCents: number };

const productId = (k: number) => `prod_${String(k).padStart(4, '0')}`;
const customerId = (k: number) => `cust_${String(k).padStart(5, '0')}`;

/** The opening catalogue: product k is the k-th most popular under the Zipf skew. */
export function workloadCatalog(spec: WorkloadSpec, seed: number): CatalogEntrySpec[] {
  const prng = new Prng(seed ^ 0x9e3779b9);
  return Array.from({ length: spec.products }, (_, k) => ({
    productId: productId(k),
    name: `Product ${k}`,
    priceCents: prng.int(100, 10_000),
    stock: prng.int(spec.initialStock.min, spec.initialStock.max),
  }));
}

/** Evenly spaced times for `perSecond` events over the duration, offset so streams do not coincide. */
function* ticks(perSecond: number, durationMs: number, offsetFraction: number): Generator<number> {
  if (perSecond <= 0) return;
  // Each time from its index, not by adding the step up: an accumulated sum drifts, and a sum that lands just
  // below `durationMs` (3/s over 2 s: 1999.99…) yields one event more than rate × duration.
  for (let k = 0; ; k++) {
    const t = ((k + offsetFraction) * 1_000) / perSecond;
    if (t >= durationMs) return;
    yield Math.floor(t);
  }
}

/**
 * Order times for a load in phases: in each, the k-th order where the count of orders so far (the rate integrated
 * over the phase) reaches k — a ramp's rate moves evenly from `from` to `to`. After the phases, `baseRate` to the end.
 */
export function* phaseTicks(phases: readonly WorkloadPhase[], baseRate: number, durationMs: number): Generator<number> {
  let start = 0;
  const segments = [
    ...phases.map((p) => {
      const segment = {
        start,
        length: p.durationMs,
        from: p.shape === 'ramp' ? p.from : p.ordersPerSecond,
        to: p.shape === 'ramp' ? p.to : p.ordersPerSecond,
      };
      start += p.durationMs;
      return segment;
    }),
    { start, length: Math.max(0, durationMs - start), from: baseRate, to: baseRate },
  ];
  for (const { start: t0, length, from, to } of segments) {
    const slope = (to - from) / length; // orders per second, per ms
    for (let k = 0; ; k++) {
      // Solve (from·τ + slope·τ²/2) / 1000 = k for τ (ms into the phase).
      const tau =
        Math.abs(slope) < 1e-12
          ? from > 0
            ? (1_000 * k) / from
            : Number.POSITIVE_INFINITY
          : (-from + Math.sqrt(Math.max(0, from * from + 2 * slope * 1_000 * k))) / slope;
      if (!(tau < length) || t0 + tau >= durationMs) break;
      yield Math.floor(t0 + tau);
    }
  }
}

function nextTick(times: Generator<number>): number | undefined {
  const next = times.next();
  return next.done === true ? undefined : next.value;
}

type Line = { productId: string; quantity: number };

/** Every line a distinct product (the default). */
function distinctLines(spec: WorkloadSpec, prng: Prng, popularity: ZipfSampler): Line[] {
  const lines = new Map<string, number>();
  // Both ends capped at the catalogue: with itemsPerOrder.min above it, no number of draws finds that many
  // distinct products and the loop below would never end.
  const most = Math.min(spec.itemsPerOrder.max, spec.products);
  const count = prng.int(Math.min(spec.itemsPerOrder.min, most), most);
  while (lines.size < count)
    lines.set(productId(popularity.sample(prng)), prng.int(spec.quantityPerItem.min, spec.quantityPerItem.max));
  return [...lines].map(([p, quantity]) => ({ productId: p, quantity }));
}

/**
 * Lines where a product may come back (`repeatedLineShare`): a projection keyed by (order, product) instead of by
 * line merges or drops them. A new product is drawn until it is new, while the catalogue has any left.
 */
function linesWithRepeats(spec: WorkloadSpec, prng: Prng, popularity: ZipfSampler): Line[] {
  const lines: Line[] = [];
  const used = new Set<string>();
  const count = prng.int(spec.itemsPerOrder.min, spec.itemsPerOrder.max);
  while (lines.length < count) {
    const quantity = prng.int(spec.quantityPerItem.min, spec.quantityPerItem.max);
    const repeat = lines.length > 0 && (used.size >= spec.products || prng.next() < spec.repeatedLineShare);
    let id = repeat ? prng.pick(lines).productId : productId(popularity.sample(prng));
    while (!repeat && used.has(id)) id = productId(popularity.sample(prng));
    used.add(id);
    lines.push({ productId: id, quantity });
  }
  return lines;
}

const NAME_WORDS = [
  'Zephyr',
  'Amber',
  'Quartz',
  'Basil',
  'Nimbus',
  'Cobalt',
  'Echo',
  'Juniper',
  'Onyx',
  'Delta',
  'Maple',
  'Indigo',
] as const;

/**
 * A product's name after its `version`-th rename: a word chosen by a hash (no draw from the workload's PRNG, so the
 * rest of the stream stays as it was), so successive names sort in no particular order — a projection that keeps
 * the greatest name instead of the latest is caught — and, with the version, never the same twice.
 */
export function renamedName(seed: number, k: number, version: number): string {
  let h = Math.imul(seed ^ 0x27d4eb2d, 0x165667b1) ^ Math.imul(k + 1, 0x9e3779b1) ^ Math.imul(version, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h ^= h >>> 13;
  return `${NAME_WORDS[(h >>> 0) % NAME_WORDS.length] ?? 'Product'} ${k} v${version}`;
}

/**
 * The workload as a time-ordered stream of operations, a pure function of (spec, seed): the same seed gives the
 * same operations at the same scenario times. Lazy, so a long workload costs no memory up front.
 */
export function* workloadOps(spec: WorkloadSpec, seed: number): Generator<WorkloadOp> {
  const prng = new Prng(seed);
  const popularity = new ZipfSampler(spec.products, spec.hotProductSkew);
  const streams = [
    {
      kind: 'placeOrder' as const,
      times: spec.phases
        ? phaseTicks(spec.phases, spec.ordersPerSecond, spec.durationMs)
        : ticks(spec.ordersPerSecond, spec.durationMs, 0),
    },
    { kind: 'adjustStock' as const, times: ticks(spec.stockAdjustmentsPerSecond, spec.durationMs, 0.25) },
    { kind: 'rename' as const, times: ticks(spec.renamesPerSecond, spec.durationMs, 0.5) },
    { kind: 'reprice' as const, times: ticks(spec.repricesPerSecond, spec.durationMs, 0.75) },
  ].map((s) => ({ ...s, nextAt: nextTick(s.times) }));
  const renames = new Map<number, number>();
  for (;;) {
    let earliest: (typeof streams)[number] | undefined;
    for (const s of streams)
      if (s.nextAt !== undefined && (earliest?.nextAt === undefined || s.nextAt < earliest.nextAt)) earliest = s;
    if (earliest?.nextAt === undefined) return;
    const atMs = earliest.nextAt;
    earliest.nextAt = nextTick(earliest.times);
    switch (earliest.kind) {
      case 'placeOrder': {
        const items =
          spec.repeatedLineShare > 0 ? linesWithRepeats(spec, prng, popularity) : distinctLines(spec, prng, popularity);
        yield { atMs, kind: 'placeOrder', customerId: customerId(prng.int(0, spec.customers - 1)), items };
        break;
      }
      case 'adjustStock': {
        const delta = prng.int(spec.stockAdjustmentDelta.min, spec.stockAdjustmentDelta.max);
        yield {
          atMs,
          kind: 'adjustStock',
          productId: productId(popularity.sample(prng)),
          delta: delta === 0 ? 1 : delta,
        };
        break;
      }
      case 'rename': {
        const k = prng.int(0, spec.products - 1);
        const version = (renames.get(k) ?? 0) + 1;
        renames.set(k, version);
        yield { atMs, kind: 'rename', productId: productId(k), name: renamedName(seed, k, version) };
        break;
      }
      case 'reprice':
        yield {
          atMs,
          kind: 'reprice',
          productId: productId(prng.int(0, spec.products - 1)),
          priceCents: prng.int(100, 10_000),
        };
        break;
    }
  }
}
