/**
 * The runner's view of the service processes (SystemView): the stores and read models read from the services'
 * own SQLite files — same machine, the run owns their dir; WAL readers never wait for a writer, even a frozen one —
 * and each consumer's state from its process's status, asked over NATS a few times a second. A process that does
 * not answer (dead, frozen) has its consumers `down` until it does.
 */
import { join } from 'node:path';
import type { ReadModelName } from '../domain/readModels.js';
import type { ConsumerView, SystemView } from '../scenarios/systemView.js';
import { InventoryStore } from '../store/inventoryStore.js';
import { OrderStore } from '../store/orderStore.js';
import { openDatabase, type Db } from '../store/sqlite.js';
import { readModelStates } from '../system/pluginWiring.js';
import type { Transport } from '../transport/port.js';
import { statusSubject, type ServiceStatus } from './serviceControl.js';
import type { ServiceProcessName as ServiceKind } from '../scenarios/scenario.js';
import type { Supervisor } from './supervisor.js';

const STATUS_EVERY_MS = 200;
const STATUS_TIMEOUT_MS = 500;

/** Which process runs each read model's consumer, and the database the model lives in. */
const HOME: Readonly<Record<ReadModelName, { readonly process: ServiceKind; readonly db: string }>> = {
  'product-inventory': { process: 'inventory', db: 'inventory' },
  products: { process: 'products', db: 'products' },
  'customer-order-summary': { process: 'summary', db: 'customer-order-summary' },
};
const PROCESSES: readonly ServiceKind[] = ['inventory', 'orders', 'products', 'summary'];

export interface ServicesView {
  readonly view: SystemView;
  /** Stops asking for status (the round under way finishes) and closes the files. */
  close(): Promise<void>;
}

export function servicesView(dir: string, transport: Transport, supervisor: Supervisor): ServicesView {
  const file = (name: string) => join(dir, `${name}.db`);
  // The stores' own classes, on connections of the runner's: their schema is the services', already in place.
  const writable = [openDatabase(file('orders')), openDatabase(file('inventory'))] as const;
  const orderStore = new OrderStore(writable[0]);
  const inventoryStore = new InventoryStore(writable[1]);
  const readers = {
    'product-inventory': openDatabase(file(HOME['product-inventory'].db), { readonly: true }),
    products: openDatabase(file(HOME.products.db), { readonly: true }),
    'customer-order-summary': openDatabase(file(HOME['customer-order-summary'].db), { readonly: true }),
  } satisfies Record<ReadModelName, Db>;
  const checkpoints = mapModels((m) => readers[m].prepare('SELECT seq FROM checkpoint WHERE id = 1').pluck());
  const deadLetters = mapModels((m) =>
    readers[m].prepare('SELECT COUNT(*) FROM dead_letters WHERE replayed_at IS NULL').pluck(),
  );
  // A model's state and its checkpoint must come from one moment, or a commit landing between the two reads (its
  // process writes on its own) would show a model "at the head" without the events that got it there. So states are
  // read inside one read transaction per database, and the checkpoints read there are the ones `checkpoint` gives
  // for the rest of that synchronous turn (the runner reads both in one).
  let captured: Record<ReadModelName, number> | undefined;
  const readCheckpoint = (m: ReadModelName) => (checkpoints[m].get() as number | undefined) ?? 0;
  const consistentStates = () => {
    for (const db of Object.values(readers)) db.exec('BEGIN');
    try {
      const at = mapModels(readCheckpoint);
      const states = readModelStates(mapModels((m) => ({ db: readers[m], plugin: undefined })));
      captured = at;
      queueMicrotask(() => (captured = undefined));
      return states;
    } finally {
      for (const db of Object.values(readers)) db.exec('COMMIT');
    }
  };
  const statuses = new Map<ServiceKind, ServiceStatus>();
  const poller = pollStatuses(transport, supervisor, statuses);
  const view: SystemView = {
    orderStore,
    inventoryStore,
    readModelStates: consistentStates,
    checkpoint: (m) => captured?.[m] ?? readCheckpoint(m),
    deadLetters: (m) => deadLetters[m].get() as number,
    consumer: (m) => statuses.get(HOME[m].process)?.consumers[m] ?? unanswered,
    ordersInFlight: () => statuses.get('orders')?.ordersInFlight ?? 0,
    plugin: () => undefined,
  };
  return {
    view,
    async close() {
      await poller.stop();
      for (const db of [...writable, ...Object.values(readers)]) db.close();
    },
  };
}

const unanswered: ConsumerView = {
  state: 'down',
  lastProblem: 'its process does not answer',
  redeliveries: 0,
  rebuilds: 0,
};

function mapModels<T>(f: (m: ReadModelName) => T): Record<ReadModelName, T> {
  return {
    'product-inventory': f('product-inventory'),
    products: f('products'),
    'customer-order-summary': f('customer-order-summary'),
  };
}

/** Asks every process for its status every STATUS_EVERY_MS (a round at a time); forgets a process that is silent. */
function pollStatuses(transport: Transport, supervisor: Supervisor, into: Map<ServiceKind, ServiceStatus>) {
  let stopped = false;
  const decoder = new TextDecoder();
  const ask = async (kind: ServiceKind) => {
    const running = supervisor.processes.find((p) => p.name === kind)?.pid ?? -1;
    try {
      if (running < 0) throw new Error('not running');
      const reply = await transport.request(statusSubject(kind), new Uint8Array(), STATUS_TIMEOUT_MS);
      into.set(kind, JSON.parse(decoder.decode(reply)) as ServiceStatus);
    } catch {
      into.delete(kind);
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await Promise.all(PROCESSES.map(ask));
      await new Promise((resolve) => setTimeout(resolve, STATUS_EVERY_MS));
    }
  })();
  return {
    stop: () => {
      stopped = true;
      return loop;
    },
  };
}
