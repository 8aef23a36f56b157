import type { TimelineEntry } from '../scenarios/telemetry.js';
import { padStart, seconds } from './format.js';
import type { Tone } from './selectors.js';

export interface TimelineRow {
  readonly time: string;
  readonly mark: string;
  readonly label: string;
  readonly status: string;
  readonly tone: Tone;
}

export interface TimelineWindow {
  /** What the panel is called and which clock its times are on: a scenario's, or `up`'s uptime (no scenario). */
  readonly title: string;
  readonly clock: string;
  /** What to say when there is nothing to show. */
  readonly empty: string;
  readonly rows: readonly TimelineRow[];
  readonly hiddenBefore: number;
  readonly hiddenAfter: number;
}

const MARK: Readonly<Record<TimelineEntry['status'], string>> = { past: '✓', active: '▶', upcoming: '·' };

function row(e: TimelineEntry, elapsedMs: number): TimelineRow {
  const time = e.atMs === null ? 'after load' : seconds(e.atMs);
  const kind = e.phase === 'remediation' ? 'remediation' : e.phase === 'fault-end' ? 'heals' : 'fault';
  let status: string;
  if (e.status === 'active') status = `active for ${seconds(Math.max(0, elapsedMs - (e.atMs ?? elapsedMs)))}`;
  else if (e.status === 'upcoming')
    status = e.atMs === null ? `${kind}, after the workload` : `${kind} in ${seconds(Math.max(0, e.atMs - elapsedMs))}`;
  else status = kind;
  const tone: Tone =
    e.status === 'active' ? 'bad' : e.status === 'upcoming' ? 'muted' : e.phase === 'fault-start' ? 'warn' : 'ok';
  return { time: padStart(time, 10), mark: MARK[e.status], label: e.label, status, tone };
}

/**
 * The steps that fit in `maxRows`, in time order: every active fault first, then alternately the latest past step
 * and the next upcoming one, so "what just happened" and "what comes next" stay on screen around "now".
 */
export function timelineWindow(
  entries: readonly TimelineEntry[],
  maxRows: number,
  elapsedMs: number,
  source: 'run' | 'up' = 'run',
): TimelineWindow {
  const keep = new Set<number>();
  entries.forEach((e, i) => {
    if (e.status === 'active' && keep.size < maxRows) keep.add(i);
  });
  const firstUpcoming = entries.findIndex((e) => e.status === 'upcoming');
  const pivot = firstUpcoming === -1 ? entries.length : firstUpcoming;
  let back = pivot - 1;
  let ahead = pivot;
  while (keep.size < maxRows && (back >= 0 || ahead < entries.length)) {
    while (back >= 0 && keep.has(back)) back--;
    if (back >= 0 && keep.size < maxRows) keep.add(back--);
    while (ahead < entries.length && keep.has(ahead)) ahead++;
    if (ahead < entries.length && keep.size < maxRows) keep.add(ahead++);
  }
  const shown = [...keep].sort((a, b) => a - b);
  const lowest = shown[0] ?? entries.length;
  const highest = shown[shown.length - 1] ?? -1;
  const heading =
    source === 'run'
      ? { title: 'fault timeline', clock: 'scenario clock', empty: 'no faults or remediation steps' }
      : // Attached to `up` there is no scenario, so no scenario clock: only what the dashboard's keys did, since `up` began.
        {
          title: 'live actions',
          clock: 'time since up started',
          empty: 'none yet: the keys below act on the running system',
        };
  return {
    ...heading,
    rows: shown.flatMap((i) => {
      const e = entries[i];
      return e ? [row(e, elapsedMs)] : [];
    }),
    hiddenBefore:
      entries.slice(0, lowest).length +
      entries.slice(lowest, highest + 1).filter((_, j) => !keep.has(lowest + j)).length,
    hiddenAfter: Math.max(0, entries.length - highest - 1),
  };
}
