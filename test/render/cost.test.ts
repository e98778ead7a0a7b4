import { describe, expect, it } from 'vitest';
import { estimateSeconds, formatApiCalls, formatDuration } from '../../src/render/cost.js';

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
    expect(estimateSeconds({ apiCalls: { profiles: 12, embedded: 300 }, ratePerMinute: 60 })).toBe(312);
  });

  it('takes 10,000 embedded calls at 60/min to 2 h 47 min', () => {
    const seconds = estimateSeconds({ apiCalls: { profiles: 0, embedded: 10_000 }, ratePerMinute: 60 });
    expect(seconds).toBe(10_000);
    expect(formatDuration(seconds)).toBe('2 h 47 min');
  });

  it('rounds up to a whole second at an uneven rate', () => {
    expect(estimateSeconds({ apiCalls: { profiles: 1, embedded: 6 }, ratePerMinute: 7 })).toBe(60);
    expect(estimateSeconds({ apiCalls: { profiles: 1, embedded: 0 }, ratePerMinute: 7 })).toBe(9);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => estimateSeconds({ apiCalls: { profiles: 1, embedded: 0 }, ratePerMinute: 0 })).toThrow(
      RangeError,
    );
  });
});

describe('formatApiCalls', () => {
  it('says the calls per bucket and the least time', () => {
    expect(formatApiCalls({ apiCalls: { profiles: 12, embedded: 300 }, ratePerMinute: 60 })).toBe(
      'API calls: 312 (profiles 12, embedded 300), at least 5 min 12 s at 60/min per bucket.',
    );
    expect(formatApiCalls({ apiCalls: { profiles: 0, embedded: 10_000 }, ratePerMinute: 60 })).toBe(
      'API calls: 10,000 (profiles 0, embedded 10,000), at least 2 h 47 min at 60/min per bucket.',
    );
  });
});
