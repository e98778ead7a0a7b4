/**
 * Whether a rule's selector (or its exclude) picks a customer. Pure. Patterns are
 * anchored as `^(?:PATTERN)$` with the `u` flag, and were checked by validate
 * (src/config/selectors.ts).
 */
import type { CustomerSelector } from '../config/types.js';

/** The fields a customer is selected by, as the listing gives them. */
export interface SelectableCustomer {
  readonly id: number;
  readonly external_id: string | null;
  readonly name: string;
}

/** A predicate for `selector`; its patterns must have passed compilePattern (validate checks them). */
export function compileSelector(selector: CustomerSelector): (customer: SelectableCustomer) => boolean {
  const tests: ((customer: SelectableCustomer) => boolean)[] = [];
  if (selector.all === true) tests.push(() => true);
  if (selector.externalIdMatches !== undefined) {
    const regex = new RegExp(`^(?:${selector.externalIdMatches})$`, 'u');
    tests.push((c) => c.external_id !== null && regex.test(c.external_id));
  }
  if (selector.nameMatches !== undefined) {
    const regex = new RegExp(`^(?:${selector.nameMatches})$`, 'u');
    tests.push((c) => regex.test(c.name));
  }
  if (selector.ids !== undefined) {
    const ids = new Set(selector.ids);
    tests.push((c) => ids.has(c.id));
  }
  if (selector.externalIds !== undefined) {
    const externalIds = new Set(selector.externalIds);
    tests.push((c) => c.external_id !== null && externalIds.has(c.external_id));
  }
  // An exclude picks a customer any of its selectors picks; a rule has exactly one.
  return (customer) => tests.some((test) => test(customer));
}
