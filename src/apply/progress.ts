/**
 * Progress of a long apply: at 60 requests a minute, 10,000 assignments take
 * hours. On a TTY one line redrawn in place; otherwise a log line every 10 s or
 * every 100 changes, so CI logs show life without flooding. The time left is the
 * plan's own estimate (src/plan/cost.ts) for the calls not yet made, so apply
 * starts from the figure the plan showed.
 */
import type { Bucket } from '../api/types.js';
import type { Io } from '../io.js';
import { estimateSeconds } from '../plan/cost.js';
import type { Outcome, Plan } from '../plan/types.js';
import { formatDuration } from '../render/cost.js';

export interface Progress {
  update(outcome: Outcome): void;
  finish(): void;
}

const LOG_EVERY_MS = 10_000;
const LOG_EVERY_CHANGES = 100;

export function createProgress(
  io: Io,
  plan: Pick<Plan, 'changes' | 'ratePerMinute'>,
  options: { callsLeft: () => Readonly<Record<Bucket, number>>; now?: () => number },
): Progress {
  const total = plan.changes.length;
  if (io.quiet || total === 0) return { update: () => {}, finish: () => {} };
  const now = options.now ?? Date.now;
  const started = now();
  const counts = { done: 0, failed: 0, skipped: 0 };
  let lastLog = started;
  let lastLoggedCount = 0;
  const finished = () => counts.done + counts.failed + counts.skipped;

  const line = (): string => {
    const elapsedMin = Math.max((now() - started) / 60_000, 1 / 60);
    const rate = Math.round(finished() / elapsedMin);
    const left = estimateSeconds({ apiCalls: options.callsLeft(), ratePerMinute: plan.ratePerMinute });
    const failures = counts.failed > 0 ? `, ${counts.failed} failed` : '';
    const skips = counts.skipped > 0 ? `, ${counts.skipped} skipped` : '';
    return `Applying: ${finished()}/${total} changes${failures}${skips}, ${rate}/min, about ${formatDuration(left)} left`;
  };

  return {
    update(outcome) {
      counts[outcome.status] += 1;
      if (io.isTTY) {
        io.err(`\r\x1b[2K${line()}`);
        return;
      }
      const count = finished();
      if (now() - lastLog >= LOG_EVERY_MS || count - lastLoggedCount >= LOG_EVERY_CHANGES) {
        io.err(`${line()}\n`);
        lastLog = now();
        lastLoggedCount = count;
      }
    },
    finish() {
      if (io.isTTY) io.err('\r\x1b[2K');
    },
  };
}
