import { EVENT_TYPES } from '../domain/events.js';
import { ID_PATTERN, LIMITS } from '../domain/limits.js';
import { perReadModel, READ_MODEL_INFO, READ_MODELS, type ReadModelName } from '../domain/readModels.js';
import {
  PROCESS_KILL_POINTS,
  SERVICE_PROCESSES,
  type FaultKind,
  type OutboxTarget,
  type PropertyName,
  type RemediationSpec,
} from './scenario.js';

/**
 * The JSON Schema (draft-07) of a scenario YAML file: the single source of `scenarios/schema.json` (written by
 * `npm run scenario-schema`) and of the loader's structural validation. Everything is closed
 * (`additionalProperties: false`) and bounded; cross-field rules (min <= max, fault times inside the workload, a
 * deployFix for every bug, exactly one of atMs/afterWorkload) are checked in code by the loader.
 *
 * The fault and expectation unions are `oneOf` with a `const`/`enum` tag per branch, because editors complete and
 * explain those best; the loader picks the branch by tag itself so a typo gives one error, not one per branch. For
 * that, branches are written inline (no `$ref` inside `oneOf`): an error's schemaPath then names its branch.
 */
export interface JsonSchema {
  readonly $schema?: string;
  readonly $id?: string;
  readonly title?: string;
  readonly description?: string;
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
  readonly items?: JsonSchema;
  readonly oneOf?: readonly JsonSchema[];
  readonly enum?: readonly string[];
  readonly const?: string | boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly default?: unknown;
}

/** Defaults the loader fills in; also published as `default` in the schema so editors show them. */
export const SCENARIO_DEFAULTS = {
  seed: 1,
  timeoutMs: 60_000,
  system: {
    inventoryMode: 'check',
    summaryDependency: 'wait',
    consumer: {
      ackWaitMs: 2_000,
      maxDeliveries: 5,
      batchSize: 256,
      initialBackoffMs: 100,
      maxBackoffMs: 2_000,
      handlerMsPerEvent: 0,
    },
  },
  workload: {
    concurrency: 8,
    customers: 20,
    products: 8,
    hotProductSkew: 1,
    initialStock: { min: 100, max: 100 },
    itemsPerOrder: { min: 1, max: 3 },
    quantityPerItem: { min: 1, max: 3 },
    repeatedLineShare: 0,
    stockAdjustmentsPerSecond: 0,
    stockAdjustmentDelta: { min: 1, max: 20 },
    renamesPerSecond: 0,
    repricesPerSecond: 0,
  },
} as const;

/** The keys that pick a branch of the `oneOf` unions (faults by `kind`, expectations by `property`/`violation`). */
export const UNION_TAG_KEYS: readonly string[] = ['kind', 'property', 'violation', 'shape'];
export const SCENARIO_NAME_PATTERN = '^[a-z0-9]+(-[a-z0-9]+)*$';
export const SCENARIO_FILE_BYTES_MAX = 256 * 1024;
/** Which broker node a node-level fault acts on. */
const BROKER_NODE: JsonSchema = {
  description:
    'The node: its index (0 to brokers − 1), `leader` for the stream leader at that moment, or `follower` for a node that does not lead it then.',
  oneOf: [
    { type: 'string', const: 'leader', description: 'The node leading the stream when the fault starts.' },
    {
      type: 'string',
      const: 'follower',
      description: 'A node that does not lead the stream when the fault starts (the next one after the leader).',
    },
    { type: 'integer', minimum: 0, maximum: 4, description: 'A node by its index (n0, n1, …).' },
  ],
};

export const FAULTS_MAX = 50;
const PHASES_MAX = 20;
export const CRASH_POINTS_MAX = 20;
export const REMEDIATIONS_MAX = 50;
export const EXPECTATIONS_MAX = 20;
const TIME_MS_MAX = 600_000;

