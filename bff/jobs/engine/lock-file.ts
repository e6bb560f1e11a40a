import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { JobsError } from './errors.ts';

export interface DirectoryLock {
  readonly path: string;
  release(): void;
}

/**
 * An exclusive lock file beside a folder that only one process may open (PGlite: two processes on
 * one folder do not fail, their writes silently diverge). Created with O_EXCL and holding our pid;
 * a lock whose pid is dead is stale and taken over; a live one (this process included) refuses.
 */
export function acquireDirectoryLock(folder: string): DirectoryLock {
  const path = `${folder}.lock`;
  const token = `${process.pid}\n${randomUUID()}\n`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, token);
      } finally {
        closeSync(fd);
      }
      return {
        path,
        release: () => {
          // Only our own lock: a takeover by another process must not be undone by a late close.
          if (readLock(path) === token) unlinkSync(path);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readLock(path)?.split('\n')[0] ?? '', 10);
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new JobsError(
          'jobs_database_locked',
          `The jobs database folder ${folder} is in use by process ${holder} (lock file ${path}).`,
        );
      }
      // Stale (the holder died, or the file is unreadable): remove it and try once more.
      try {
        unlinkSync(path);
      } catch (unlinkError) {
        if ((unlinkError as NodeJS.ErrnoException).code !== 'ENOENT') throw unlinkError;
      }
    }
  }
  throw new JobsError('jobs_database_locked', `Could not take the lock file ${path} for ${folder}.`);
}

function readLock(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
