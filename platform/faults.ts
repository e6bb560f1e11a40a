import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';

/**
 * A development fault switch, so tests and demos can make a platform server fail the way real ones
 * do: `down` answers 503, `slow` delays each request, `reset` drops the connection without an answer.
 * `invalid_client` (authorization server only) refuses the client of one grant type, as if its
 * secret had been rotated away: `{"mode":"invalid_client","grant":"client_credentials"}`.
 */
export type FaultMode = 'ok' | 'down' | 'slow' | 'reset' | 'invalid_client';

export const faultRequestSchema = z
  .object({
    mode: z.enum(['ok', 'down', 'slow', 'reset', 'invalid_client']),
    delayMs: z.number().int().min(0).max(120_000).optional(),
    grant: z.enum(['client_credentials', 'refresh_token', 'authorization_code']).optional(),
  })
  .strict();

export interface FaultState {
  mode: FaultMode;
  delayMs: number;
  /** For `invalid_client`: the grant type whose requests are refused. */
  grant?: string;
}

export const DEFAULT_SLOW_DELAY_MS = 10_000;

export class FaultSwitch {
  #state: FaultState = { mode: 'ok', delayMs: DEFAULT_SLOW_DELAY_MS };

  get state(): FaultState {
    return { ...this.#state };
  }

  set(mode: FaultMode, delayMs = DEFAULT_SLOW_DELAY_MS, grant?: string): FaultState {
    this.#state =
      mode === 'invalid_client' ? { mode, delayMs, grant: grant ?? 'client_credentials' } : { mode, delayMs };
    return this.state;
  }

  /**
   * Applies the current fault to a request. Returns true when the request was answered (or dropped)
   * here and must not reach the real handler.
   */
  async intercept(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const { mode, delayMs } = this.#state;
    switch (mode) {
      case 'ok':
      case 'invalid_client': // applied by the authorization server, which can read the grant type
        return false;
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        return false;
      case 'down':
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' });
        res.end(JSON.stringify({ error: 'temporarily_unavailable', message: 'Fault switch: server down' }));
        return true;
      case 'reset':
        req.socket.destroy();
        return true;
    }
  }
}

/** Reads a request body as text, refusing anything larger than `limit` bytes. */
export async function readBody(req: IncomingMessage, limit = 16_384): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new RangeError('body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** `GET|DELETE /dev/stats`: reads a server's development counters, or resets them (and answers the fresh ones). */
export function handleStatsRoute(
  counters: { readonly current: unknown; reset(): void },
  req: IncomingMessage,
  res: ServerResponse,
): void {
  if (req.method !== 'GET' && req.method !== 'DELETE') {
    res.setHeader('allow', 'GET, DELETE');
    sendJson(res, 405, { error: 'method_not_allowed', message: 'Use GET or DELETE' });
    return;
  }
  if (req.method === 'DELETE') counters.reset();
  sendJson(res, 200, counters.current);
}

/** `GET|POST /dev/faults`: reads or switches the fault mode. Every bad input gets a 400 with a reason. */
export async function handleFaultsRoute(
  faults: FaultSwitch,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method === 'GET') return sendJson(res, 200, faults.state);
  if (req.method !== 'POST') {
    return sendJson(res, 405, { error: 'method_not_allowed', message: 'Use GET or POST' });
  }
  let payload: unknown;
  try {
    payload = JSON.parse(await readBody(req));
  } catch {
    return sendJson(res, 400, { error: 'bad_request', message: 'Body must be JSON like {"mode":"down"}' });
  }
  const parsed = faultRequestSchema.safeParse(payload);
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    return sendJson(res, 400, { error: 'bad_request', message });
  }
  if (parsed.data.grant !== undefined && parsed.data.mode !== 'invalid_client') {
    return sendJson(res, 400, { error: 'bad_request', message: 'grant: only with mode "invalid_client"' });
  }
  sendJson(res, 200, faults.set(parsed.data.mode, parsed.data.delayMs, parsed.data.grant));
}