// Keyed by the TS unions, so adding a kind or property to scenario.ts fails to compile until it is here (read models
// come from the registry in src/domain/readModels.ts).
const OUTBOXES: Record<OutboxTarget, true> = { orders: true, inventory: true };
const ACTIONS: Record<RemediationSpec['action'], string> = {
  deployFix: 'ends a handlerBug/silentCorruption on the target (events already mis-applied stay wrong)',
  rebuild: 'drops the read model and replays the whole stream into it',
  replayDeadLetters: 'feeds the parked (dead-lettered) events back through the handler',
  restartConsumer: 'stops and starts the consumer',
};
const PROPERTIES: Record<PropertyName, string> = {
  converges: 'every read model equals the oracle within withinMs of the last fault healing',
  nothingLost: 'no event is missing from any read model, and every accepted order was published',
  noDuplicatedEffect: 'no event was applied twice (redelivery did not double-count)',
  noWrongValues: 'no read model holds a value the oracle disagrees with',
  deadLetters: 'the target read model has exactly count dead letters at the end',
  inventoryNeverNegative: 'no product’s available quantity went below zero at any point (no oversell)',
  rebuildEqualsIncremental: 'rebuilding each read model from the stream gives the incrementally built one',
  writeModelPublishedOnce: 'every accepted order was published exactly once (the outbox works)',
  noStrandedReservations:
    'reserve mode: once healed, every reserved unit belongs to a placed order (a crash between reservation and commit strands nothing); holds trivially in check mode',
  convergenceLatency:
    'accepted orders become visible in the target read model (product-inventory or customer-order-summary) within p99Ms of their 201 at the 99th percentile, and every one of them does',
};

const keys = <K extends string>(r: Record<K, unknown>): K[] => Object.keys(r) as K[];
export const READ_MODEL_TARGETS: readonly ReadModelName[] = READ_MODELS;
export const PROPERTY_NAMES = keys(PROPERTIES);

const withDefault = (dflt: unknown): Pick<JsonSchema, 'default'> => (dflt === undefined ? {} : { default: dflt });
const int = (minimum: number, maximum: number, description: string, dflt?: number): JsonSchema => ({
  type: 'integer',
  minimum,
  maximum,
  description,
  ...withDefault(dflt),
});
const num = (minimum: number, maximum: number, description: string, dflt?: number): JsonSchema => ({
  type: 'number',
  minimum,
  maximum,
  description,
  ...withDefault(dflt),
});
const text = (maxLength: number, description: string, pattern?: string): JsonSchema => ({
  type: 'string',
  minLength: 1,
  maxLength,
  description,
  ...(pattern === undefined ? {} : { pattern }),
});
const oneOfStrings = (values: readonly string[], description: string, dflt?: string): JsonSchema => ({
  type: 'string',
  enum: values,
  description,
  ...withDefault(dflt),
});
const tag = (value: string, description: string): JsonSchema => ({ type: 'string', const: value, description });
function obj(
  description: string,
  properties: Record<string, JsonSchema>,
  required: readonly string[] = [],
  dflt?: unknown,
): JsonSchema {
  return {
    type: 'object',
    description,
    properties,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
    ...withDefault(dflt),
  };
}
const range = (minimum: number, maximum: number, description: string, dflt: { min: number; max: number }): JsonSchema =>
  obj(
    `${description} Drawn uniformly from min..max inclusive (min <= max).`,
    {
      min: int(minimum, maximum, 'Smallest value.'),
      max: int(minimum, maximum, 'Largest value.'),
    },
    ['min', 'max'],
    dflt,
  );

const readModel = (description: string) => oneOfStrings(READ_MODEL_TARGETS, description);
const atMs = int(
  0,
  TIME_MS_MAX,
  'When the fault starts, in ms from the start of the workload (must be before workload.durationMs).',
);
const durationMs = int(100, TIME_MS_MAX, 'How long the fault lasts, in ms.');
const perSecond = (description: string, dflt: number) =>
  num(0, 5_000, `${description} per second over the workload (0 for none).`, dflt);

const eventMatch = obj('Which events the bug hits; every given field must match ({} hits every event).', {
  eventType: oneOfStrings(EVENT_TYPES, 'Only events of this type.'),
  productId: text(
    LIMITS.idLengthMax,
    'Only events touching this product (workload products are prod_0000, prod_0001, …).',
    ID_PATTERN.source,
  ),
});

/** A crash point to arm: the `crashPoint` fault's fields, and each entry of a scenario's `crashPoints`. */
const CRASH_POINT_FIELDS: Record<string, JsonSchema> = {
  target: readModel('The read model whose plug-in has the crash point.'),
  point: text(64, 'The crash point’s name, as the plug-in declares it.', '^[A-Za-z0-9][A-Za-z0-9_.:-]*$'),
  times: int(1, 1_000, 'How many passes crash.'),
};

