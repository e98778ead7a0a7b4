/**
 * Progress of a long apply: at 60 requests a minute, 10,000 assignments take
 * hours. On a TTY one line redrawn in place; otherwise a log line every 10 s or
 * every 100 changes, so CI logs show life without flooding.
 */
import type { Io } from '../io.js';
import { formatDuration } from '../render/cost.js';
import type { Outcome } from './execute.js';

export interface Progress {
  update(outcome: Outcome): void;
  finish(): void;
}

const LOG_EVERY_MS = 10_000;
const LOG_EVERY_CHANGES = 100;

export function createProgress(
  io: Io,
  total: number,
  options: { ratePerMinute: number; callsLeft: () => number; now?: () => number },
): Progress {
  if (io.quiet || total === 0) return { update: () => {}, finish: () => {} };
  const now = options.now ?? Date.now;
  const started = now();
  let done = 0;
  let failed = 0;
  let lastLog = started;
  let lastLoggedCount = 0;

  const line = (): string => {
    const elapsedMin = Math.max((now() - started) / 60_000, 1 / 60);
    const rate = Math.round((done + failed) / elapsedMin);
    const eta = formatDuration(Math.ceil((options.callsLeft() / options.ratePerMinute) * 60));
    const failures = failed > 0 ? `, ${failed} failed` : '';
    return `Applying: ${done + failed}/${total} changes${failures}, ${rate}/min, about ${eta} left`;
  };

  return {
    update(outcome) {
      if (outcome.status === 'done') done += 1;
      else failed += 1;
      if (io.isTTY) {
        io.err(`\r\x1b[2K${line()}`);
        return;
      }
      const count = done + failed;
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
