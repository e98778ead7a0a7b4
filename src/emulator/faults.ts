/**
 * Fault injection, so that tests can show the client survives what the real
 * network and API do: latency, 5xx, 429, connections reset mid-request, and the
 * worst one for a non-idempotent create: the change applied but the answer lost.
 * Every random choice comes from a seeded PRNG, so a failing test fails again.
 */
import { isRecord } from '../json.js';

/**
 * `before`: the fault replaces the request; nothing changes.
 * `after`: the request is applied (and saved), then its answer is replaced or lost.
 */
export type FaultTiming = 'before' | 'after';

/** One step of a scripted sequence; consumed by the next request it matches. */
export interface ScriptedFault {
  /** Only a request with this method matches (case-insensitive). */
  method?: string;
  /** Only a request whose raw path (query included) starts with this matches. */
  path?: string;
  /** Answer with this status instead; without `status` or `reset` the step lets the request through. */
  status?: number;
  /** Seconds, sent as the Retry-After header. */
  retryAfter?: number;
  /** Body to answer with; default `{"message": ...}` for the status. */
  body?: unknown;
  /** Destroy the connection without an answer. */
  reset?: boolean;
  /** Extra delay for this request, added to `latencyMs`. */
  delayMs?: number;
  /** Default: the options' `when`. */
  when?: FaultTiming;
}

export interface FaultOptions {
  /** Probability (0..1) that a request is answered with `errorStatus`. */
  errorRate?: number;
  /** Default 503. */
  errorStatus?: number;
  /** Probability (0..1) that a request's connection is destroyed without an answer. */
  resetRate?: number;
  /** Delay added to every request: fixed, or uniform in [min, max]. */
  latencyMs?: number | readonly [number, number];
  /** When random and scripted faults strike; default `before`. */
  when?: FaultTiming;
  /**
   * Consumed in order: only the first remaining step is considered, and a
   * request that does not match it passes (so "the next POST fails" works).
   * A request that consumes a step is not subject to the random rates.
   */
  script?: readonly ScriptedFault[];
  /** PRNG seed; default 1. */
  seed?: number;
}

export type FaultAction =
  | { kind: 'respond'; status: number; body: unknown; retryAfter?: number; when: FaultTiming }
  | { kind: 'reset'; when: FaultTiming };

export interface FaultDecision {
  delayMs: number;
  action?: FaultAction;
}

