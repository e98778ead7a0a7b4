// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the config syntax mutated.
/**
 * Seeded mutations of the three files users edit or keep: the config (YAML
 * text), the state and saved plan files (JSON, mutated as values and as text).
 * Every mutation starts from a real, valid file, so it lands near the paths the
 * readers take; a few are the hostile shapes issue 10 found (alias bombs, deep
 * nesting, a huge string, scrypt parameters that cost hours).
 */

const YAML_FRAGMENTS = [
  '&a',
  '*a',
  '&a [1, 2]',
  'x: *a',
  '<<: *a',
  '!!binary aGVsbG8=',
  '!!int 12',
  '!!map',
  '!!set',
  '!custom x',
  '? complex key',
  ': ',
  '- ',
  '---',
  '...',
  '%YAML 1.2\n---\n',
  '{',
  '}',
  '[',
  ']',
  '{}',
  '[]',
  '|',
  '>-',
  '"unterminated',
  "'unterminated",
  '"\\u0000\\x7f\\uD800"',
  '#',
  '${',
  '${}',
  '${UNSET_VARIABLE}',
  '${HUBSPOT_CLIENT_SECRET}',
  '$${HUBSPOT_CLIENT_SECRET}',
  '~',
  'null',
  '.nan',
  '-.inf',
  '0x1F',
  '1e400',
  '9007199254740993',
  '-0',
  'true',
  'yes',
  '2026-01-01',
  '__proto__: {}',
  '__proto__: 1',
  'constructor: 1',
  'toString: x',
  'version: 2',
  'version: "1"',
  'profiles: ',
  'profiles: []',
  'profiles: 1',
  'customers: {}',
  'customers: [1, null, "x"]',
  'workspace: []',
  'data_center: mars',
  'id: -1',
  'id: 1.5',
  'id: 99999999999999999999',
  'external_id: 12',
  'external_id: ""',
  'profiles: [[x]]',
  'provider: ""',
  'client_secret: plain-text-secret',
  'client_secret: [a]',
  'token: {}',
  'prevent_destroy: maybe',
  'previous_names: [Acme Zoom app, Acme Zoom app]',
  '\t- x',
  '\u0000',
  '\ufeff',
  '\ud800',
  'é€😀',
];

const CHARS = [
  ':',
  '-',
  '[',
  ']',
  '{',
  '}',
  ',',
  '&',
  '*',
  '!',
  '|',
  '>',
  '#',
  '"',
  "'",
  '\\',
  '$',
  ' ',
  '\t',
  '\n',
  '\r',
  '\0',
  '\u2028',
  '\ufeff',
  '\ud800',
  'x',
  '0',
];

function lines(text) {
  return text.split('\n');
}

/** One textual mutation of `text`, chosen with `r`; returns [label, text]. */
export function mutateText(text, r, fragments = YAML_FRAGMENTS) {
  const at = r.int(0, text.length);
  switch (r.int(0, 4)) {
    case 0:
      return ['flip a character', text.slice(0, at) + r.pick(CHARS) + text.slice(at + 1)];
    case 1:
      return ['insert a fragment', text.slice(0, at) + r.pick(fragments) + text.slice(at)];
    case 2:
      return ['delete a range', text.slice(0, at) + text.slice(at + r.int(1, 40))];
    case 3:
      return ['truncate', text.slice(0, at)];
    default: {
      const bytes = Array.from({ length: r.int(1, 16) }, () => String.fromCharCode(r.int(0, 0xffff)));
      return ['insert binary', text.slice(0, at) + bytes.join('') + text.slice(at)];
    }
  }
}

