import { describe, expect, it } from 'vitest';
import { JobsError } from './errors.ts';
import { allowedTransitions, jobStatuses, transitionKind } from './transitions.ts';

describe('job status transitions', () => {
  it('allows the lifecycle a job goes through, naming each event', () => {
    expect(transitionKind('queued', 'running')).toBe('started');
    expect(transitionKind('running', 'paused')).toBe('paused');
    expect(transitionKind('paused', 'queued')).toBe('resumed');
    expect(transitionKind('running', 'completed')).toBe('completed');
    expect(transitionKind('running', 'failed')).toBe('failed');
    expect(transitionKind('paused', 'cancelled')).toBe('cancelled');
  });

  it('refuses everything absent from the table with a stable code', () => {
    const refused = [
      ['completed', 'running'],
      ['cancelled', 'queued'],
      ['failed', 'running'],
      ['paused', 'running'],
      ['queued', 'paused'],
      ['running', 'queued'],
      ['completed', 'completed'],
    ] as const;
    for (const [from, to] of refused) {
      expect(() => transitionKind(from, to)).toThrow(expect.objectContaining({ code: 'illegal_transition' }));
    }
    expect(() => transitionKind('completed', 'running')).toThrow(JobsError);
  });

  it('lets nothing leave a finished status', () => {
    for (const finished of ['completed', 'failed', 'cancelled'] as const) {
      for (const to of jobStatuses) expect(allowedTransitions[finished][to]).toBeUndefined();
    }
  });
});