const FAULTS: { [K in FaultKind]: { readonly description: string; readonly fields: Record<string, JsonSchema> } } = {
  consumerOutage: {
    description: 'The target consumer stops pulling for durationMs, then resumes from its checkpoint.',
    fields: { target: readModel('The read model whose consumer goes down.'), durationMs },
  },
  crashMidBatch: {
    description:
      'The target consumer crashes after committing a batch but before acking it, `times` times: the batch is redelivered.',
    fields: {
      target: readModel('The read model whose consumer crashes.'),
      times: int(1, 20, 'How many batches crash.'),
    },
  },
  handlerBug: {
    description:
      'The target handler throws for matching events (retried, then dead-lettered) until a deployFix remediation on the same target.',
    fields: { target: readModel('The read model with the bug.'), match: eventMatch },
  },
  silentCorruption: {
    description:
      'The target handler writes plausible wrong values for matching events, without failing, until a deployFix on the same target.',
    fields: { target: readModel('The read model with the silent bug.'), match: eventMatch },
  },
  slowConsumer: {
    description: 'The target consumer takes latencyMs longer per batch for durationMs.',
    fields: {
      target: readModel('The read model whose consumer slows down.'),
      latencyMs: int(1, 60_000, 'Added latency per batch, in ms.'),
      durationMs,
    },
  },
  poisonEvent: {
    description:
      'Publishes `count` undecodable messages on the event stream; every consumer must park them, not stall.',
    fields: { count: int(1, 100, 'How many poison messages.') },
  },
  dependencyLag: {
    description:
      'The Products read model, where the customer order summary looks up product names, stops for durationMs.',
    fields: { durationMs },
  },
  brokerPause: {
    description: 'The NATS server is frozen (SIGSTOP) for durationMs, then resumed.',
    fields: { durationMs },
  },
  brokerRestart: {
    description: 'The NATS server is stopped, and restarted downMs later.',
    fields: { downMs: int(0, TIME_MS_MAX, 'How long the broker stays down, in ms.') },
  },
  outboxRelayOutage: {
    description: 'The target service’s outbox relay stops publishing for durationMs.',
    fields: { target: oneOfStrings(keys(OUTBOXES), 'The service whose outbox relay goes down.'), durationMs },
  },
  orderServiceCrash: {
    description:
      'The order service dies `times` times between an order’s inventory check (in reserve mode: its stock reservation) and its commit: that order is lost, its client gets an error, and the reservation reconciler must release the stock.',
    fields: { times: int(1, 100, 'How many orders die between check and commit.') },
  },
  ackLoss: {
    description:
      'Acknowledgements from the target consumer are lost on the way to the broker for durationMs (a share `ratio` of them): events already applied come back after the ack wait, interleaved with newer ones.',
    fields: {
      target: readModel('The read model whose acks are lost.'),
      durationMs,
      ratio: num(0.01, 1, 'Share of acks lost (1: every one).', 1),
    },
  },
  processRestart: {
    description:
      'The target consumer’s process dies and comes back restartAfterMs later: its actor, its store objects and (for a plug-in) its module are thrown away and loaded fresh, so nothing kept in memory survives; an open transaction is rolled back.',
    fields: {
      target: readModel('The read model whose process restarts.'),
      restartAfterMs: int(0, TIME_MS_MAX, 'How long the process stays down, in ms.'),
      when: oneOfStrings(
        ['afterCommit', 'now'],
        'afterCommit (default): right after its next commit, before acking it (waiting up to 2 s for one) — applied, unacknowledged events come back to the fresh process; now: wherever it is.',
        'afterCommit',
      ),
    },
  },
  brokerNodeKill: {
    description:
      'SIGKILL of one node of the broker cluster (system.topology.brokers 3 or 5): a numbered node, or whichever leads the stream at that moment; it is restarted restartAfterMs later on its own store. The others elect a new stream leader; clients fail over.',
    fields: { node: BROKER_NODE, restartAfterMs: int(0, TIME_MS_MAX, 'How long the node stays down, in ms.') },
  },
  brokerNodeRestart: {
    description:
      'A clean restart of one node of the broker cluster (SIGTERM: it shuts down in order), started again downMs later on its own store — a rolling upgrade, one node at a time.',
    fields: { node: BROKER_NODE, downMs: int(0, TIME_MS_MAX, 'How long the node stays down, in ms.') },
  },
  partition: {
    description:
      'One node of the broker cluster is cut off from the others for durationMs: every packet between them dropped by the kernel (iptables, in a private network namespace the run command creates; needs root and the iptables command, exit 2 without). Clients connected to it stay connected to a node without a quorum. Then healed.',
    fields: { node: BROKER_NODE, durationMs },
  },
  processKill: {
    description:
      'SIGKILL of one service process (system.topology.processes): nothing it held in memory survives, an open transaction rolls back. `when: now` (default) strikes wherever it is; `afterCommit` right after its consumer’s next commit, before the acks (the products, summary or inventory process: redelivery to a fresh process); `betweenCheckAndCommit` inside the order service’s next order, its stock checked or reserved (the orders process). Its supervisor starts it again restartAfterMs after it died.',
    fields: {
      target: oneOfStrings([...SERVICE_PROCESSES], 'The service process.'),
      when: oneOfStrings([...PROCESS_KILL_POINTS], 'Where the kill strikes (see the fault).', 'now'),
      restartAfterMs: int(0, TIME_MS_MAX, 'How long the process stays down, in ms.'),
    },
  },
  processPause: {
    description:
      'One service process frozen (SIGSTOP) for durationMs, then continued (SIGCONT): its connections stay open but it answers nothing — past the ack wait, the broker redelivers what it held.',
    fields: { target: oneOfStrings([...SERVICE_PROCESSES], 'The service process.'), durationMs },
  },
  crashPoint: {
    description:
      'Arms a named crash point of the target’s self-managed plug-in (`ctx.crashPoint(point)`): the next `times` passes through it crash the consumer there. Needs a plug-in that has the point.',
    fields: CRASH_POINT_FIELDS,
  },
};
export const FAULT_KINDS = keys(FAULTS);

