import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listen } from '../lib/http-server.ts';
import {
  CookieJarClient,
  signInThroughForm,
  startTestPlatform,
  type TestPlatform,
} from '../platform/test-support.ts';
import type { BffDeps } from './app.ts';
import { type BffConfig, loadBffConfig } from './config.ts';
import type { CoordinationStore } from './coordination/coordination-store.ts';
import { type RunningBff, startBff } from './server.ts';
import { SessionCookieCodec, type SessionData } from './session/index.ts';

/**
 * A whole stack for integration tests: the real platform and the BFF on ephemeral loopback ports, a
 * cookie-keeping "browser", and the audit lines the BFF wrote.
 */
export type PlatformProfile = 'strict' | 'lenient';
export const PLATFORM_PROFILES: readonly PlatformProfile[] = ['strict', 'lenient'];

export interface TestStack {
  profile: PlatformProfile;
  platform: TestPlatform;
  bff: RunningBff;
  config: BffConfig;
  appUrl: string;
  audit: Record<string, unknown>[];
  cookieSecrets: Record<string, string>;
  /** Resolves once every refresh started so far (background ones too) has finished. */
  settled(): Promise<void>;
  dispose(): Promise<void>;
}

export const TEST_COOKIE_SECRETS = { 1: 'test-cookie-secret-number-one-0123456789' };

export async function startTestStack(
  options: {
    /** The platform's behaviour (AUTH_PROFILE); the BFF is configured as a user would for it. */
    profile?: PlatformProfile;
    platformEnv?: Record<string, string>;
    bffEnv?: Record<string, string>;
    deps?: BffDeps;
    /** Let the BFF generate its cookie secrets in the data folder, as the embedded default does. */
    generateCookieSecrets?: boolean;
  } = {},
): Promise<TestStack> {
  const bound = await listen('127.0.0.1', 0);
  const appUrl = `http://127.0.0.1:${bound.port}`;
  const profile = options.profile ?? 'strict';
  const platform = await startTestPlatform({
    APP_URL: appUrl,
    AUTH_PROFILE: profile,
    ...options.platformEnv,
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'iot-bff-'));
  const config = loadBffConfig({
    APP_URL: appUrl,
    OIDC_ISSUER: platform.issuer,
    API_UPSTREAM: platform.apiUrl,
    OIDC_CLIENT_SECRET: platform.config.bffClient.secret,
    DATA_DIR: dataDir,
    WEB_DIST: join(dataDir, 'no-spa-built'),
    // The lenient platform puts roles where Keycloak does.
    ...(profile === 'lenient' ? { OIDC_PROVIDER_PROFILE: 'keycloak' } : {}),
    ...options.bffEnv,
  });
  const audit: Record<string, unknown>[] = [];
  const cookieSecrets = config.cookieSecrets ?? options.deps?.cookieSecrets ?? TEST_COOKIE_SECRETS;
  const refreshes = new Set<Promise<unknown>>();
  const bff = await startBff(
    config,
    {
      ...(options.generateCookieSecrets ? {} : { cookieSecrets }),
      audit: { record: (event, fields = {}) => audit.push({ event, ...fields }) },
      observeRefresh: (refresh) => {
        refreshes.add(refresh);
        void refresh.finally(() => refreshes.delete(refresh));
      },
      ...options.deps,
    },
    bound,
  );
  const stack: TestStack = {
    profile,
    platform,
    bff,
    config,
    appUrl,
    audit,
    cookieSecrets,
    async settled() {
      while (refreshes.size > 0) await Promise.allSettled([...refreshes]);
    },
    async dispose() {
      // The BFF running now (a test may have restarted it).
      await stack.bff.close();
      await platform.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Starts a BFF login; returns the authorization URL it redirected to. */
export async function startLogin(stack: TestStack, browser: CookieJarClient, query: string): Promise<string> {
  const login = await browser.fetch(`${stack.appUrl}/bff/login?${query}`);
  const authorizationUrl = login.headers.get('location');
  if (login.status !== 302 || !authorizationUrl) throw new Error(`login answered ${login.status}`);
  return authorizationUrl;
}

/** Signs in at the platform for a started login; returns the callback URL (not yet fetched). */
export function authorizeAtPlatform(
  stack: TestStack,
  browser: CookieJarClient,
  authorizationUrl: string,
  username: string,
): Promise<string> {
  return signInThroughForm(browser, authorizationUrl, username, username, stack.appUrl);
}

/** The browser's side of signing in through the BFF; returns where the app finally sent it. */
export async function signInThroughBff(
  stack: TestStack,
  browser: CookieJarClient,
  username: string,
  returnTo = '/',
): Promise<{ landedOn: string; callbackResponse: Response }> {
  const authorizationUrl = await startLogin(stack, browser, `returnTo=${encodeURIComponent(returnTo)}`);
  const callbackResponse = await browser.fetch(
    await authorizeAtPlatform(stack, browser, authorizationUrl, username),
  );
  return { landedOn: callbackResponse.headers.get('location') ?? '', callbackResponse };
}

/** Opens the sealed session cookie the way the BFF does (tests only: to find the tokens it holds). */
export async function unsealSessionCookie(stack: TestStack, browser: CookieJarClient): Promise<SessionData> {
  const codec = new SessionCookieCodec({ passwords: stack.cookieSecrets });
  const cookies = browser.cookies(new URL(stack.appUrl).host);
  const request = new Request(stack.appUrl, {
    headers: { cookie: [...cookies].map(([n, v]) => `${n}=${v}`).join('; ') },
  });
  const { Hono } = await import('hono');
  let session: SessionData | undefined;
  await new Hono()
    .get('*', async (c) => {
      session = await codec.read(c);
      return c.body(null, 204);
    })
    .fetch(request);
  if (!session) throw new Error('no readable session cookie');
  return session;
}

export const csrfHeaders = { 'x-csrf': '1' } as const;

/**
 * A BFF fetch for a provider that sends no `expires_in`: the BFF then falls back to its configured
 * lifetimes, so only the API can tell that a token expired.
 */
export const fetchWithoutExpiresIn: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const url = input instanceof Request ? input.url : String(input);
  if (!url.endsWith('/token') || !response.ok) return response;
  const { expires_in: _dropped, ...body } = await response.json();
  return Response.json(body, { status: response.status });
};

/**
 * A coordination store as a networked one behaves: each instance its own client over one shared
 * backing store, every call taking a round trip, so interleavings a real network allows happen here.
 */
export class LatencyStore implements CoordinationStore {
  readonly #backing: CoordinationStore;
  readonly #latencyMs: number;

  constructor(backing: CoordinationStore, latencyMs: number) {
    this.#backing = backing;
    this.#latencyMs = latencyMs;
  }

  async #trip<T>(call: () => Promise<T>): Promise<T> {
    await sleep(this.#latencyMs / 2);
    const result = await call();
    await sleep(this.#latencyMs / 2);
    return result;
  }

  get(key: string) {
    return this.#trip(() => this.#backing.get(key));
  }
  getMany(keys: readonly string[]) {
    return this.#trip(() => this.#backing.getMany(keys));
  }
  set(key: string, value: string, ttlMs: number) {
    return this.#trip(() => this.#backing.set(key, value, ttlMs));
  }
  setIfAbsent(key: string, value: string, ttlMs: number) {
    return this.#trip(() => this.#backing.setIfAbsent(key, value, ttlMs));
  }
  delete(key: string) {
    return this.#trip(() => this.#backing.delete(key));
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export { CookieJarClient };
