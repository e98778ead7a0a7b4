/**
 * What every backend's lock does once taken (local folder, git ref, s3 object): keep
 * it refreshed on a timer, one refresh at a time; abort `signal` with a sentence when
 * a refresh finds it taken over; check now on `verify()`; and on `release()` stop the
 * timer, let a refresh in flight end, then remove the claim. The backends differ only
 * in what a refresh and a removal are (the LockKeeper).
 */
import type { StateLock } from './lock.js';

export interface LockKeeper {
  /** Renews the claim; calls `lose` with the reason when another process has the lock. Never throws. */
  refresh(lose: (reason: string) => void): Promise<void>;
  /** True when verify() may skip a refresh because the claim was confirmed moments ago (a remote). */
  confirmedRecently?(): boolean;
  /** Gives the claim up at release; `lost`: the lock was found taken over. Never throws. */
  remove(lost: boolean): Promise<void>;
}

export function keepLock(keeper: LockKeeper, refreshMs: number): StateLock {
  const controller = new AbortController();
  let released = false;
  let refreshing: Promise<void> | undefined;

  const lose = (reason: string) => {
    if (!controller.signal.aborted) controller.abort(new Error(reason));
    clearInterval(timer);
  };
  const refresh = () => {
    refreshing = keeper.refresh(lose).finally(() => (refreshing = undefined));
    return refreshing;
  };
  const timer = setInterval(() => {
    if (!refreshing && !released) void refresh();
  }, refreshMs);
  timer.unref();

  return {
    signal: controller.signal,
    async verify() {
      if (released || controller.signal.aborted) return;
      while (refreshing) await refreshing;
      if (keeper.confirmedRecently?.()) return;
      await refresh();
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await refreshing?.catch(() => {});
      await keeper.remove(controller.signal.aborted);
    },
  };
}
