import { connect } from '@nats-io/transport-node';
import {
  CONTROL_SUBJECT,
  TELEMETRY_SUBJECT,
  type ControlAction,
  type ControlResult,
  type Telemetry,
} from '../../src/scenarios/telemetry.js';

/** One telemetry snapshot from a running `up`, asked over NATS as `dashboard --nats-url` asks it. */
export async function telemetryOf(url: string): Promise<Telemetry> {
  const nc = await connect({ servers: url.split(','), timeout: 5_000 });
  try {
    const reply = await nc.request(TELEMETRY_SUBJECT, new Uint8Array(), { timeout: 5_000 });
    return JSON.parse(new TextDecoder().decode(reply.data)) as Telemetry;
  } finally {
    await nc.close();
  }
}

/** One dashboard key press sent to a running `up`, as `dashboard --nats-url` sends it. */
export async function controlOf(url: string, action: ControlAction): Promise<ControlResult> {
  const nc = await connect({ servers: url.split(','), timeout: 5_000 });
  try {
    const reply = await nc.request(CONTROL_SUBJECT, new TextEncoder().encode(JSON.stringify(action)), {
      timeout: 5_000,
    });
    return JSON.parse(new TextDecoder().decode(reply.data)) as ControlResult;
  } finally {
    await nc.close();
  }
}
