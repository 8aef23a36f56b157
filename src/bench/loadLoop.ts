/**
 * A small bounded keep-alive HTTP load generator (node's http.Agent), used instead of autocannon so the bench needs
 * no extra dependency: `concurrency` workers, each sending its next request when the previous one answered.
 */
import { Agent, request } from 'node:http';

export interface LoadResult {
  readonly ms: number;
  /** Count per status code. */
  readonly statuses: Readonly<Record<number, number>>;
}

export interface LoadSpec {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly body?: (i: number) => string;
  readonly requests: number;
  readonly concurrency: number;
  readonly timeoutMs: number;
}

export async function loadLoop(spec: LoadSpec): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency });
  const statuses: Record<number, number> = {};
  let next = 0;
  const one = (i: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const body = spec.body?.(i);
      const req = request(
        spec.url,
        {
          method: spec.method,
          agent,
          timeout: spec.timeoutMs,
          headers:
            body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume(); // the body is not needed; reading it frees the socket for the next request
          res.once('end', () => resolve(res.statusCode ?? 0));
          res.once('error', reject);
        },
      );
      req.once('timeout', () => req.destroy(new Error(`request ${i} timed out after ${spec.timeoutMs} ms`)));
      req.once('error', reject);
      req.end(body);
    });
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: Math.min(spec.concurrency, spec.requests) }, async () => {
        while (next < spec.requests) {
          const status = await one(next++);
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return { ms: performance.now() - started, statuses };
}
