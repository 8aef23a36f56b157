import { READ_MODELS, type ReadModelName } from '../domain/readModels.js';
import type { DivergenceCounts, Telemetry } from '../scenarios/telemetry.js';

/** What the dashboard remembers of earlier snapshots: enough for sparklines and rates. */
export interface HistoryPoint {
  readonly elapsedMs: number;
  readonly placed: number;
  readonly headSeq: number;
  readonly divergent: Readonly<Record<ReadModelName, number>>;
}

export interface History {
  /** The run the points belong to: a new scenario (or a restarted system) starts a new history. */
  readonly key: string | null;
  readonly points: readonly HistoryPoint[];
}

export const emptyHistory: History = { key: null, points: [] };

/** Points kept: 10 minutes at 4 samples a second is plenty for a sparkline; bounded like everything else. */
export const HISTORY_POINTS_MAX = 2_400;

/** Keys that differ from the oracle at all: stale or wrong (the sparkline's measure). */
export const divergentCount = (d: DivergenceCounts): number => d.notYetApplied + unexplainedCount(d);

/** Keys that differ in a way the model's lag does not explain. */
export const unexplainedCount = (d: Omit<DivergenceCounts, 'notYetApplied'>): number =>
  d.missing + d.unexpected + d.wrong + d.duplicated;

const keyOf = (t: Telemetry) => `${t.source}:${t.scenario ?? ''}:${t.seed ?? ''}`;

/** `history` with `t` added (a pure reducer). Time going backwards, or another run, starts over. */
export function appendHistory(history: History, t: Telemetry, max = HISTORY_POINTS_MAX): History {
  const key = keyOf(t);
  const last = history.points[history.points.length - 1];
  const fresh = history.key !== key || (last !== undefined && t.elapsedMs < last.elapsedMs);
  const divergent = Object.fromEntries(READ_MODELS.map((m) => [m, divergentCount(t.models[m].divergence)])) as Record<
    ReadModelName,
    number
  >;
  const point: HistoryPoint = { elapsedMs: t.elapsedMs, placed: t.orders.placed, headSeq: t.headSeq, divergent };
  const points = fresh ? [point] : [...history.points, point];
  return { key, points: points.length > max ? points.slice(points.length - max) : points };
}

export interface Rates {
  readonly ordersPerSecond: number;
  readonly eventsPerSecond: number;
}

/** Orders placed and events appended per second of scenario time, over the last `windowMs`. */
export function ratesOf(history: History, windowMs = 2_000): Rates {
  const last = history.points[history.points.length - 1];
  if (!last) return { ordersPerSecond: 0, eventsPerSecond: 0 };
  const first = history.points.find((p) => p.elapsedMs >= last.elapsedMs - windowMs) ?? last;
  const seconds = (last.elapsedMs - first.elapsedMs) / 1000;
  if (seconds <= 0) return { ordersPerSecond: 0, eventsPerSecond: 0 };
  return {
    ordersPerSecond: (last.placed - first.placed) / seconds,
    eventsPerSecond: Math.max(0, last.headSeq - first.headSeq) / seconds,
  };
}

/** One model's divergence over time, oldest first. */
export const divergenceSeries = (history: History, model: ReadModelName): number[] =>
  history.points.map((p) => p.divergent[model]);
