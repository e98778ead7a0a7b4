import { describe, expect, it } from 'vitest';
import { estimateSeconds } from '../../src/plan/cost.js';
import { formatApiCalls, formatDuration } from '../../src/render/cost.js';

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [45, '45 s'],
    [59.4, '59 s'],
    [59.6, '1 min'],
    [60, '1 min'],
    [312, '5 min 12 s'],
    [3599, '59 min 59 s'],
    [3600, '1 h'],
    // Above an hour seconds are noise: rounded to the nearest minute.
    [10_000, '2 h 47 min'],
    [7170, '2 h'],
    [100_000, '27 h 47 min'],
  ])('shows %d seconds as %s', (seconds, shown) => {
    expect(formatDuration(seconds)).toBe(shown);
  });

  it('shows a negative or non-finite time (an ETA already due) as 0 s', () => {
    expect(formatDuration(-5)).toBe('0 s');
    expect(formatDuration(Number.NaN)).toBe('0 s');
  });
});

describe('estimateSeconds', () => {
  it('adds the buckets up, because profile steps run before assignment steps', () => {
    // 60 profile calls fit the first window; 300 embedded calls need four more windows.
    expect(estimateSeconds({ apiCalls: { profiles: 60, embedded: 300 }, ratePerMinute: 60 })).toBe(240);
    expect(estimateSeconds({ apiCalls: { profiles: 61, embedded: 300 }, ratePerMinute: 60 })).toBe(300);
  });

  it('is zero when every bucket fits in the first window', () => {
    expect(estimateSeconds({ apiCalls: { profiles: 4, embedded: 60 }, ratePerMinute: 60 })).toBe(0);
  });

  it('takes 10,000 embedded calls at 60/min to 2 h 46 min', () => {
    const seconds = estimateSeconds({ apiCalls: { profiles: 0, embedded: 10_000 }, ratePerMinute: 60 });
    expect(seconds).toBe(166 * 60);
    expect(formatDuration(seconds)).toBe('2 h 46 min');
  });

  it('rounds up to a whole second at an uneven rate', () => {
    expect(estimateSeconds({ apiCalls: { profiles: 0, embedded: 8 }, ratePerMinute: 7 })).toBe(60);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => estimateSeconds({ apiCalls: { profiles: 1, embedded: 0 }, ratePerMinute: 0 })).toThrow(
      RangeError,
    );
  });
});

describe('formatApiCalls', () => {
  it('says the calls per bucket and the least time the rate limit imposes', () => {
    expect(
      formatApiCalls({
        ...{ apiCalls: { profiles: 12, embedded: 300 }, ratePerMinute: 60 },
        leastSeconds: estimateSeconds({ apiCalls: { profiles: 12, embedded: 300 }, ratePerMinute: 60 }),
      }),
    ).toBe(
      'API calls: 312 (profiles 12, embedded 300), at least 4 min from the rate limit of 60/min per bucket.',
    );
    expect(
      formatApiCalls({
        ...{ apiCalls: { profiles: 0, embedded: 10_000 }, ratePerMinute: 60 },
        leastSeconds: estimateSeconds({ apiCalls: { profiles: 0, embedded: 10_000 }, ratePerMinute: 60 }),
      }),
    ).toBe(
      'API calls: 10,000 (profiles 0, embedded 10,000), at least 2 h 46 min from the rate limit of 60/min per bucket.',
    );
    expect(
      formatApiCalls({
        ...{ apiCalls: { profiles: 4, embedded: 18 }, ratePerMinute: 60 },
        leastSeconds: estimateSeconds({ apiCalls: { profiles: 4, embedded: 18 }, ratePerMinute: 60 }),
      }),
    ).toBe('API calls: 22 (profiles 4, embedded 18), within the rate limit of 60/min per bucket.');
  });
});
