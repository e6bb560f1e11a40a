import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadOrCreateJson } from '../lib/persisted-json.ts';

type Passwords = Record<string, string>;

function isPasswords(value: unknown): value is Passwords {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).length > 0 &&
    Object.values(value).every((v) => typeof v === 'string' && v.length >= 32)
  );
}

/**
 * Cookie secrets: the configured ones, or ones generated on first start and kept in the data folder,
 * so a restart of the embedded default signs nobody out.
 */
export async function resolveCookieSecrets(
  configured: Passwords | undefined,
  dataDir: string,
): Promise<Passwords> {
  if (configured) return configured;
  return loadOrCreateJson(
    join(dataDir, 'bff', 'cookie-secrets.json'),
    async () => ({ 1: randomBytes(32).toString('base64url') }),
    isPasswords,
  );
}