const STATUS_MESSAGES: Record<number, string> = {
  429: 'Too many requests',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

export function describeStatus(status: number): string {
  return STATUS_MESSAGES[status] ?? 'Injected fault';
}

/** mulberry32: tiny, fast, and good enough to pick faults; not for secrets. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkRate(value: unknown, name: string, problems: string[]) {
  if (value !== undefined && (typeof value !== 'number' || !(value >= 0 && value <= 1))) {
    problems.push(`${name} must be a number from 0 to 1`);
  }
}

function checkMs(value: unknown, name: string, problems: string[]) {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
    problems.push(`${name} must be a non-negative number`);
  }
}

function checkStatus(value: unknown, name: string, problems: string[]) {
  if (
    value !== undefined &&
    (!Number.isInteger(value) || (value as number) < 200 || (value as number) > 599)
  ) {
    problems.push(`${name} must be an HTTP status from 200 to 599`);
  }
}

function checkWhen(value: unknown, name: string, problems: string[]) {
  if (value !== undefined && value !== 'before' && value !== 'after') {
    problems.push(`${name} must be "before" or "after"`);
  }
}

/**
 * Validates fault options (from code or the control endpoint's JSON body).
 * Throws RangeError listing every problem.
 */
export function parseFaultOptions(value: unknown): FaultOptions {
  const problems: string[] = [];
  if (!isRecord(value)) throw new RangeError('fault options must be a JSON object');
  const known = ['errorRate', 'errorStatus', 'resetRate', 'latencyMs', 'when', 'script', 'seed'];
  for (const key of Object.keys(value))
    if (!known.includes(key)) problems.push(`unknown fault option ${key}`);
  checkRate(value['errorRate'], 'errorRate', problems);
  checkRate(value['resetRate'], 'resetRate', problems);
  checkStatus(value['errorStatus'], 'errorStatus', problems);
  checkWhen(value['when'], 'when', problems);
  const latency = value['latencyMs'];
  if (Array.isArray(latency)) {
    const [min, max] = latency as unknown[];
    if (latency.length !== 2 || typeof min !== 'number' || typeof max !== 'number' || min < 0 || max < min) {
      problems.push('latencyMs must be a number or [min, max] with 0 <= min <= max');
    }
  } else {
    checkMs(latency, 'latencyMs', problems);
  }
  const seed = value['seed'];
  if (seed !== undefined && !Number.isInteger(seed)) problems.push('seed must be an integer');
  const script = value['script'];
  if (script !== undefined) {
    if (!Array.isArray(script)) problems.push('script must be an array');
    else
      script.forEach((step: unknown, i) => {
        checkStep(step, `script[${i}]`, problems);
      });
  }
  if (problems.length > 0) throw new RangeError(problems.join('; '));
  return value as FaultOptions;
}

function checkStep(step: unknown, at: string, problems: string[]) {
  if (!isRecord(step)) {
    problems.push(`${at} must be an object`);
    return;
  }
  const known = ['method', 'path', 'status', 'retryAfter', 'body', 'reset', 'delayMs', 'when'];
  for (const key of Object.keys(step)) if (!known.includes(key)) problems.push(`${at}: unknown field ${key}`);
  for (const key of ['method', 'path'] as const) {
    if (step[key] !== undefined && typeof step[key] !== 'string')
      problems.push(`${at}.${key} must be a string`);
  }
  checkStatus(step['status'], `${at}.status`, problems);
  checkMs(step['retryAfter'], `${at}.retryAfter`, problems);
  checkMs(step['delayMs'], `${at}.delayMs`, problems);
  checkWhen(step['when'], `${at}.when`, problems);
  if (step['reset'] !== undefined && typeof step['reset'] !== 'boolean')
    problems.push(`${at}.reset must be a boolean`);
  if (step['reset'] === true && step['status'] !== undefined)
    problems.push(`${at}: reset and status exclude each other`);
}

/** Decides, request by request, what goes wrong. Replace it (setFaults) to change the faults. */
export class FaultInjector {
  private readonly script: ScriptedFault[];
  private readonly random: () => number;
  /** A separate stream, so that adding latency does not change which requests fail. */
  private readonly latencyRandom: () => number;

  constructor(private readonly options: FaultOptions = {}) {
    parseFaultOptions(options);
    this.script = [...(options.script ?? [])];
    const seed = options.seed ?? 1;
    this.random = createRandom(seed);
    this.latencyRandom = createRandom(seed ^ 0x5bd1e995);
  }

  /** Steps not consumed yet. */
  get pendingSteps(): number {
    return this.script.length;
  }

  decide(method: string, path: string): FaultDecision {
    const when = this.options.when ?? 'before';
    const delayMs = this.latency();
    const step = this.script[0];
    if (step && matches(step, method, path)) {
      this.script.shift();
      const stepWhen = step.when ?? when;
      const total = delayMs + (step.delayMs ?? 0);
      if (step.reset) return { delayMs: total, action: { kind: 'reset', when: stepWhen } };
      if (step.status === undefined) return { delayMs: total };
      return {
        delayMs: total,
        action: {
          kind: 'respond',
          status: step.status,
          body: step.body ?? { message: describeStatus(step.status) },
          ...(step.retryAfter === undefined ? {} : { retryAfter: step.retryAfter }),
          when: stepWhen,
        },
      };
    }
    const resetRate = this.options.resetRate ?? 0;
    const errorRate = this.options.errorRate ?? 0;
    if (resetRate + errorRate === 0) return { delayMs };
    // One draw per request decides both, so the sequence depends only on the seed and the request count.
    const draw = this.random();
    if (draw < resetRate) return { delayMs, action: { kind: 'reset', when } };
    if (draw < resetRate + errorRate) {
      const status = this.options.errorStatus ?? 503;
      return {
        delayMs,
        action: { kind: 'respond', status, body: { message: describeStatus(status) }, when },
      };
    }
    return { delayMs };
  }

  private latency(): number {
    const latency = this.options.latencyMs;
    if (latency === undefined) return 0;
    if (typeof latency === 'number') return latency;
    const [min, max] = latency;
    return min + this.latencyRandom() * (max - min);
  }
}

function matches(step: ScriptedFault, method: string, path: string): boolean {
  if (step.method !== undefined && step.method.toUpperCase() !== method.toUpperCase()) return false;
  if (step.path !== undefined && !path.startsWith(step.path)) return false;
  return true;
}
