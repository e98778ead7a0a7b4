/**
 * Keeping secrets out of errors and logs. The client builds messages from its
 * own values (method, path, status) and never from the request; what it did
 * not write itself, server text (which may echo what it was sent) and
 * low-level causes, passes through here before it is stored or logged.
 */

export type Redact = (text: string) => string;

export const REDACTED = '[redacted]';
export const MIN_SECRET_LENGTH = 4;

/** Replaces every occurrence of the secrets, also in their JSON-escaped and URL-encoded forms. */
export function createRedactor(secrets: readonly (string | undefined)[]): Redact {
  const forms = new Set<string>();
  for (const secret of secrets) {
    // Shorter values cannot be told from ordinary words and would shred every
    // message they occur in; no real client secret or token is that short.
    if (secret === undefined || secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponentSafe(secret));
  }
  // Longest first, so a secret that contains another is replaced whole.
  const ordered = [...forms].filter((f) => f !== '').sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const form of ordered) out = out.split(form).join(REDACTED);
    return out;
  };
}

function encodeURIComponentSafe(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text;
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]+/g;

/**
 * Server-supplied text made fit for one line of a terminal: control characters
 * (ANSI escapes included) removed, whitespace collapsed, length bounded, secrets redacted.
 */
export function cleanServerText(text: string, redact: Redact, maxLength = 500): string {
  const oneLine = redact(text).replace(CONTROL_CHARACTERS, ' ').replace(/\s+/g, ' ').trim();
  return oneLine.length > maxLength ? `${oneLine.slice(0, maxLength - 1)}…` : oneLine;
}

const CAUSE_FIELDS = ['code', 'errno', 'syscall', 'hostname', 'address', 'port'] as const;

/**
 * A copy of an error chain that holds only name, message, stack and a few
 * diagnostic fields (code, syscall, host...). Low-level errors can hold the
 * socket, the request or its headers; a copy cannot carry them into
 * `util.inspect` or `JSON.stringify` output.
 */
export function sanitizeCause(error: unknown, redact: Redact, depth = 0): Error | undefined {
  if (error === undefined || error === null || depth > 4) return undefined;
  if (typeof error !== 'object') return new Error(redact(String(error)));
  const source = error as Record<string, unknown>;
  const message = typeof source['message'] === 'string' ? source['message'] : '';
  const nested = sanitizeCause(source['cause'], redact, depth + 1);
  const copy = new Error(redact(message), nested === undefined ? undefined : { cause: nested });
  copy.name = typeof source['name'] === 'string' ? source['name'] : 'Error';
  copy.stack =
    typeof source['stack'] === 'string' ? redact(source['stack']) : `${copy.name}: ${copy.message}`;
  for (const field of CAUSE_FIELDS) {
    const value = source[field];
    if (typeof value === 'string' || typeof value === 'number') {
      (copy as unknown as Record<string, unknown>)[field] = typeof value === 'string' ? redact(value) : value;
    }
  }
  return copy;
}
