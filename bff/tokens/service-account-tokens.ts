import type { AuditLog } from '../audit.ts';
import type { ClientAuthMethod, OidcClient } from '../oidc/oidc-client.ts';
import type { ProviderProfile } from '../providers/index.ts';
import type { IdpCircuit } from './idp-circuit.ts';
import { classifyRefreshFailure, providerRetryAfterSeconds } from './refresh-failure.ts';
import { type ExpiryRules, estimateAccessTokenExpiry, renewalTiming } from './token-expiry.ts';
import type { TokenSource } from './token-source.ts';

/**
 * Why the service account has no token: `credentials` — the provider refused its client (a rotated
 * secret, a disabled client): a person must act; `idp_unavailable` — the provider could not be
 * reached or failed: it will pass. Automation jobs pause with this reason.
 */
export class ServiceAccountError extends Error {
  readonly code: 'credentials' | 'idp_unavailable';
  /** For `idp_unavailable`: when it is worth trying again, s. */
  readonly retryAfterSeconds: number;

  constructor(code: 'credentials' | 'idp_unavailable', message: string, retryAfterSeconds = 0) {
    super(message);
    this.name = 'ServiceAccountError';
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface ServiceAccountTokensOptions {
  oidc: Pick<OidcClient, 'clientCredentials'>;
  clientId: string;
  clientSecret: string;
  /** Unset: the first method the provider's discovery lists that we support. */
  clientAuth?: ClientAuthMethod | undefined;
  /** Scopes to ask for (the provider's default for the client when unset). */
  scope?: string | undefined;
  profile: ProviderProfile;
  /** Its own circuit: the service account's failures should not stop users' refreshes, nor the reverse. */
  circuit: IdpCircuit;
  expiryRules: ExpiryRules;
  /** Get a new token this long before the current one expires (capped at half its lifetime). */
  leewayMs: number;
  /** Only a token with less than this left makes a step wait for the new one. */
  safetyMarginMs: number;
  audit: AuditLog;
  /** Time one token request may take. */
  timeoutMs?: number;
}

interface HeldToken {
  accessToken: string;
  obtainedAt: number;
  expiresAt: number;
}

/**
 * The service account's access token (client credentials, RFC 6749 section 4.4), for automation
 * that must not depend on any user's session. The token is cached and renewed a minute before it
 * expires; however many job steps ask at once, one token request is made; a step whose call the API
 * refused (`invalid_token`) asks with `force` and gets a new one. Failures are classified like the
 * users' refreshes, and reported as `ServiceAccountError` so a job can pause for the right reason.
 */
export class ServiceAccountTokens implements TokenSource {
  readonly #o: ServiceAccountTokensOptions;
  #held: HeldToken | undefined;
  #inflight: Promise<HeldToken> | undefined;

  constructor(options: ServiceAccountTokensOptions) {
    this.#o = options;
  }

  async getAccessToken(options: { force?: boolean } = {}): Promise<string> {
    const held = this.#held;
    const now = Date.now();
    if (held && !options.force) {
      const timing = renewalTiming({
        ...held,
        now,
        leewayMs: this.#o.leewayMs,
        safetyMarginMs: this.#o.safetyMarginMs,
      });
      if (!timing.due) return held.accessToken;
      // Due but still valid for a while: renew in the background, serve this one meanwhile.
      if (!timing.mustWait) {
        this.#renew().catch(() => undefined); // a failure is classified for the next caller
        return held.accessToken;
      }
    }
    if (options.force && this.#inflight === undefined) this.#held = undefined;
    return (await this.#renew()).accessToken;
  }

  /** One token request at a time; callers racing for a token share it. */
  #renew(): Promise<HeldToken> {
    this.#inflight ??= this.#request().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #request(): Promise<HeldToken> {
    const permit = this.#o.circuit.permit();
    if (permit.kind === 'refused') {
      throw new ServiceAccountError(
        'idp_unavailable',
        'The identity provider is unavailable',
        permit.retryAfterSeconds,
      );
    }
    const requestedAt = Date.now();
    try {
      const tokens = await this.#o.oidc.clientCredentials(
        { clientId: this.#o.clientId, clientSecret: this.#o.clientSecret, method: this.#o.clientAuth },
        { scope: this.#o.scope, timeoutMs: this.#o.timeoutMs ?? 10_000 },
      );
      const { expiresAt } = estimateAccessTokenExpiry(tokens, requestedAt, this.#o.expiryRules);
      this.#o.circuit.success();
      this.#held = { accessToken: tokens.access_token, obtainedAt: requestedAt, expiresAt };
      this.#o.audit.record('service_account_token', {
        clientId: this.#o.clientId,
        expiresInSeconds: Math.round((expiresAt - requestedAt) / 1000),
      });
      return this.#held;
    } catch (error) {
      const failure = classifyRefreshFailure(error, this.#o.profile);
      this.#o.audit.record('service_account_token_failed', {
        clientId: this.#o.clientId,
        failure: failure.failure,
        oauthError: failure.oauthError,
        status: failure.status,
      });
      if (failure.failure === 'transient') {
        this.#o.circuit.failure('transient', providerRetryAfterSeconds(error));
        throw new ServiceAccountError(
          'idp_unavailable',
          'The identity provider is unavailable',
          this.#o.circuit.retryAfterSeconds(),
        );
      }
      // For a client there is no refresh token to lose: any refusal (invalid_client, invalid_scope,
      // unauthorized_client) means its registration or secret must be fixed by a person.
      this.#o.circuit.releaseProbe();
      throw new ServiceAccountError(
        'credentials',
        `The identity provider refused the service account (${failure.oauthError ?? 'no error code'})`,
      );
    }
  }
}
