/**
 * Rule-driven changes told by rule, as a reviewer reads them ("rule `default-crm`:
 * 37 customers get Acme HubSpot, Acme Salesforce"), and the customer listing the
 * rules were resolved against, with its cost. Pure: plan in, lines out.
 */
import type { Change, CustomerListing } from '../plan/types.js';
import { escapeHtml, markdownCode, quote, revealHidden } from './escape.js';
import { formatCount, pluralize } from './numbers.js';

/** Markdown lists more customers than this inside a collapsed block. */
export const MARKDOWN_OPEN_CUSTOMERS = 20;
/** Markdown names at most this many customers of one group: the comment has a size limit. */
const MARKDOWN_MAX_CUSTOMERS = 500;

export interface RuleGroup {
  rule: string;
  /** The profiles each customer of the group gets, sorted. */
  profiles: string[];
  /** Customer keys, sorted. */
  customers: string[];
}

/** Assign and swap changes a rule made, by rule (in first-seen order) and by the set of profiles given. */
export function groupByRule(changes: readonly Change[]): RuleGroup[] {
  const byCustomer = new Map<string, Map<string, string[]>>();
  for (const change of changes) {
    if (change.kind !== 'assignment' || change.rule === undefined || change.reassert === true) continue;
    const rules = byCustomer.get(change.rule) ?? new Map<string, string[]>();
    const profiles = rules.get(change.customer) ?? [];
    profiles.push(change.profile);
    rules.set(change.customer, profiles);
    byCustomer.set(change.rule, rules);
  }
  const groups: RuleGroup[] = [];
  for (const rule of [...byCustomer.keys()].sort()) {
    const bySet = new Map<string, RuleGroup>();
    for (const [customer, profiles] of byCustomer.get(rule)!) {
      const sorted = [...profiles].sort();
      const key = JSON.stringify(sorted);
      const group = bySet.get(key) ?? { rule, profiles: sorted, customers: [] };
      group.customers.push(customer);
      bySet.set(key, group);
    }
    const sets = [...bySet.values()].sort((a, b) => b.customers.length - a.customers.length);
    for (const group of sets) {
      group.customers.sort();
      groups.push(group);
    }
  }
  return groups;
}

function headline(
  group: RuleGroup,
  code: (value: string) => string,
  name: (value: string) => string,
): string {
  const count = pluralize(group.customers.length, 'customer');
  const verb = group.customers.length === 1 ? 'gets' : 'get';
  return `rule ${code(group.rule)}: ${count} ${verb} ${group.profiles.map(name).join(', ')}`;
}

/** `rule `default-crm`: 37 customers get "Acme HubSpot", "Acme Salesforce"`, then the customers, wrapped. */
export function renderRuleGroupsText(
  groups: readonly RuleGroup[],
  wrap: (customers: string[]) => string[],
): string[] {
  if (groups.length === 0) return [];
  const lines = ['', 'By rule:'];
  for (const group of groups) {
    lines.push(`  ${headline(group, (v) => `\`${revealHidden(v)}\``, quote)}`);
    for (const line of wrap(group.customers)) lines.push(line);
  }
  return lines;
}

/** One block per group; more than MARKDOWN_OPEN_CUSTOMERS customers are collapsed in a <details>. */
export function renderRuleGroupsMarkdown(groups: readonly RuleGroup[]): string[] {
  if (groups.length === 0) return [];
  const blocks = ['### Changes by rule'];
  for (const group of groups) {
    const head = headline(group, markdownCode, markdownCode);
    const shown = group.customers.slice(0, MARKDOWN_MAX_CUSTOMERS).map(markdownCode);
    const rest = group.customers.length - shown.length;
    const list = `${shown.join(', ')}${rest > 0 ? `, and ${formatCount(rest)} more (all in the changes below and in plan --format json)` : ''}`;
    if (group.customers.length <= MARKDOWN_OPEN_CUSTOMERS) blocks.push(`- ${head}: ${list}`);
    else {
      blocks.push(
        `<details><summary>${escapeHtml(
          headline(
            group,
            (v) => `“${v}”`,
            (v) => `“${v}”`,
          ),
        )}</summary>\n\n${list}\n\n</details>`,
      );
    }
  }
  return blocks;
}

/** `Customer listing: 2 requests (the pages after the 2,500 customers listed before), 2,501 customers.` */
export function describeListing(listing: CustomerListing): string {
  const requests = pluralize(listing.pages, 'request');
  const customers = `${pluralize(listing.customers, 'customer')} in the workspace`;
  if (listing.mode === 'tail') {
    return `Customer listing (for the rules): ${requests}, only the pages after the customers listed before (in id order, checked), ${customers}.`;
  }
  const order = listing.asked
    ? `as --refresh-customers asks, ${listing.order === 'id' ? 'in id order' : 'not in id order'}`
    : listing.order === 'id'
      ? 'in id order'
      : 'not in id order, so the next plan lists them all again';
  const fellBack =
    listing.fellBack === undefined ? '' : ` The tail listing was tried and not used: ${listing.fellBack}.`;
  return `Customer listing (for the rules): ${requests}, every page (${order}), ${customers}.${fellBack}`;
}
