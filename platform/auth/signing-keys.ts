import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { loadOrCreateJson } from '../../lib/persisted-json.ts';

export interface AuthServerSecrets {
  /** Private JWKs the authorization server signs ID and access tokens with. */
  jwks: { keys: JWK[] };
  /** Keys for the authorization server's own cookies (newest first). */
  cookieKeys: string[];
}

function isAuthServerSecrets(value: unknown): value is AuthServerSecrets {
  const v = value as AuthServerSecrets;
  return Array.isArray(v?.jwks?.keys) && v.jwks.keys.length > 0 && Array.isArray(v.cookieKeys);
}

async function privateJwk(alg: 'RS256' | 'ES256'): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, alg, use: 'sig', kid: `${alg.toLowerCase()}-${randomBytes(6).toString('hex')}` };
}

/** Generated on first start and kept in the data folder, so tokens stay valid across a restart. */
export function loadOrCreateAuthServerSecrets(dataDir: string): Promise<AuthServerSecrets> {
  return loadOrCreateJson(
    join(dataDir, 'platform', 'auth-secrets.json'),
    async () => ({
      jwks: { keys: [await privateJwk('RS256'), await privateJwk('ES256')] },
      cookieKeys: [randomBytes(32).toString('base64url')],
    }),
    isAuthServerSecrets,
  );
}

// Private members of RSA, EC and OKP keys (and the secret of symmetric ones).
const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']);

/** The public half of the signing keys: what `/jwks` publishes, for verifying our own tokens in-process. */
export function publicJwks(jwks: AuthServerSecrets['jwks']): { keys: JWK[] } {
  return {
    keys: jwks.keys.map(
      (key) => Object.fromEntries(Object.entries(key).filter(([name]) => !PRIVATE_MEMBERS.has(name))) as JWK,
    ),
  };
}
