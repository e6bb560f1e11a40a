import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DurableCoordinationStore } from './durable-store.ts';
import { coordinationKeys as keys } from './keys.ts';

const folders: string[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function folder(): string {
  const created = mkdtempSync(join(tmpdir(), 'durable-store-'));
  folders.push(created);
  return created;
}

describe('DurableCoordinationStore', () => {
  it('brings back what protects sessions after a reopen, but not locks', async () => {
    const path = folder();
    const first = await DurableCoordinationStore.open(path);
    await first.set(keys.endedBffSession('s1'), '1', 60_000);
    expect(await first.setIfAbsent(keys.backchannelJti('j1'), '1', 60_000)).toBe(true);
    await first.set(keys.refreshConsumed('digest'), '1', 60_000);
    expect(await first.setIfAbsent(keys.refreshLock('flight'), 'me', 60_000)).toBe(true);
    await first.set(keys.endedUser('gone'), '1', 60_000);
    await first.delete(keys.endedUser('gone'));
    await first.close();

    const second = await DurableCoordinationStore.open(path);
    expect(
      await second.getMany([
        keys.endedBffSession('s1'),
        keys.backchannelJti('j1'),
        keys.refreshConsumed('digest'),
        keys.refreshLock('flight'),
        keys.endedUser('gone'),
      ]),
    ).toEqual(['1', '1', '1', undefined, undefined]);
    expect(await second.setIfAbsent(keys.backchannelJti('j1'), '1', 60_000)).toBe(false);
    await second.close();
  });

  it('forgets entries whose time is up, in memory and in the file', async () => {
    const path = folder();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse('2026-06-01T00:00:00Z'));
    const first = await DurableCoordinationStore.open(path);
    await first.set(keys.endedBffSession('short'), '1', 1_000);
    await first.set(keys.endedBffSession('long'), '1', 3_600_000);
    await first.close();

    vi.setSystemTime(Date.parse('2026-06-01T00:00:05Z'));
    const second = await DurableCoordinationStore.open(path);
    expect(await second.get(keys.endedBffSession('short'))).toBeUndefined();
    expect(await second.get(keys.endedBffSession('long'))).toBe('1');
    expect(second.size).toBe(1);
    await second.close();
  });
});
