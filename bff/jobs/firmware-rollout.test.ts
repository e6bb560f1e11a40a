import { describe, expect, it } from 'vitest';
import { mapLimited } from './device-commands.ts';
import { rolloutBatches } from './firmware-rollout.ts';

describe('rolloutBatches', () => {
  it('puts the canary first, then batches of batchSize', () => {
    expect(rolloutBatches(12, 2, 5)).toEqual([
      [0, 2],
      [2, 7],
      [7, 12],
    ]);
    expect(rolloutBatches(3, 5, 50)).toEqual([[0, 3]]);
    expect(rolloutBatches(10, 0, 4)).toEqual([
      [0, 4],
      [4, 8],
      [8, 10],
    ]);
    expect(rolloutBatches(0, 5, 50)).toEqual([]);
  });
});

describe('mapLimited', () => {
  it('keeps order and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const results = await mapLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
      return n * 10;
    });
    expect(results).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(most).toBe(3);
  });

  it('starts nothing new after a failure and waits for the work under way', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const failure = await mapLimited([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      await new Promise((resolve) => setImmediate(resolve));
      if (n === 2) throw new Error('paused');
      finished.push(n);
      return n;
    }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ message: 'paused' });
    expect(started).toEqual([1, 2, 3]);
    expect(finished).toEqual([1, 3]);
  });
});