/** Fault fields that may be left out, with the value the loader fills in (also the schema's `default`). */
export const FAULT_DEFAULTS: { readonly [K in FaultKind]?: Readonly<Record<string, unknown>> } = {
  ackLoss: { ratio: 1 },
  processRestart: { when: 'afterCommit' },
  processKill: { when: 'now' },
};

const fault = (kind: FaultKind): JsonSchema => {
  const { description, fields } = FAULTS[kind];
  const optional = Object.keys(FAULT_DEFAULTS[kind] ?? {});
  return obj(description, { kind: tag(kind, `The fault: ${description}`), atMs, ...fields }, [
    'kind',
    'atMs',
    ...Object.keys(fields).filter((f) => !optional.includes(f)),
  ]);
};

const withinMs = int(0, TIME_MS_MAX, 'Bound, in ms after the last fault healed.');
const deadLetterCount = int(0, 100_000, 'Number of dead letters.');
const plainProperties = PROPERTY_NAMES.filter(
  (p) => p !== 'converges' && p !== 'deadLetters' && p !== 'convergenceLatency',
);
const p99Ms = int(0, TIME_MS_MAX, 'Bound on the 99th percentile, in ms from an order’s 201 to its visibility.');
const orderModel = (d: string): JsonSchema => ({
  ...oneOfStrings(['product-inventory', 'customer-order-summary'], d),
});
const propertyList = PROPERTY_NAMES.map((p) => `${p}: ${PROPERTIES[p]}`).join('; ');

const expectation: JsonSchema = {
  description: 'A property the run must satisfy ({property: …}), or must be seen to break ({violation: …}).',
  oneOf: [
    obj(
      'The read models converge to the oracle in time.',
      { property: tag('converges', PROPERTIES.converges), withinMs },
      ['property', 'withinMs'],
    ),
    obj(
      'The target read model ends with exactly `count` dead letters.',
      {
        property: tag('deadLetters', PROPERTIES.deadLetters),
        target: readModel('The read model whose dead letters are counted.'),
        count: deadLetterCount,
      },
      ['property', 'target', 'count'],
    ),
    obj(
      'Accepted orders become visible in the target read model in time (99th percentile).',
      {
        property: tag('convergenceLatency', PROPERTIES.convergenceLatency),
        target: orderModel('The read model an order changes whose latency is bounded.'),
        p99Ms,
      },
      ['property', 'target', 'p99Ms'],
    ),
    obj(
      'A property that takes no parameters.',
      { property: oneOfStrings(plainProperties, `The property. ${propertyList}.`) },
      ['property'],
    ),
    obj(
      'The named property is expected NOT to hold: the scenario passes when the violation is found.',
      {
        violation: oneOfStrings(PROPERTY_NAMES, `The property expected to break. ${propertyList}.`),
        withinMs: { ...withinMs, description: 'For converges: the bound that is expected to be missed.' },
        target: readModel('For deadLetters: the read model.'),
        count: { ...deadLetterCount, description: 'For deadLetters: the count that is expected to differ.' },
        p99Ms: { ...p99Ms, description: 'For convergenceLatency: the bound that is expected to be missed.' },
      },
      ['violation'],
    ),
  ],
};

