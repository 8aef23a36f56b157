/**
 * What a service process tells and takes besides its port, over NATS: its status (pid, its consumers' states, its
 * orders in flight) for whoever watches it — the scenario runner, a dashboard — and fault control: a kill armed at
 * a precise point of its work, carried out by the process itself with SIGKILL (no clean-up, no last word), so the
 * fault lands exactly between a commit and its ack, or between an order's inventory check and its commit.
 */
import type { OrderHooks } from '../actors/placeOrder.js';
import type { PullHooks } from '../actors/pullBatch.js';
import type { ReadModelName } from '../domain/readModels.js';
import type { ConsumerView } from '../scenarios/systemView.js';
import type { Service, Transport } from '../transport/port.js';
import type { ServiceProcessName as ServiceKind } from '../scenarios/scenario.js';

export const statusSubject = (kind: ServiceKind): string => `cqrs.status.${kind}`;
export const controlSubject = (kind: ServiceKind): string => `cqrs.control.${kind}`;

export interface ServiceStatus {
  readonly kind: ServiceKind;
  readonly pid: number;
  /** The read models whose consumers run in this process. */
  readonly consumers: Partial<Record<ReadModelName, ConsumerView>>;
  /** The order service's orders between check and commit (the orders process only). */
  readonly ordersInFlight?: number;
}

/** Where an armed kill strikes: right after a consumer's commit (before its acks), or inside an order. */
export const KILL_POINTS = ['afterCommit', 'betweenCheckAndCommit'] as const;
export type KillPoint = (typeof KILL_POINTS)[number];

/** The hooks that kill this very process at an armed point; each arming strikes once. */
export class SelfKill {
  private readonly armed = new Set<KillPoint>();

  arm(point: KillPoint): void {
    this.armed.add(point);
  }

  private strike(point: KillPoint): boolean {
    if (this.armed.has(point)) process.kill(process.pid, 'SIGKILL');
    return false; // not reached when armed: the process is gone
  }

  readonly pullHooks: PullHooks = { crashAfterCommit: () => this.strike('afterCommit') };
  readonly orderHooks: OrderHooks = { crashBeforeCommit: () => this.strike('betweenCheckAndCommit') };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Answers status requests and kill arming for one process. */
export function serveStatusAndControl(
  transport: Transport,
  kind: ServiceKind,
  status: () => Omit<ServiceStatus, 'kind' | 'pid'>,
  selfKill: SelfKill,
): Service[] {
  return [
    transport.serve(statusSubject(kind), () =>
      Promise.resolve(encoder.encode(JSON.stringify({ kind, pid: process.pid, ...status() }))),
    ),
    transport.serve(controlSubject(kind), (data) => {
      let point: unknown;
      try {
        point = (JSON.parse(decoder.decode(data)) as { kill?: unknown }).kill;
      } catch {
        point = undefined;
      }
      if (!KILL_POINTS.includes(point as KillPoint))
        return Promise.resolve(
          encoder.encode(JSON.stringify({ ok: false, error: `kill must be one of ${KILL_POINTS.join(', ')}` })),
        );
      selfKill.arm(point as KillPoint);
      return Promise.resolve(encoder.encode(JSON.stringify({ ok: true, pid: process.pid })));
    }),
  ];
}
