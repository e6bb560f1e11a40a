import { scrypt, timingSafeEqual } from 'node:crypto';

export type Role = 'operator' | 'viewer';

export interface Account {
  sub: string;
  username: string;
  name: string;
  role: Role;
  /** `scrypt$N$r$p$salt$hash`, base64url parts; never the password itself. */
  passwordHash: string;
}

/** Scopes of the device API each role may be granted. */
export const ROLE_SCOPES: Record<Role, readonly string[]> = {
  operator: ['devices:read', 'devices:command', 'jobs:run'],
  viewer: ['devices:read'],
};

export const DEVICE_API_SCOPES = ['devices:read', 'devices:command', 'jobs:run'] as const;

/** The demo accounts (passwords equal the usernames). */
export const DEMO_ACCOUNTS: readonly Account[] = [
  {
    sub: 'usr-operator-0001',
    username: 'operator',
    name: 'Olivia Operator',
    role: 'operator',
    passwordHash: 'scrypt$16384$8$1$xUggjRdXs17V_VPek5RKvg$RE3-mDViQK-L5cFGtaU9u9xjNa683U7BIUEtJ8tU9y4',
  },
  {
    sub: 'usr-viewer-0001',
    username: 'viewer',
    name: 'Victor Viewer',
    role: 'viewer',
    passwordHash: 'scrypt$16384$8$1$-OFGLKapOA4wI-VBRdCA9w$iAku7dSjDej82XE7kDpdJfZgKQkjwH96NiMpVf0oZcM',
  },
];

export class AccountDirectory {
  readonly #bySub: Map<string, Account>;
  readonly #byUsername: Map<string, Account>;

  constructor(accounts: readonly Account[] = DEMO_ACCOUNTS) {
    this.#bySub = new Map(accounts.map((a) => [a.sub, a]));
    this.#byUsername = new Map(accounts.map((a) => [a.username, a]));
  }

  findBySub(sub: string): Account | undefined {
    return this.#bySub.get(sub);
  }

  /** Checks a username and password; the same work is done for unknown users so timing says nothing. */
  async authenticate(username: string, password: string): Promise<Account | undefined> {
    const account = this.#byUsername.get(username);
    const matches = await verifyPassword(
      password,
      account?.passwordHash ?? DEMO_ACCOUNTS[0]?.passwordHash ?? '',
    );
    return account && matches ? account : undefined;
  }
}

function scryptAsync(password: string, salt: Buffer, length: number, N: number, r: number, p: number) {
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, length, { N, r, p, maxmem: 64 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = encoded.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, +n, +r, +p);
  return timingSafeEqual(actual, expected);
}
