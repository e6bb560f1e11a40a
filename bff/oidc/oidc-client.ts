import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { BffError } from '../errors.ts';

export interface OidcClientOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Undefined: the first method the provider's discovery lists that we support. */
  clientAuth?: 'client_secret_basic' | 'client_secret_post' | undefined;
  redirectUri: string;
  scopes: string;
  /** Plain-http issuer (development). */
  allowHttp: boolean;
  fetch?: typeof fetch;
  /** Discovery attempts per call before answering idp_unavailable; backoff doubles from 200 ms. */
  discoveryAttempts?: number;
  /** Time budget of one request to the authorization server. */
  timeoutMs?: number;
}

/** A login transaction's secrets, kept in the sealed transaction cookie. */
export interface LoginSecrets {
  state: string;
  nonce: string;
  codeVerifier: string;
}

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** Network failures, timeouts, 5xx and 429 from the authorization server: worth retrying later. */
export function isTransientIdpFailure(error: unknown): boolean {
  if (error instanceof oauth.ResponseBodyError) return error.status >= 500 || error.status === 429;
  if (error instanceof oauth.OperationProcessingError) {
    const status = (error.cause as Response | undefined)?.status;
    return (
      error.code === oauth.RESPONSE_IS_NOT_JSON ||
      (typeof status === 'number' && (status >= 500 || status === 429))
    );
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) return false;
  // fetch's TypeError (connection refused/reset) and AbortSignal timeouts.
  return error instanceof TypeError || (error instanceof DOMException && /Timeout|Abort/.test(error.name));
}

export const idpUnavailable = (detail: string) =>
  new BffError('idp_unavailable', 503, `The identity provider is unavailable: ${detail}`, {
    'retry-after': '5',
  });

/**
 * The BFF's side of OpenID Connect, on oauth4webapi: discovery (retried while the authorization server
 * starts), authorization code + PKCE (RFC 7636) with state and nonce, the `iss` check of RFC 9207,
 * revocation (RFC 7009) and back-channel logout tokens (OIDC Back-Channel Logout 1.0, section 2.6).
 */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';
const SUPPORTED_CLIENT_AUTH: readonly ClientAuthMethod[] = ['client_secret_basic', 'client_secret_post'];

/**
 * The client authentication to use: the configured one, else the first method in the provider's
 * `token_endpoint_auth_methods_supported` that we support, else RFC 8414's default,
 * `client_secret_basic` (section 2). Some providers do not decode the form-encoded client id that
 * `client_secret_basic` requires (RFC 6749 section 2.3.1), so following discovery matters.
 */
export function chooseClientAuth(
  configured: ClientAuthMethod | undefined,
  as: Pick<oauth.AuthorizationServer, 'token_endpoint_auth_methods_supported'>,
): ClientAuthMethod {
  if (configured) return configured;
  const listed = as.token_endpoint_auth_methods_supported;
  if (!listed) return 'client_secret_basic';
  const match = listed.find((m): m is ClientAuthMethod =>
    SUPPORTED_CLIENT_AUTH.includes(m as ClientAuthMethod),
  );
  if (!match) {
    throw new BffError(
      'idp_misconfigured',
      503,
      `The identity provider supports none of our client authentication methods (${listed.join(', ')})`,
    );
  }
  return match;
}

/** oauth4webapi's client authentication for a method and secret. */
function clientAuthFor(method: ClientAuthMethod, secret: string): oauth.ClientAuth {
  return method === 'client_secret_post' ? oauth.ClientSecretPost(secret) : oauth.ClientSecretBasic(secret);
}

