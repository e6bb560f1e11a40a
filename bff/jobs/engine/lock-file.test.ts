import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDirectoryLock } from './lock-file.ts';

const folders: string[] = [];
function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'jobs-lock-'));
  folders.push(folder);
  return join(folder, 'jobs');
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('the jobs database lock file', () => {
  it('refuses a second holder while the first is live, naming the folder, and frees on release', () => {
    const folder = tempFolder();
    const first = acquireDirectoryLock(folder);
    expect(readFileSync(first.path, 'utf8').split('\n')[0]).toBe(String(process.pid));
    expect(() => acquireDirectoryLock(folder)).toThrow(
      expect.objectContaining({ code: 'jobs_database_locked', message: expect.stringContaining(folder) }),
    );
    first.release();
    expect(existsSync(first.path)).toBe(false);
    acquireDirectoryLock(folder).release();
  });

  it('takes over a lock left by a process that died', () => {
    const folder = tempFolder();
    // A pid that existed and has exited: a finished child's.
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(`${folder}.lock`, `${deadPid}\nleft-behind\n`);
    const lock = acquireDirectoryLock(folder);
    expect(readFileSync(lock.path, 'utf8').split('\n')[0]).toBe(String(process.pid));
    lock.release();
  });

  it('does not remove a lock that another holder has taken since', () => {
    const folder = tempFolder();
    const lock = acquireDirectoryLock(folder);
    writeFileSync(lock.path, `${process.pid}\nsomeone-else\n`);
    lock.release();
    expect(existsSync(lock.path)).toBe(true);
  });
});
