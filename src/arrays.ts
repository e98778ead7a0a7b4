/**
 * Array helpers for lists that grow with the config or the workspace. A spread
 * into a call (`push(...items)`, `Math.max(...values)`) passes every item as an
 * argument on the stack and throws a RangeError past about 100,000 of them, so
 * such lists go through these loops instead (test/scale/no-spread.test.ts keeps
 * call spreads out of src/).
 */

/** Appends every item of each list to `target`, in order; returns `target`. */
export function append<T>(target: T[], ...lists: Iterable<T>[]): T[] {
  for (const list of lists) for (const item of list) target.push(item);
  return target;
}

/** The largest value, or `floor` when there is none larger. */
export function maxOf(values: Iterable<number>, floor: number): number {
  let max = floor;
  for (const value of values) if (value > max) max = value;
  return max;
}
