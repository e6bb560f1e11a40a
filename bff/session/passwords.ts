/** Passwords (keys) for sealing, by id: the highest id seals, every id unseals. That is key rotation. */
export type SealPasswords = Readonly<Record<string, string>>;

export const MIN_PASSWORD_LENGTH = 32;

/**
 * Checks and copies the password map. Ids are positive integers without leading zeros, small enough
 * to survive iron-session's `Number(id)` round trip. The copy has no prototype, so a seal naming a
 * key id like `constructor` can never pick up an inherited property. Messages never show a secret.
 */
export function parsePasswords(passwords: Record<string, string>): SealPasswords {
  if (typeof passwords !== 'object' || passwords === null) {
    throw new TypeError('Session cookie passwords must be an object like { "1": "<secret>" }.');
  }
  const entries = Object.entries(passwords);
  if (entries.length === 0) {
    throw new RangeError('Session cookie passwords: at least one { "<id>": "<secret>" } is required.');
  }
  const checked: Record<string, string> = Object.create(null);
  for (const [id, secret] of entries) {
    if (!/^[1-9][0-9]{0,8}$/.test(id)) {
      throw new RangeError(`Session cookie password id "${id}" must be a positive integer (1 to 999999999).`);
    }
    if (typeof secret !== 'string' || secret.length < MIN_PASSWORD_LENGTH) {
      throw new RangeError(
        `Session cookie password ${id} must be a string of at least ${MIN_PASSWORD_LENGTH} characters.`,
      );
    }
    checked[id] = secret;
  }
  return Object.freeze(checked);
}
