import type Provider from 'oidc-provider';

/** Counters behind `GET /dev/stats`: what the BFF did to the authorization server. */
export interface AuthServerStats {
  /** Successful token requests by grant type. */
  tokenRequests: Record<string, number>;
  /** Failed token requests by grant type. */
  tokenErrors: Record<string, number>;
  /** A rotated refresh token presented again: the grant was revoked because of it. */
  refreshTokenReuse: number;
  revokedGrants: number;
  /** Successful RFC 7009 revocations. */
  revocations: number;
  backchannelLogouts: { delivered: number; failed: number };
  since: string;
}

function emptyStats(): AuthServerStats {
  return {
    tokenRequests: {},
    tokenErrors: {},
    refreshTokenReuse: 0,
    revokedGrants: 0,
    revocations: 0,
    backchannelLogouts: { delivered: 0, failed: 0 },
    since: new Date().toISOString(),
  };
}

interface EventContext {
  oidc?: { params?: Record<string, unknown> };
}

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

export class StatsRecorder {
  #stats = emptyStats();

  get current(): AuthServerStats {
    return structuredClone(this.#stats);
  }

  reset(): void {
    this.#stats = emptyStats();
  }

  /** A token request refused before oidc-provider saw it (the lenient profile's client auth check). */
  countTokenError(grantType: string): void {
    bump(this.#stats.tokenErrors, grantType);
  }

  /** oidc-provider emits no event for a successful revocation; the server counts its 200 answers. */
  countRevocation(): void {
    this.#stats.revocations += 1;
  }

  /** Subscribes to the provider's events. */
  attach(provider: Provider): void {
    const grantType = (ctx: EventContext) => String(ctx.oidc?.params?.grant_type ?? 'unknown');
    provider.on('grant.success', (ctx: EventContext) => bump(this.#stats.tokenRequests, grantType(ctx)));
    provider.on('grant.error', (ctx: EventContext, error: { error_detail?: string }) => {
      bump(this.#stats.tokenErrors, grantType(ctx));
      // oidc-provider's detail for a rotated refresh token presented twice (it then revokes the grant);
      // the client only ever sees a bare invalid_grant.
      if (error.error_detail === 'refresh token already used') this.#stats.refreshTokenReuse += 1;
    });
    provider.on('grant.revoked', () => {
      this.#stats.revokedGrants += 1;
    });
    provider.on('backchannel.success', () => {
      this.#stats.backchannelLogouts.delivered += 1;
    });
    provider.on('backchannel.error', () => {
      this.#stats.backchannelLogouts.failed += 1;
    });
  }
}