const remediation = obj(
  'A remediation step: give exactly one of atMs or afterWorkload: true.',
  {
    action: oneOfStrings(
      keys(ACTIONS),
      `What to do. ${keys(ACTIONS)
        .map((a) => `${a}: ${ACTIONS[a]}`)
        .join('; ')}.`,
    ),
    target: readModel('The read model acted on.'),
    atMs: int(0, TIME_MS_MAX, 'When, in ms from the start of the workload (before workload.durationMs).'),
    afterWorkload: {
      type: 'boolean',
      const: true,
      description: 'Run once the workload has ended and the timed faults have healed.',
    },
  },
  ['action', 'target'],
);

const consumer = SCENARIO_DEFAULTS.system.consumer;
const system = obj(
  'How the system under test is configured.',
  {
    inventoryMode: oneOfStrings(
      ['check', 'reserve'],
      'check: the order service reads the async ProductInventory view (can oversell); reserve: the inventory service reserves stock synchronously.',
      SCENARIO_DEFAULTS.system.inventoryMode,
    ),
    summaryDependency: oneOfStrings(
      ['wait', 'naive'],
      'wait: the summary waits for Products to catch up; naive: it looks names up as they are (stale names when Products lags).',
      SCENARIO_DEFAULTS.system.summaryDependency,
    ),
    topology: obj(
      'The deployment. Absent: one broker, every service in the runner’s process. Real brokers only (the simulation models one broker and one process).',
      {
        brokers: {
          type: 'integer',
          minimum: 1,
          maximum: 5,
          description:
            'Broker nodes: 1, or a JetStream cluster of 3 or 5 (odd: a majority must survive a loss) on loopback with the stream on every node.',
        },
        processes: {
          type: 'boolean',
          description:
            'Every service its own OS process (orders, inventory with its ProductInventory view, products, summary), talking only over NATS, each with its own SQLite files: what processKill and processPause act on. Only faults from outside the services apply then (process, broker and poison faults).',
        },
      },
      [],
    ),
    consumer: obj(
      'Settings of every projection consumer.',
      {
        ackWaitMs: int(
          100,
          TIME_MS_MAX,
          'The broker redelivers an unacknowledged message after this many ms.',
          consumer.ackWaitMs,
        ),
        maxDeliveries: int(1, 100, 'Handler attempts before an event is dead-lettered.', consumer.maxDeliveries),
        batchSize: int(1, 5_000, 'Events fetched and applied in one transaction, at most.', consumer.batchSize),
        initialBackoffMs: int(
          1,
          60_000,
          'First retry delay after a handler failure, in ms (doubles each attempt).',
          consumer.initialBackoffMs,
        ),
        maxBackoffMs: int(
          1,
          TIME_MS_MAX,
          'Cap on the retry delay, in ms (at least initialBackoffMs).',
          consumer.maxBackoffMs,
        ),
        handlerMsPerEvent: int(
          0,
          10_000,
          'Time a handler takes per event, between fetch and apply (virtual on the simulation): a batch that outlasts the ack wait is redelivered while applied.',
          consumer.handlerMsPerEvent,
        ),
      },
      [],
      consumer,
    ),
  },
  [],
  SCENARIO_DEFAULTS.system,
);

