import { READ_MODELS, type ReadModelName } from '../domain/readModels.js';
import { PROCESS_OF_MODEL } from '../scenarios/scenario.js';
import type { ControlAction, Telemetry } from '../scenarios/telemetry.js';
import { SHORT_NAMES } from './selectors.js';

/** The parts of ink's key event the dashboard reads (so the mapping is testable without ink). */
export interface KeyPress {
  readonly input: string;
  readonly upArrow?: boolean;
  readonly downArrow?: boolean;
  readonly tab?: boolean;
  readonly ctrl?: boolean;
}

export type KeyCommand =
  | { readonly kind: 'select'; readonly model: ReadModelName }
  | { readonly kind: 'control'; readonly action: ControlAction }
  | { readonly kind: 'quit' }
  | { readonly kind: 'none' };

export interface KeyContext {
  readonly selected: ReadModelName;
  readonly telemetry: Telemetry | undefined;
  /** Live control is wired (a running system we can act on) and the run is not over. */
  readonly canControl: boolean;
}

const onCluster = (ctx: KeyContext): boolean => (ctx.telemetry?.brokerNodes?.length ?? 0) > 0;
const onProcesses = (ctx: KeyContext): boolean => (ctx.telemetry?.processes?.length ?? 0) > 0;
/** Whether the process running the selected model's consumer is frozen now. */
const frozenProcess = (ctx: KeyContext): boolean =>
  ctx.telemetry?.processes?.find((p) => p.name === PROCESS_OF_MODEL[ctx.selected])?.frozen === true;

const step = (selected: ReadModelName, by: number): ReadModelName => {
  const i = READ_MODELS.indexOf(selected);
  return READ_MODELS[(i + by + READ_MODELS.length) % READ_MODELS.length] ?? selected;
};

/**
 * What a key does. Consumer keys act on the selected read model; `s` and `p` toggle, so they read the current state
 * from the telemetry (a stopped consumer starts, a paused broker resumes).
 */
export function keyCommand(key: KeyPress, ctx: KeyContext): KeyCommand {
  if (key.input === 'q' || (key.ctrl === true && key.input === 'c')) return { kind: 'quit' };
  if (key.upArrow === true) return { kind: 'select', model: step(ctx.selected, -1) };
  if (key.downArrow === true || key.tab === true) return { kind: 'select', model: step(ctx.selected, 1) };
  const digit = Number(key.input);
  if (Number.isInteger(digit) && digit >= 1 && digit <= READ_MODELS.length && key.input.length === 1) {
    return { kind: 'select', model: READ_MODELS[digit - 1] ?? ctx.selected };
  }
  if (!ctx.canControl) return { kind: 'none' };
  const target = ctx.selected;
  const control = (action: ControlAction): KeyCommand => ({ kind: 'control', action });
  if (key.input === 'n' && onCluster(ctx)) return control({ kind: 'killLeaderNode' });
  // On the processes topology the keys act on the process running the selected model's consumer.
  if (onProcesses(ctx)) {
    if (key.input === 'k') return control({ kind: 'killProcess', target });
    if (key.input === 'f') return control({ kind: frozenProcess(ctx) ? 'thawProcess' : 'freezeProcess', target });
    return { kind: 'none' };
  }
  switch (key.input) {
    case 's':
      return control({
        kind: ctx.telemetry?.models[target].state === 'stopped' ? 'startConsumer' : 'stopConsumer',
        target,
      });
    case 'b':
      return control({ kind: 'toggleBug', target });
    case 'r':
      return control({ kind: 'rebuild', target });
    case 'd':
      return control({ kind: 'replayDeadLetters', target });
    case 'p':
      return control({ kind: ctx.telemetry?.brokerPaused === true ? 'resumeBroker' : 'pauseBroker' });
    default:
      return { kind: 'none' };
  }
}

/** The help line's items, naming what each key would do right now. */
export function helpItems(ctx: KeyContext, finished: boolean): string[] {
  if (finished) return ['run finished'];
  if (!ctx.canControl) return ['↑↓ model', 'q quit'];
  const name = SHORT_NAMES[ctx.selected];
  const node = onCluster(ctx) ? ['n kill leader node'] : [];
  if (onProcesses(ctx))
    return [
      ...[`↑↓ ${name}`, 'k kill its process', `f ${frozenProcess(ctx) ? 'thaw' : 'freeze'} its process`],
      ...node,
      'q quit',
    ];
  const stopped = ctx.telemetry?.models[ctx.selected].state === 'stopped';
  return [
    `↑↓ ${name}`,
    `s ${stopped ? 'start' : 'stop'}`,
    'b bug',
    'r rebuild',
    'd replay DLQ',
    `p ${ctx.telemetry?.brokerPaused === true ? 'resume' : 'pause'} broker`,
    ...node,
    'q quit',
  ];
}