export class OidcClient {
  readonly #options: Required<Omit<OidcClientOptions, 'fetch' | 'clientAuth'>> & {
    fetch: typeof fetch;
    clientAuth: ClientAuthMethod | undefined;
  };
  readonly #client: oauth.Client;
  #metadata: Promise<oauth.AuthorizationServer> | undefined;
  #metadataLoaded = false;
  #jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(options: OidcClientOptions) {
    this.#options = {
      discoveryAttempts: 5,
      timeoutMs: 5000,
      ...options,
      clientAuth: options.clientAuth,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    };
    this.#client = { client_id: options.clientId };
  }

  /** The client authentication method in use (known once discovery has answered). */
  async clientAuthMethod(): Promise<ClientAuthMethod> {
    return chooseClientAuth(this.#options.clientAuth, await this.metadata());
  }

  async #clientAuth(as: oauth.AuthorizationServer): Promise<oauth.ClientAuth> {
    return clientAuthFor(chooseClientAuth(this.#options.clientAuth, as), this.#options.clientSecret);
  }

  get clientId(): string {
    return this.#options.clientId;
  }

  /** oauth4webapi options for every call: our fetch, a time budget, plain http only if allowed. */
  requestOptions(timeoutMs = this.#options.timeoutMs) {
    return {
      [oauth.customFetch]: this.#options.fetch,
      [oauth.allowInsecureRequests]: this.#options.allowHttp,
      signal: AbortSignal.timeout(timeoutMs),
    };
  }

  /** The authorization server's metadata (RFC 8414 / OIDC Discovery), fetched once and cached. */
  metadata(): Promise<oauth.AuthorizationServer> {
    this.#metadata ??= this.#discover().then(
      (metadata) => {
        this.#metadataLoaded = true;
        return metadata;
      },
      (error: unknown) => {
        this.#metadata = undefined; // the next caller tries again
        throw error;
      },
    );
    return this.#metadata;
  }

  /** True once discovery succeeded (readiness: sign-in and refresh can work). */
  get metadataLoaded(): boolean {
    return this.#metadataLoaded;
  }

  async #discover(): Promise<oauth.AuthorizationServer> {
    const issuer = new URL(this.#options.issuer);
    let lastError: unknown;
    for (let attempt = 0; attempt < this.#options.discoveryAttempts; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** (attempt - 1)));
      try {
        const response = await oauth.discoveryRequest(issuer, {
          algorithm: 'oidc',
          ...this.requestOptions(),
        });
        return await oauth.processDiscoveryResponse(issuer, response);
      } catch (error) {
        lastError = error;
        if (!isTransientIdpFailure(error)) break;
      }
    }
    if (isTransientIdpFailure(lastError)) throw idpUnavailable('discovery failed');
    throw new BffError('idp_misconfigured', 503, `OIDC discovery at ${issuer.href} failed`, {
      'retry-after': '30',
    });
  }

  static async newLoginSecrets(): Promise<LoginSecrets & { codeChallenge: string }> {
    const codeVerifier = oauth.generateRandomCodeVerifier();
    return {
      state: oauth.generateRandomState(),
      nonce: oauth.generateRandomNonce(),
      codeVerifier,
      codeChallenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    };
  }

  /** The authorization request (code + PKCE S256 + state + nonce), with `prompt` passed through. */
  async authorizationUrl(input: { state: string; nonce: string; codeChallenge: string; prompt?: string }) {
    const as = await this.metadata();
    if (!as.authorization_endpoint) throw new BffError('idp_misconfigured', 503, 'No authorization endpoint');
    const url = new URL(as.authorization_endpoint);
    url.search = new URLSearchParams({
      client_id: this.#options.clientId,
      response_type: 'code',
      redirect_uri: this.#options.redirectUri,
      scope: this.#options.scopes,
      state: input.state,
      nonce: input.nonce,
      code_challenge: input.codeChallenge,
      code_challenge_method: 'S256',
      ...(input.prompt ? { prompt: input.prompt } : {}),
    }).toString();
    return url;
  }

  /** Validates the callback (state, iss, error) and redeems the code; checks the ID token and nonce. */
  async exchangeCode(callbackUrl: URL, secrets: LoginSecrets) {
    const as = await this.metadata();
    const params = oauth.validateAuthResponse(as, this.#client, callbackUrl, secrets.state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      this.#client,
      await this.#clientAuth(as),
      params,
      this.#options.redirectUri,
      secrets.codeVerifier,
      this.requestOptions(),
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, this.#client, response, {
      expectedNonce: secrets.nonce,
      requireIdToken: true,
    });
    const claims = oauth.getValidatedIdTokenClaims(tokens);
    if (!claims) throw new BffError('bad_request', 400, 'The identity provider sent no ID token');
    return { tokens, claims };
  }

  /**
   * The UserInfo endpoint (OIDC Core 1.0, section 5.3) for claims the ID token lacks; the answer's
   * `sub` must match the ID token's (section 5.3.2). Undefined when the provider has no endpoint.
   */
  async userinfo(accessToken: string, expectedSubject: string): Promise<Record<string, unknown> | undefined> {
    const as = await this.metadata();
    if (!as.userinfo_endpoint) return undefined;
    const response = await oauth.userInfoRequest(as, this.#client, accessToken, this.requestOptions());
    return oauth.processUserInfoResponse(as, this.#client, expectedSubject, response);
  }

  /** The refresh token grant (RFC 6749 section 6) within `timeoutMs`. */
  async refresh(refreshToken: string, timeoutMs: number) {
    const as = await this.metadata();
    const response = await oauth.refreshTokenGrantRequest(
      as,
      this.#client,
      await this.#clientAuth(as),
      refreshToken,
      this.requestOptions(timeoutMs),
    );
    return oauth.processRefreshTokenResponse(as, this.#client, response);
  }

  /**
   * The client credentials grant (RFC 6749 section 4.4) for another confidential client of ours (the
   * service account), authenticated the way discovery lists first unless `method` forces one.
   */
  async clientCredentials(
    client: { clientId: string; clientSecret: string; method?: ClientAuthMethod | undefined },
    options: { scope?: string | undefined; timeoutMs: number },
  ) {
    const as = await this.metadata();
    const auth = clientAuthFor(chooseClientAuth(client.method, as), client.clientSecret);
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      { client_id: client.clientId },
      auth,
      new URLSearchParams(options.scope ? { scope: options.scope } : {}),
      this.requestOptions(options.timeoutMs),
    );
    return oauth.processClientCredentialsResponse(as, { client_id: client.clientId }, response);
  }

  /** Whether the provider has a revocation endpoint (RFC 7009; advertised per RFC 8414 section 2). */
  async supportsRevocation(): Promise<boolean> {
    return Boolean((await this.metadata()).revocation_endpoint);
  }

  /**
   * Revokes a refresh token (RFC 7009) within `timeoutMs`. Answers `unsupported` when the provider has
   * no revocation endpoint: the token then lives on at the provider until it expires.
   */
  async revoke(refreshToken: string, timeoutMs: number): Promise<'revoked' | 'unsupported'> {
    const as = await this.metadata();
    if (!as.revocation_endpoint) return 'unsupported';
    const response = await oauth.revocationRequest(
      as,
      this.#client,
      await this.#clientAuth(as),
      refreshToken,
      {
        ...this.requestOptions(timeoutMs),
        additionalParameters: { token_type_hint: 'refresh_token' },
      },
    );
    await oauth.processRevocationResponse(response);
    return 'revoked';
  }

  /**
   * RP-initiated logout URL (OIDC RP-Initiated Logout 1.0, section 2): identifies the client by
   * `client_id`; adds `id_token_hint` only when given (for providers that require it).
   */
  async endSessionUrl(postLogoutRedirectUri: string, idTokenHint?: string): Promise<string | undefined> {
    const as = await this.metadata();
    if (!as.end_session_endpoint) return undefined;
    const url = new URL(as.end_session_endpoint);
    url.searchParams.set('client_id', this.#options.clientId);
    url.searchParams.set('post_logout_redirect_uri', postLogoutRedirectUri);
    if (idTokenHint) url.searchParams.set('id_token_hint', idTokenHint);
    return url.href;
  }

  /** Validates a back-channel logout token (OIDC Back-Channel Logout 1.0, section 2.6). */
  async verifyLogoutToken(
    logoutToken: string,
  ): Promise<JWTPayload & { sid?: string; sub?: string; jti: string }> {
    const as = await this.metadata();
    if (!as.jwks_uri) throw new BffError('idp_misconfigured', 503, 'No jwks_uri in the metadata');
    this.#jwks ??= createRemoteJWKSet(new URL(as.jwks_uri));
    const { payload } = await jwtVerify(logoutToken, this.#jwks, {
      issuer: as.issuer,
      audience: this.#options.clientId,
      typ: 'logout+jwt',
      algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      requiredClaims: ['iat', 'jti', 'events'],
      maxTokenAge: '5m',
      clockTolerance: 30,
    });
    const events = payload.events as Record<string, unknown> | undefined;
    const event = events?.[BACKCHANNEL_EVENT];
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      throw new BffError('bad_request', 400, 'The logout token lacks the back-channel logout event');
    }
    if ('nonce' in payload) throw new BffError('bad_request', 400, 'A logout token must not carry a nonce');
    const sid = typeof payload.sid === 'string' ? payload.sid : undefined;
    const sub = typeof payload.sub === 'string' ? payload.sub : undefined;
    if (!sid && !sub) throw new BffError('bad_request', 400, 'A logout token must carry sid or sub');
    // A non-string jti would be stringified into one shared replay key ("[object Object]", "1").
    if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 256) {
      throw new BffError('bad_request', 400, 'A logout token must carry a string jti');
    }
    return { ...payload, sid, sub, jti: payload.jti };
  }
}
