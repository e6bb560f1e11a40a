// Bearer access-token checks for the device API: RFC 9068 JWT access tokens presented as in
// RFC 6750, with its challenges, plus the Facebook-style expiry answer some clients must cope with.
import type { MiddlewareHandler } from 'hono';
import { errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { ApiError } from './api-error.ts';

export interface AccessTokenClaims {
  sub: string;
  clientId: string;
  scopes: readonly string[];
  roles: readonly string[];
  /** The whole verified payload, for handlers that need more. */
  payload: JWTPayload;
}

export type DeviceApiEnv = { Variables: { token: AccessTokenClaims } };

export type ExpiredTokenStyle = 'bearer' | 'facebook';

/** Why a request's access token was refused; one per row of the README's access-token table. */
export const TOKEN_REJECTION_REASONS = [
  'missing',
  'malformed',
  'expired',
  'bad_signature',
  'unknown_key',
  'disallowed_algorithm',
  'wrong_issuer',
  'wrong_audience',
  'wrong_type',
  'missing_claim',
  'not_yet_valid',
  'invalid_claims',
  'insufficient_scope',
  'keys_unavailable',
] as const;

export type TokenRejectionReason = (typeof TOKEN_REJECTION_REASONS)[number];

/** What became of a request's access token: accepted, or refused for a reason. */
export type TokenCheckOutcome = 'accepted' | TokenRejectionReason;

export interface AccessTokenPolicy {
  issuer: string;
  audience: string;
  getKey: JWTVerifyGetKey;
  realm: string;
  clockToleranceSeconds: number;
  expiredTokenStyle: ExpiredTokenStyle;
  now: () => number;
  /** Told the outcome of every token check (development counters); optional. */
  onTokenCheck?: (outcome: TokenCheckOutcome) => void;
}

/** An ApiError that remembers why the token was refused, so the middleware can report it once. */
class TokenRejection extends ApiError {
  readonly reason: TokenRejectionReason;

  constructor(reason: TokenRejectionReason, error: ApiError) {
    super(error.status, error.code, error.message, error.headers);
    this.reason = reason;
  }
}

const ALGORITHMS = ['RS256', 'ES256', 'PS256', 'EdDSA'];
// RFC 9068 section 2.2 makes these required; `aud` and `iss` are checked by value anyway.
const REQUIRED_CLAIMS = ['exp', 'iat', 'sub', 'client_id', 'jti'];
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

function bearerChallenge(realm: string, params: Record<string, string> = {}): string {
  const attributes = Object.entries({ realm, ...params }).map(([key, value]) => `${key}="${value}"`);
  return `Bearer ${attributes.join(', ')}`;
}

function invalidToken(policy: AccessTokenPolicy, description: string): ApiError {
  return new ApiError(401, 'invalid_token', description, {
    'WWW-Authenticate': bearerChallenge(policy.realm, {
      error: 'invalid_token',
      error_description: description,
    }),
  });
}

function expiredToken(policy: AccessTokenPolicy, exp: unknown, nowMs: number): ApiError {
  if (policy.expiredTokenStyle === 'bearer' || typeof exp !== 'number') {
    return invalidToken(policy, 'The access token expired');
  }
  const nowSeconds = Math.floor(nowMs / 1000);
  const description = `Error validating access token: Session has expired at unix time ${exp}. The current unix time is ${nowSeconds}.`;
  return new ApiError(400, 'invalid_token', description, {
    'WWW-Authenticate': `OAuth "Facebook Platform" "invalid_token" "${description}"`,
  });
}

/** The token from `Authorization: Bearer …`; `undefined` when there is none (or another scheme). */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer(?:\s+(.*))?$/i.exec(header.trim());
  const token = match?.[1]?.trim();
  return token ? token : undefined;
}

// Fixed descriptions: jose's messages contain quotes, which a challenge's quoted-string cannot hold.
function describeFailure(error: errors.JOSEError): [TokenRejectionReason, string] {
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing')
      return ['missing_claim', `The access token lacks the ${error.claim} claim`];
    switch (error.claim) {
      case 'iss':
        return ['wrong_issuer', 'The access token was issued by an unexpected issuer'];
      case 'aud':
        return ['wrong_audience', 'The access token is not meant for this API'];
      case 'typ':
        return ['wrong_type', 'The token is not an access token (typ must be at+jwt)'];
      case 'nbf':
      case 'iat':
        return ['not_yet_valid', 'The access token is not valid yet'];
      default:
        return ['invalid_claims', 'The access token has invalid claims'];
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return ['bad_signature', 'The access token signature is invalid'];
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return ['unknown_key', 'The access token was signed with an unknown key'];
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return ['disallowed_algorithm', 'The access token uses a disallowed algorithm'];
  }
  return ['malformed', 'The access token is malformed'];
}

