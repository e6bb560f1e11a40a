import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** One answer, fully read. Latency runs from sending the request to the last body byte. */
export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  ms: number;
}

export interface LoadResult {
  /** Answers with status 200 inside the measured window. */
  ok: number;
  /** Non-200 answers and transport errors: any of these makes the run suspect. */
  failures: number;
  seconds: number;
  latenciesMs: number[];
}

const REQUEST_TIMEOUT_MS = 10_000;

/** Keep-alive agent with a fixed number of sockets, so every worker holds one connection. */
export function keepAliveAgent(sockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
}

/** A GET over node:http (lighter than fetch on the load side, so the generator is not the bottleneck). */
export function get(agent: http.Agent, url: URL, headers: Record<string, string>): Promise<Reply> {
  // The bench must never send traffic anywhere but this machine.
  if (url.hostname !== '127.0.0.1') return Promise.reject(new Error(`refusing non-loopback ${url.host}`));
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(url, { agent, headers, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          ms: performance.now() - started,
        }),
      );
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Closed-loop load: `concurrency` workers each send the next request when the previous one answered,
 * until `durationMs` has passed. Throughput is answers over the time until the last one came back.
 */
export async function runLoad(options: {
  url: URL;
  headers: Record<string, string>;
  concurrency: number;
  durationMs: number;
  agent: http.Agent;
}): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let failures = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      try {
        const reply = await get(options.agent, options.url, options.headers);
        if (reply.status === 200) latenciesMs.push(reply.ms);
        else failures++;
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { ok: latenciesMs.length, failures, seconds: (performance.now() - started) / 1000, latenciesMs };
}

export function mergeResults(results: readonly LoadResult[]): LoadResult {
  return {
    ok: results.reduce((sum, r) => sum + r.ok, 0),
    failures: results.reduce((sum, r) => sum + r.failures, 0),
    seconds: results.reduce((sum, r) => sum + r.seconds, 0),
    latenciesMs: results.flatMap((r) => r.latenciesMs),
  };
}

/** Nearest-rank percentile (`p` in 0..100) of unsorted samples; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export interface CountedResult extends LoadResult {
  /** How many requests the run was asked to send, and how many it sent before its time ran out. */
  requested: number;
  sent: number;
  /** True when the time cap stopped the run before it had sent every request. */
  cutShort: boolean;
  /** Latency of every answer, whatever its status (transport errors have none). */
  allLatenciesMs: number[];
  /** Count per status code, `error` for transport errors. */
  statuses: Map<string, number>;
}

/**
 * Closed-loop load bounded in count and in time: `concurrency` workers send `requests` requests in
 * all, but start none after `maxMs` (requests already sent still finish, each within the request
 * timeout). `accept` decides what counts as a good answer (default: status 200).
 */
export async function runCounted(options: {
  url: URL;
  headers: Record<string, string>;
  concurrency: number;
  requests: number;
  maxMs: number;
  agent: http.Agent;
  accept?: (reply: Reply) => boolean;
}): Promise<CountedResult> {
  const accept = options.accept ?? ((reply: Reply) => reply.status === 200);
  const latenciesMs: number[] = [];
  const allLatenciesMs: number[] = [];
  const statuses = new Map<string, number>();
  const count = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1);
  let failures = 0;
  let sent = 0;
  const started = performance.now();
  const deadline = started + options.maxMs;
  const worker = async () => {
    while (sent < options.requests && performance.now() < deadline) {
      sent++;
      try {
        const reply = await get(options.agent, options.url, options.headers);
        count(String(reply.status));
        allLatenciesMs.push(reply.ms);
        if (accept(reply)) latenciesMs.push(reply.ms);
        else failures++;
      } catch {
        count('error');
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.requests) }, worker));
  return {
    ok: latenciesMs.length,
    failures,
    seconds: (performance.now() - started) / 1000,
    latenciesMs,
    requested: options.requests,
    sent,
    cutShort: sent < options.requests,
    allLatenciesMs,
    statuses,
  };
}

/** `404×2, 200×98`-style summary of a status count. */
export const statusList = (statuses: ReadonlyMap<string, number>) =>
  [...statuses].map(([status, n]) => `${status}×${n}`).join(', ') || 'none';
