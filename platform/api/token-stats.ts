// Counters behind the device API server's `GET /dev/stats`: what became of the access tokens that
// reached the API, so a test can prove for instance that no expired token ever did.
import {
  TOKEN_REJECTION_REASONS,
  type TokenCheckOutcome,
  type TokenRejectionReason,
} from './access-token.ts';

export interface DeviceApiStats {
  /** Requests whose token was valid and carried the needed scope. */
  accepted: number;
  /** Refused requests by reason; every reason is present, 0 when it never happened. */
  rejected: Record<TokenRejectionReason, number>;
  since: string;
}

function emptyStats(): DeviceApiStats {
  return {
    accepted: 0,
    rejected: Object.fromEntries(TOKEN_REJECTION_REASONS.map((reason) => [reason, 0])) as Record<
      TokenRejectionReason,
      number
    >,
    since: new Date().toISOString(),
  };
}

export class TokenCheckCounter {
  #stats = emptyStats();

  /** Pass as createDeviceApi's `onTokenCheck`. */
  readonly record = (outcome: TokenCheckOutcome): void => {
    if (outcome === 'accepted') this.#stats.accepted += 1;
    else this.#stats.rejected[outcome] += 1;
  };

  get current(): DeviceApiStats {
    return structuredClone(this.#stats);
  }

  reset(): void {
    this.#stats = emptyStats();
  }
}
