/**
 * `${NAME}` references to environment variables. `$${` is a literal `${`; a `$`
 * anywhere else is kept as is, so URLs and ids with dollars need no escaping.
 */

export type Env = Readonly<Record<string, string | undefined>>;

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SINGLE_REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

export type InterpolationResult = { ok: true; value: string } | { ok: false; message: string };

/**
 * Replaces every `${NAME}` in `text` from `env`. An unset variable is an error: a
 * silently empty client id or URL would only fail later, far from its cause. A
 * variable set to the empty string counts as set (a prefix may well be empty);
 * the schema refuses the empty values that matter.
 */
export function interpolate(text: string, env: Env): InterpolationResult {
  if (!text.includes('$')) return { ok: true, value: text };
  let value = '';
  const unset: string[] = [];
  const invalid: string[] = [];
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) {
      value += text.slice(i);
      break;
    }
    value += text.slice(i, dollar);
    if (text.startsWith('$${', dollar)) {
      value += '${';
      i = dollar + 3;
    } else if (text.startsWith('${', dollar)) {
      const close = text.indexOf('}', dollar + 2);
      if (close < 0) {
        return { ok: false, message: 'unterminated ${ (write $${ for a literal ${)' };
      }
      const name = text.slice(dollar + 2, close);
      if (!VARIABLE_NAME.test(name)) invalid.push(name);
      else {
        const resolved = env[name];
        if (resolved === undefined) unset.push(name);
        else value += resolved;
      }
      i = close + 1;
    } else {
      value += '$';
      i = dollar + 1;
    }
  }
  if (invalid.length > 0) {
    const refs = invalid.map((name) => `'\${${name}}'`).join(', ');
    return {
      ok: false,
      message: `invalid variable reference ${refs}: a name has letters, digits and underscores and does not start with a digit (write $\${ for a literal \${)`,
    };
  }
  if (unset.length > 0) {
    const names = unset.join(', ');
    const verb = unset.length === 1 ? 'variable' : 'variables';
    return {
      ok: false,
      message: `environment ${verb} ${names} ${unset.length === 1 ? 'is' : 'are'} not set (write $\${ for a literal \${)`,
    };
  }
  return { ok: true, value };
}

/** The variable name when `text` is exactly one `${NAME}` reference, else undefined. */
export function parseSingleReference(text: string): string | undefined {
  return SINGLE_REFERENCE.exec(text)?.[1];
}

/** True when `text` holds at least one `${` that is not the `$${` escape. */
export function containsReference(text: string): boolean {
  return /(^|[^$])\$\{/.test(text);
}
