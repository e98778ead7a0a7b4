// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the config syntax under test.
/**
 * What validate says about assignment rules, offline: every problem at its
 * file:line:col, and the desired state a valid rules config becomes.
 */
import { describe, expect, it } from 'vitest';
import { compilePattern } from '../../src/config/selectors.js';
import { compileSelector } from '../../src/plan/selectors.js';
import { check, problemLines, yaml } from './helpers.js';

const PROFILES = yaml`
  version: 1
  profiles:
    HubSpot A: { provider: hubspot, client_id: a, client_secret: "\${HUBSPOT_CLIENT_SECRET}" }
    HubSpot B: { provider: hubspot, client_id: b, client_secret: "\${HUBSPOT_CLIENT_SECRET}" }
    Zoom: { provider: zoom, client_id: z, client_secret: "\${HUBSPOT_CLIENT_SECRET}" }
`;

describe('rules in validate', () => {
  it('a rules config needs no customers list, and becomes rules in the desired state', () => {
    const result = check(
      PROFILES +
        yaml`
      rules:
        - name: default
          all: true
          exclude: { external_id_matches: "test-.*", ids: [7] }
          profiles: [HubSpot A, Zoom]
    `,
    );
    expect(problemLines(result)).toEqual([]);
    expect(result.desired?.customers).toEqual([]);
    expect(result.desired?.rules).toEqual([
      {
        source: { file: 'test.yaml', line: 7, col: 5 },
        name: 'default',
        profiles: ['HubSpot A', 'Zoom'],
        select: { all: true },
        exclude: { externalIdMatches: 'test-.*', ids: [7] },
      },
    ]);
  });

  it('reports each problem of each rule at its line and column, and makes no desired state', () => {
    const result = check(
      PROFILES +
        yaml`
      rules:
        - name: one
          external_id_matches: "A[0-9"
          profiles: [Hubspot A]
        - name: one
          all: true
          ids: [4]
          profiles: [HubSpot A, HubSpot B]
        - name: three
          profiles: []
        - name: four
          name_matches: "(a+)+"
          exclude: { name_matches: "(" }
          profiles: [Zoom]
      customers: []
    `,
    );
    expect(result.desired).toBeUndefined();
    expect(problemLines(result)).toEqual([
      '8:26  rules[0].external_id_matches  not a valid regular expression (JavaScript, u flag): Unterminated character class',
      "9:16  rules[0].profiles[0]  unknown profile 'Hubspot A' (did you mean 'HubSpot A'?)",
      "10:11  rules[1].name  rule name 'one' is used twice (first at line 7): rule names must be unique",
      '12:5  rules[1].ids  a rule takes one selector, found all and ids: write two rules, or leave customers out with exclude',
      "13:27  rules[1].profiles[1]  two hubspot profiles in one rule: 'HubSpot A' (profiles[0]) and 'HubSpot B'; Workato allows one profile per application",
      '14:5  rules[2]  a rule needs one selector: all: true, external_id_matches, name_matches, ids or external_ids',
      '17:19  rules[3].name_matches  the group (a+)+ repeats a pattern that repeats itself, which can take exponential time to match: write it without the nesting, e.g. (ab)+ instead of (a+b)+',
      '18:30  rules[3].exclude.name_matches  not a valid regular expression (JavaScript, u flag): Unterminated group',
    ]);
  });

  it('finds the conflicts certain without the customer list, and leaves those an entry settles', () => {
    const result = check(
      PROFILES +
        yaml`
      rules:
        - name: default
          all: true
          profiles: [HubSpot A]
        - name: vip
          external_ids: [V1, V2, V3]
          profiles: [HubSpot B]
        - name: everyone-else
          all: true
          exclude: { external_ids: [V9] } # V1 is surely not V9
          profiles: [HubSpot B]
      customers:
        - external_id: V2
          profiles: [HubSpot B]
        - external_id: V3
          profiles: []
          exclude_rules: true
    `,
    );
    expect(problemLines(result)).toEqual([
      "12:16  rules[1].profiles[0]  rules 'default' (line 7) and 'vip' give two hubspot profiles, 'HubSpot A' and 'HubSpot B' to customer E:V1: Workato allows one per application; exclude them from one rule, or give them a hubspot profile in their customers entry",
      "16:16  rules[2].profiles[0]  rules 'default' (line 7) and 'everyone-else' give two hubspot profiles, 'HubSpot A' and 'HubSpot B' to customer E:V1: Workato allows one per application; exclude them from one rule, or give them a hubspot profile in their customers entry",
    ]);
  });

  it('two all rules without exclude conflict for every customer', () => {
    const result = check(
      PROFILES +
        yaml`
      rules:
        - name: a
          all: true
          profiles: [HubSpot A]
        - name: b
          all: true
          profiles: [HubSpot B, Zoom]
    `,
    );
    expect(problemLines(result)).toEqual([
      "12:16  rules[1].profiles[0]  rules 'a' (line 7) and 'b' both select every customer and give it two hubspot profiles, 'HubSpot A' and 'HubSpot B': Workato allows one per application; leave customers out of one rule with exclude",
    ]);
  });
});

describe('patterns', () => {
  it('match the whole value, with the u flag', () => {
    const picks = compileSelector({ externalIdMatches: 'A\\d+' });
    const at = (external_id: string | null) => picks({ id: 1, external_id, name: '' });
    expect([at('A12'), at('XA12'), at('A12-old'), at(null)]).toEqual([true, false, false, false]);
    expect(compileSelector({ nameMatches: 'Kunde .' })({ id: 1, external_id: null, name: 'Kunde ü' })).toBe(
      true,
    );
  });

  it('refuse nested unbounded repeats, and not the shapes that are safe', () => {
    for (const bad of ['(a+)+', '(\\w*x)*', '((ab)+)+', '(?:a|b+){2,}', '(a{1,}b)*']) {
      expect(compilePattern(bad).ok, bad).toBe(false);
    }
    for (const good of ['(ab)+', '(a|b)*', 'A\\d+.*', '(a+)?', '[(+]+', '\\(a+\\)+', '(ab){2,5}']) {
      expect(compilePattern(good).ok, good).toBe(true);
    }
    expect(compilePattern('a'.repeat(201))).toMatchObject({ ok: false });
  });
});
