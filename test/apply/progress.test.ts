import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/apply/progress.js';
import { planCost } from '../../src/plan/cost.js';
import { type AssignmentChange, assignmentAddress, type Outcome } from '../../src/plan/types.js';
import { formatDuration } from '../../src/render/cost.js';
import { memoryIo } from '../memory-io.js';

function assigns(n: number): AssignmentChange[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: 'assignment',
    action: 'assign',
    address: assignmentAddress(String(i + 1), 'P'),
    customer: String(i + 1),
    profile: 'P',
  }));
}

describe('createProgress', () => {
  it('starts from the time the plan showed, for the same calls', () => {
    const changes = assigns(312);
    const plan = { changes, ...planCost(changes, 60) };
    const io = memoryIo({ quiet: false, isTTY: true });
    const left = { ...plan.apiCalls };
    const progress = createProgress(io, plan, { callsLeft: () => left, now: () => 0 });
    left.embedded -= 1;
    progress.update({ status: 'done', change: changes[0]! });
    expect(plan.leastSeconds).toBe(300);
    expect(io.stderr).toContain(`about ${formatDuration(300)} left`);
  });

  it('counts skipped changes as skipped, not failed', () => {
    const changes = assigns(3);
    const io = memoryIo({ quiet: false, isTTY: true });
    const progress = createProgress(
      io,
      { changes, ratePerMinute: 60 },
      {
        callsLeft: () => ({ profiles: 0, embedded: 0 }),
        now: () => 0,
      },
    );
    const outcomes: Outcome[] = [
      { status: 'done', change: changes[0]! },
      { status: 'failed', change: changes[1]!, reason: 'x' },
      { status: 'skipped', change: changes[2]!, reason: 'y' },
    ];
    for (const outcome of outcomes) progress.update(outcome);
    const last = io.stderr.split('\r\u001b[2K').at(-1);
    expect(last).toMatch(/^Applying: 3\/3 changes, 1 failed, 1 skipped, /);
  });

  it('without a terminal, logs a plain line every 100 changes; --quiet logs nothing', () => {
    const changes = assigns(250);
    const io = memoryIo({ quiet: false });
    const progress = createProgress(
      io,
      { changes, ratePerMinute: 60 },
      {
        callsLeft: () => ({ profiles: 0, embedded: 0 }),
        now: () => 0,
      },
    );
    for (const change of changes) progress.update({ status: 'done', change });
    progress.finish();
    const lines = io.stderr.trimEnd().split('\n');
    expect(lines.map((l) => l.split(' ')[1])).toEqual(['100/250', '200/250']);
    expect(io.stderr).not.toContain('\r');

    const quiet = memoryIo({ quiet: true });
    const silent = createProgress(
      quiet,
      { changes, ratePerMinute: 60 },
      { callsLeft: () => ({ profiles: 0, embedded: 0 }) },
    );
    silent.update({ status: 'done', change: changes[0]! });
    expect(quiet.stderr).toBe('');
  });
});
