import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oauth from 'oauth4webapi';
import { loadPlatformConfig, type PlatformConfig } from './config.ts';
import { type RunningPlatform, startPlatform } from './server.ts';

/**
 * Helpers for integration tests: a platform on ephemeral ports with its own data folder, and a
 * cookie-keeping HTTP client that follows the authorization server's redirects like a browser would.
 */

export interface TestPlatform extends RunningPlatform {
  config: PlatformConfig;
  dataDir: string;
  /** Closes the servers and deletes the data folder. */
  dispose(): Promise<void>;
}

/**
 * `env` is read like the real environment; `overrides` then replace parsed settings directly, e.g.
 * `{ firmwareUpdateMs: 0 }` for instant updates, without going through the variables' seconds.
 */
export async function startTestPlatform(
  env: Record<string, string> = {},
  overrides: Partial<Omit<PlatformConfig, 'dataDir'>> = {},
): Promise<TestPlatform> {
  const dataDir = env.DATA_DIR ?? (await mkdtemp(join(tmpdir(), 'iot-platform-')));
  const config: PlatformConfig = {
    ...loadPlatformConfig({ AUTH_PORT: '0', API_PORT: '0', ...env, DATA_DIR: dataDir }),
    ...overrides,
  };
  const platform = await startPlatform(config);
  return {
    ...platform,
    config,
    dataDir,
    async dispose() {
      await platform.close();
      if (!env.DATA_DIR) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A minimal browser: keeps cookies per host (ignoring path, fine for tests) and never auto-follows. */
export class CookieJarClient {
  readonly #jars = new Map<string, Map<string, string>>();

  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(target);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    const jar = this.#jar(target.host);
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || /expires=thu, 01 jan 1970/i.test(a),
      );
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  }

  /** Follows redirects until one leaves for `stopAtOrigin` (returned, not fetched) or a page answers. */
  async follow(url: string, stopAtOrigin?: string): Promise<{ response?: Response; location: string }> {
    let location = url;
    for (let hop = 0; hop < 10; hop++) {
      if (stopAtOrigin && new URL(location).origin === stopAtOrigin) return { location };
      const response = await this.fetch(location);
      const next = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !next) return { response, location };
      location = new URL(next, location).href;
    }
    throw new Error('too many redirects');
  }

  /** Another browser holding a copy of this one's cookies today (a stale tab, a stolen cookie). */
  copy(): CookieJarClient {
    const copy = new CookieJarClient();
    for (const [host, jar] of this.#jars) copy.#jars.set(host, new Map(jar));
    return copy;
  }

  cookieHeader(url: URL): string {
    return [...this.#jar(url.host)].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  cookies(host: string): Map<string, string> {
    return this.#jar(host);
  }

  #jar(host: string): Map<string, string> {
    let jar = this.#jars.get(host);
    if (!jar) {
      jar = new Map();
      this.#jars.set(host, jar);
    }
    return jar;
  }
}

/** Submits the platform's login form for the interaction the authorization URL leads to. */
export async function signInThroughForm(
  browser: CookieJarClient,
  authorizationUrl: string,
  username: string,
  password: string,
  appOrigin: string,
): Promise<string> {
  const { response: formPage, location: formUrl } = await browser.follow(authorizationUrl, appOrigin);
  if (!formPage) return formUrl; // already signed in at the authorization server: straight back to the app
  const html = await formPage.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no login form at ${formUrl} (status ${formPage.status})`);
  const submitted = await browser.fetch(new URL(action.replace(/&#47;/g, '/'), formUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }),
  });
  const next = submitted.headers.get('location');
  if (!next) throw new Error(`login failed with status ${submitted.status}`);
  const { location } = await browser.follow(new URL(next, formUrl).href, appOrigin);
  return location;
}

const insecure = { [oauth.allowInsecureRequests]: true } as const;

/** The BFF's client registration, driven with oauth4webapi exactly as a standards client would. */
export class TestOAuthClient {
  readonly browser = new CookieJarClient();

  readonly platform: TestPlatform;
  readonly as: oauth.AuthorizationServer;
  readonly client: oauth.Client;
  readonly clientAuth: oauth.ClientAuth;

  private constructor(
    platform: TestPlatform,
    as: oauth.AuthorizationServer,
    client: oauth.Client,
    clientAuth: oauth.ClientAuth,
  ) {
    this.platform = platform;
    this.as = as;
    this.client = client;
    this.clientAuth = clientAuth;
  }

  /**
   * Client authentication follows discovery like a standards client: `client_secret_basic` where
   * offered (strict profile), else `client_secret_post` (lenient). `auth` forces one.
   */
  static async forBff(
    platform: TestPlatform,
    { auth }: { auth?: 'client_secret_basic' | 'client_secret_post' } = {},
  ): Promise<TestOAuthClient> {
    const issuer = new URL(platform.issuer);
    const response = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure });
    const as = await oauth.processDiscoveryResponse(issuer, response);
    const { id, secret } = platform.config.bffClient;
    const method =
      auth ??
      (as.token_endpoint_auth_methods_supported?.includes('client_secret_basic') === false
        ? 'client_secret_post'
        : 'client_secret_basic');
    const clientAuth =
      method === 'client_secret_post' ? oauth.ClientSecretPost(secret) : oauth.ClientSecretBasic(secret);
    return new TestOAuthClient(platform, as, { client_id: id }, clientAuth);
  }

  get redirectUri(): string {
    return `${this.platform.config.appUrl}/bff/callback`;
  }

  /** Authorization code + PKCE through the platform's login form; returns the token response. */
  async signIn(username: string, password: string, scope = BFF_SCOPE) {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const url = new URL(String(this.as.authorization_endpoint));
    url.search = new URLSearchParams({
      client_id: this.client.client_id,
      response_type: 'code',
      redirect_uri: this.redirectUri,
      scope,
      state,
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    const callback = new URL(
      await signInThroughForm(this.browser, url.href, username, password, this.platform.config.appUrl),
    );
    const params = oauth.validateAuthResponse(this.as, this.client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(
      this.as,
      this.client,
      this.clientAuth,
      params,
      this.redirectUri,
      verifier,
      insecure,
    );
    const tokens = await oauth.processAuthorizationCodeResponse(this.as, this.client, response, {
      expectedNonce: nonce,
      requireIdToken: true,
    });
    return { tokens, callback };
  }

  async refresh(refreshToken: string) {
    const response = await oauth.refreshTokenGrantRequest(
      this.as,
      this.client,
      this.clientAuth,
      refreshToken,
      insecure,
    );
    return oauth.processRefreshTokenResponse(this.as, this.client, response);
  }

  /** The OAuth error code of a refresh attempt, or 'ok'. */
  async refreshOutcome(refreshToken: string): Promise<string> {
    try {
      await this.refresh(refreshToken);
      return 'ok';
    } catch (error) {
      if (error instanceof oauth.ResponseBodyError) return error.error;
      throw error;
    }
  }

  /** The userinfo claims for an access token, checked by oauth4webapi against `expectedSubject`. */
  async userInfo(accessToken: string, expectedSubject: string) {
    const response = await oauth.userInfoRequest(this.as, this.client, accessToken, insecure);
    return oauth.processUserInfoResponse(this.as, this.client, expectedSubject, response);
  }

  async revoke(token: string) {
    const response = await oauth.revocationRequest(this.as, this.client, this.clientAuth, token, insecure);
    return oauth.processRevocationResponse(response);
  }
}

export const BFF_SCOPE = 'openid profile offline_access devices:read devices:command jobs:run';

export { insecure as insecureRequests };