/** A mutated config and what was done to it. */
export function mutateConfig(text, r) {
  const ls = lines(text);
  const line = r.int(0, ls.length - 1);
  const pick = r.next();
  if (pick < 0.005) {
    const width = r.int(2, 10);
    const levels = r.int(5, 30);
    const defs = ['l0: &l0 [x, x]'];
    for (let i = 1; i <= levels; i++)
      defs.push(
        `l${i}: &l${i} [${Array(width)
          .fill(`*l${i - 1}`)
          .join(', ')}]`,
      );
    return [`billion laughs ${width}^${levels}`, `${text}\n${defs.join('\n')}\n`];
  }
  if (pick < 0.01) {
    const size = r.int(10, 100) * 1024;
    const uses = r.int(1000, 900_000);
    return [
      `${size} B string aliased ${uses} times`,
      `${text}\nbig: &big "${'x'.repeat(size)}"\nuses: [${'*big, '.repeat(Math.min(uses, 200_000))}*big]\n`,
    ];
  }
  if (pick < 0.03) {
    const depth = r.pick([50, 65, 500, 2000, 20_000, 100_000]);
    const style = r.pick(['flow-list', 'flow-map', 'block']);
    const nest =
      style === 'flow-list'
        ? `${'['.repeat(depth)}${']'.repeat(depth)}`
        : style === 'flow-map'
          ? `${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`
          : Array.from({ length: Math.min(depth, 3000) }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
    return [`${style} nested ${depth} deep`, `${text}\nx: ${style === 'block' ? '\n' : ''}${nest}\n`];
  }
  if (pick < 0.032) return ['a 20 MB string', `${text}\nbig: "${'y'.repeat(20 * 1024 * 1024)}"\n`];
  if (pick < 0.2) {
    ls.splice(line, 1);
    return [`delete line ${line + 1}`, ls.join('\n')];
  }
  if (pick < 0.3) {
    const times = r.int(1, 3);
    ls.splice(line, 0, ...Array(times).fill(ls[line]));
    return [`duplicate line ${line + 1} x${times}`, ls.join('\n')];
  }
  if (pick < 0.5) {
    ls.splice(line, 0, ' '.repeat(r.pick([0, 1, 2, 4, 6])) + r.pick(YAML_FRAGMENTS));
    return [`insert a line at ${line + 1}`, ls.join('\n')];
  }
  if (pick < 0.7) {
    const colon = ls[line].indexOf(': ');
    if (colon !== -1) {
      ls[line] = `${ls[line].slice(0, colon + 2)}${r.pick(YAML_FRAGMENTS)}`;
      return [`replace the value on line ${line + 1}`, ls.join('\n')];
    }
  }
  const [label, mutated] = mutateText(text, r);
  return [label, mutated];
}

const ODD_VALUES = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  2 ** 53 + 1,
  1e308,
  '',
  'x',
  '\u0000',
  [],
  [1, 'a', null],
  {},
  { a: 1 },
  '__proto__',
  'scrypt$16384$8$200$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  'scrypt$1048576$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  'scrypt$16384$8$1$x$y',
  'sha256:0000',
  999999999,
  'profile["x"]',
  '../../etc/passwd',
];

/** Every [parent, key] in a JSON value, for picking a place to mutate. */
function places(value, out = []) {
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      out.push([value, key]);
      places(value[key], out);
    }
  }
  return out;
}

/** A mutated JSON file (state or plan): a value changed, removed, duplicated or retyped, or the text itself. */
export function mutateJson(text, r) {
  if (r.chance(0.25))
    return mutateText(text, r, [
      '{',
      '}',
      '[',
      ']',
      ',',
      '"',
      ':',
      'null',
      '1e999',
      '"\\ud800"',
      '\u0000',
      '{"a":',
    ]);
  const value = JSON.parse(text);
  const all = places(value);
  const count = r.int(1, 3);
  const labels = [];
  for (let i = 0; i < count && all.length > 0; i++) {
    const [parent, key] = r.pick(all);
    const kind = r.int(0, 5);
    if (kind === 0) {
      labels.push(`delete ${key}`);
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else if (kind === 1 && typeof parent[key] === 'number') {
      const n = r.pick([0, -1, 1, parent[key] + 1, 2 ** 31, 2 ** 53 + 1, 1.5]);
      labels.push(`${key} = ${n}`);
      parent[key] = n;
    } else if (kind === 2 && typeof parent[key] === 'string' && parent[key].length > 0) {
      const s = parent[key];
      const at = r.int(0, s.length - 1);
      labels.push(`edit the string at ${key}`);
      parent[key] = s.slice(0, at) + r.pick(['x', '$', '0', '', '\u0000', 'A']) + s.slice(at + 1);
    } else if (kind === 3 && Array.isArray(parent[key]) && parent[key].length > 0) {
      labels.push(`duplicate an item of ${key}`);
      parent[key].push(structuredClone(r.pick(parent[key])));
    } else {
      const odd = structuredClone(r.pick(ODD_VALUES));
      labels.push(`${key} = ${JSON.stringify(odd)?.slice(0, 30)}`);
      parent[key] = odd;
    }
  }
  return [labels.join('; '), JSON.stringify(value, null, 2)];
}