function claimsFrom(policy: AccessTokenPolicy, payload: JWTPayload): AccessTokenClaims {
  const { sub, client_id: clientId, scope, roles } = payload;
  const rolesValid =
    roles === undefined || (Array.isArray(roles) && roles.every((r) => typeof r === 'string'));
  if (
    typeof sub !== 'string' ||
    typeof clientId !== 'string' ||
    (scope !== undefined && typeof scope !== 'string') ||
    !rolesValid
  ) {
    throw new TokenRejection('invalid_claims', invalidToken(policy, 'The access token has invalid claims'));
  }
  return {
    sub,
    clientId,
    scopes: typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [],
    roles: (roles as string[] | undefined) ?? [],
    payload,
  };
}

async function verify(policy: AccessTokenPolicy, token: string): Promise<AccessTokenClaims> {
  const nowMs = policy.now();
  try {
    const { payload } = await jwtVerify(token, policy.getKey, {
      issuer: policy.issuer,
      audience: policy.audience,
      typ: 'at+jwt',
      algorithms: ALGORITHMS,
      requiredClaims: REQUIRED_CLAIMS,
      clockTolerance: policy.clockToleranceSeconds,
      currentDate: new Date(nowMs),
    });
    return claimsFrom(policy, payload);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (error instanceof errors.JWTExpired && error.claim === 'exp')
      throw new TokenRejection('expired', expiredToken(policy, error.payload.exp, nowMs));
    // An unreachable or broken key set is our outage, not a bad token: answering invalid_token would
    // send clients into needless refreshes.
    if (
      error instanceof errors.JWKSTimeout ||
      error instanceof errors.JWKSInvalid ||
      !(error instanceof errors.JOSEError)
    ) {
      console.error('device-api: cannot verify access tokens:', error);
      throw new TokenRejection(
        'keys_unavailable',
        new ApiError(503, 'auth_unavailable', 'Access tokens cannot be verified right now', {
          'Retry-After': '5',
        }),
      );
    }
    const [reason, description] = describeFailure(error);
    throw new TokenRejection(reason, invalidToken(policy, description));
  }
}

async function checkToken(
  policy: AccessTokenPolicy,
  header: string | undefined,
  scope: string,
): Promise<AccessTokenClaims> {
  const token = bearerToken(header);
  if (token === undefined) {
    throw new TokenRejection(
      'missing',
      new ApiError(401, 'unauthenticated', 'A bearer access token is required', {
        'WWW-Authenticate': bearerChallenge(policy.realm),
      }),
    );
  }
  if (!B64TOKEN.test(token)) {
    throw new TokenRejection('malformed', invalidToken(policy, 'The access token is malformed'));
  }
  const claims = await verify(policy, token);
  if (!claims.scopes.includes(scope)) {
    throw new TokenRejection(
      'insufficient_scope',
      new ApiError(403, 'insufficient_scope', `This request needs the ${scope} scope`, {
        'WWW-Authenticate': bearerChallenge(policy.realm, { error: 'insufficient_scope', scope }),
      }),
    );
  }
  return claims;
}

/**
 * Verifies the bearer token, refuses it with 403 insufficient_scope unless it grants `scope`, and puts
 * its claims in the context as `token`. Each outcome is reported to `policy.onTokenCheck`.
 */
export function requireAccessToken(
  policy: AccessTokenPolicy,
  scope: string,
): MiddlewareHandler<DeviceApiEnv> {
  return async (c, next) => {
    let claims: AccessTokenClaims;
    try {
      claims = await checkToken(policy, c.req.header('Authorization'), scope);
    } catch (error) {
      if (error instanceof TokenRejection) policy.onTokenCheck?.(error.reason);
      throw error;
    }
    policy.onTokenCheck?.('accepted');
    c.set('token', claims);
    await next();
  };
}