const w = SCENARIO_DEFAULTS.workload;
const workload = obj(
  'The seeded workload: the same seed gives the same operations at the same times.',
  {
    durationMs: int(100, TIME_MS_MAX, 'How long the workload runs, in ms.'),
    ordersPerSecond: num(0, 5_000, 'Orders placed per second.'),
    concurrency: int(1, 512, 'Orders in flight at once, at most (more room for the oversell race).', w.concurrency),
    customers: int(1, 100_000, 'Distinct customers placing orders.', w.customers),
    products: int(1, 10_000, 'Products in the catalogue.', w.products),
    hotProductSkew: num(
      0,
      4,
      'Zipf exponent of product popularity: 0 uniform, ~1 a few hot products, 2 one very hot product.',
      w.hotProductSkew,
    ),
    initialStock: range(0, LIMITS.stockDeltaAbsMax, 'Opening stock of each product.', w.initialStock),
    itemsPerOrder: range(1, LIMITS.orderLinesMax, 'Distinct products per order (capped at products).', w.itemsPerOrder),
    quantityPerItem: range(1, LIMITS.quantityMax, 'Quantity ordered per line.', w.quantityPerItem),
    repeatedLineShare: num(
      0,
      1,
      'Chance that a further line of an order names a product already on it (0: every line a distinct product).',
      w.repeatedLineShare,
    ),
    stockAdjustmentsPerSecond: perSecond('Stock adjustments', w.stockAdjustmentsPerSecond),
    stockAdjustmentDelta: range(
      -LIMITS.stockDeltaAbsMax,
      LIMITS.stockDeltaAbsMax,
      'Delta of each stock adjustment (a drawn 0 becomes +1); negative removes stock, and is refused where it would go below zero.',
      w.stockAdjustmentDelta,
    ),
    renamesPerSecond: perSecond('Product renames', w.renamesPerSecond),
    repricesPerSecond: perSecond('Product reprices', w.repricesPerSecond),
    phases: {
      type: 'array',
      maxItems: PHASES_MAX,
      description:
        'The order load over time, phase after phase from the start (their durations at most durationMs); after the last one, ordersPerSecond to the end.',
      items: {
        description: 'One phase of the order load.',
        oneOf: [
          obj(
            'The rate moves evenly from `from` to `to` orders per second.',
            {
              shape: tag('ramp', 'A ramp.'),
              durationMs: int(100, TIME_MS_MAX, 'How long the phase lasts, in ms.'),
              from: num(0, 5_000, 'Orders per second at its start.'),
              to: num(0, 5_000, 'Orders per second at its end.'),
            },
            ['shape', 'durationMs', 'from', 'to'],
          ),
          obj(
            'A constant rate: `steady`, or a short `spike`.',
            {
              shape: oneOfStrings(['steady', 'spike'], 'steady, or spike (the same, named for what it is).'),
              durationMs: int(100, TIME_MS_MAX, 'How long the phase lasts, in ms.'),
              ordersPerSecond: num(0, 5_000, 'Orders per second.'),
            },
            ['shape', 'durationMs', 'ordersPerSecond'],
          ),
        ],
      },
    },
  },
  ['durationMs', 'ordersPerSecond'],
);

export const SCENARIO_SCHEMA: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'urn:cqrs-testbed:scenario',
  title: 'cqrs-testbed scenario',
  ...obj(
    'A resilience scenario for the CQRS read models: system options, a seeded workload, faults, remediation and expectations. Times are ms from the start of the workload.',
    {
      name: text(
        64,
        'Scenario name, kebab-case (e.g. oversell-race); shown in listings and reports.',
        SCENARIO_NAME_PATTERN,
      ),
      description: text(2_000, 'What happens in this scenario.'),
      teaches: text(500, 'What the scenario teaches (shown by `cqrs-testbed list`).'),
      seed: int(
        0,
        4_294_967_295,
        'Seed of the workload and every random choice: the same seed replays the same run.',
        SCENARIO_DEFAULTS.seed,
      ),
      timeoutMs: int(
        1_000,
        TIME_MS_MAX,
        'Hard bound on the whole run (workload plus settling), in ms; more than workload.durationMs.',
        SCENARIO_DEFAULTS.timeoutMs,
      ),
      system,
      projections: obj(
        'Plug-in modules this scenario runs with (paths relative to this file), by the read model each replaces; `--projection` overrides.',
        perReadModel((m) => text(1_000, `Module replacing ${READ_MODEL_INFO[m].title}.`)),
      ),
      crashPoints: {
        type: 'array',
        maxItems: CRASH_POINTS_MAX,
        description:
          'Crash points of self-managed plug-ins armed before the workload starts, as `--crash-point` arms them (a `check --crash-point` counterexample records its flags here).',
        items: obj(
          'The next `times` passes of the plug-in through `ctx.crashPoint(point)` crash its consumer.',
          CRASH_POINT_FIELDS,
          ['target', 'point', 'times'],
        ),
      },
      workload,
      faults: {
        type: 'array',
        maxItems: FAULTS_MAX,
        description: 'Faults injected during the run, each with kind and atMs.',
        items: { description: 'A fault, chosen by kind.', oneOf: FAULT_KINDS.map(fault) },
        default: [],
      },
      remediation: {
        type: 'array',
        maxItems: REMEDIATIONS_MAX,
        description: 'Remediation steps (deployFix, rebuild, …), each at atMs or afterWorkload.',
        items: remediation,
        default: [],
      },
      expect: {
        type: 'array',
        minItems: 1,
        maxItems: EXPECTATIONS_MAX,
        description: 'What the verdict checks: properties that must hold, or violations that must be found.',
        items: expectation,
      },
    },
    ['name', 'description', 'teaches', 'workload', 'expect'],
  ),
};
