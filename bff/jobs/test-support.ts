import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type CookieJarClient, csrfHeaders } from '../test-support.ts';

/** The platform's default secret of its automation client (the service account). */
export const AUTOMATION_SECRET = 'dev-only-automation-secret-change-me';

/**
 * A database of its own on the test PostgreSQL, so test files running side by side never see each
 * other's jobs or queues. Returns its URL and how to drop it.
 */
export async function freshTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DATABASE_URL is not set');
  const name = `jobs_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async drop() {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`never saw ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Reads `/bff/events` as the SPA does (fetch, not EventSource: the CSRF header). */
export async function listen(
  browser: CookieJarClient,
  url: string,
  signal: AbortSignal,
  onEvent: (event: string, data: string) => void,
): Promise<void> {
  const response = await browser.fetch(url, { headers: csrfHeaders, signal }).catch(() => undefined);
  const reader = response?.body?.getReader();
  if (!reader) return;
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
    if (chunk.done) return;
    buffer += decoder.decode(chunk.value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(frame)?.[1];
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      if (event && data) onEvent(event, data);
      end = buffer.indexOf('\n\n');
    }
  }
}

/** A token of the service account itself, to ask the device API what it knows. */
export async function serviceToken(issuer: string): Promise<string> {
  const metadata = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
    token_endpoint: string;
  };
  const response = await fetch(metadata.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'iot-automation',
      client_secret: AUTOMATION_SECRET,
      scope: 'devices:read',
    }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}
