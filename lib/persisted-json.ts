import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Reads a JSON file, or creates it with `create()` on first use. Generated secrets live in the data
 * folder so that a restart keeps tokens and sessions valid. Written atomically and readable by the
 * owner only.
 */
export async function loadOrCreateJson<T>(
  path: string,
  create: () => Promise<T>,
  isValid: (value: unknown) => value is T,
): Promise<T> {
  try {
    const value: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (isValid(value)) return value;
    throw new Error(`${path} exists but does not hold what it should; move it away to regenerate it`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const value = await create();
  await writeJsonAtomically(path, value);
  return value;
}

export async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(value), { mode: 0o600 });
  await rename(temporary, path);
}
