/**
 * Core request/reply in the simulated broker. Every `serve` joins one queue group, so a request goes to exactly one
 * live server of its subject (picked by the seeded PRNG if there is one, else round robin); each server handles its
 * requests one at a time in arrival order, as the adapter's service loop does. A failing handler answers with an
 * error message (the adapter's `Nats-Service-Error` header).
 */
import type { Prng } from '../../domain/prng.js';
import type { RequestHandler } from '../port.js';
import type { SimConnection } from './simConnection.js';
import { subjectMatches } from '../subjects.js';

export type Reply = { readonly ok: true; readonly data: Uint8Array } | { readonly ok: false; readonly error: string };

interface Job {
  readonly data: Uint8Array;
  readonly respond: (reply: Reply) => void;
}

export class SimSubscription {
  stopped = false;
  readonly #queue: Job[] = [];
  #loop: Promise<void> | undefined;

  constructor(
    readonly connection: SimConnection,
    readonly subject: string,
    private readonly handler: RequestHandler,
  ) {}

  get live(): boolean {
    return !this.stopped && this.connection.status === 'connected';
  }

  enqueue(job: Job): void {
    this.#queue.push(job);
    this.#loop ??= this.#drain().finally(() => {
      this.#loop = undefined;
    });
  }

  /** Resolves when every request already received has been answered. */
  idle(): Promise<void> {
    return this.#loop ?? Promise.resolve();
  }

  async #drain(): Promise<void> {
    for (let job = this.#queue.shift(); job !== undefined; job = this.#queue.shift()) {
      let reply: Reply;
      try {
        reply = { ok: true, data: new Uint8Array(await this.handler(new Uint8Array(job.data))) };
      } catch (err: unknown) {
        const message = (err instanceof Error ? err.message : String(err)).replace(/[\r\n]+/g, ' ');
        reply = { ok: false, error: message === '' ? 'handler failed' : message };
      }
      job.respond(reply);
    }
  }
}

export class SimServices {
  readonly #subscriptions: SimSubscription[] = [];
  #turn = 0;

  constructor(private readonly prng: Prng | undefined) {}

  add(subscription: SimSubscription): void {
    this.#subscriptions.push(subscription);
  }

  remove(subscription: SimSubscription): void {
    const i = this.#subscriptions.indexOf(subscription);
    if (i >= 0) this.#subscriptions.splice(i, 1);
  }

  /** One live server for `subject`, or undefined (no responders). */
  pick(subject: string): SimSubscription | undefined {
    const live = this.#subscriptions.filter((s) => s.live && subjectMatches(s.subject, subject));
    if (live.length === 0) return undefined;
    const index = this.prng === undefined ? this.#turn++ % live.length : this.prng.int(0, live.length - 1);
    return live[index];
  }

  ofConnection(connection: SimConnection): SimSubscription[] {
    return this.#subscriptions.filter((s) => s.connection === connection);
  }
}
