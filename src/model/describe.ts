// How a given value is shown back in an error: short, on one line, control characters
// made visible, and never a password (errors end up in CI logs).

const MAX_SHOWN = 60;

/** Replace `user:password@` (or `user@`) after a scheme with `***@`. */
export function redactCredentials(text: string): string {
  return text.replace(/(\/\/)[^/?#\s]*@/g, '$1***@');
}

/** A value quoted for an error message: JSON-escaped, credentials hidden, at most ~60 characters. */
export function describeInput(input: unknown): string {
  if (typeof input === 'string') {
    const safe = redactCredentials(input);
    const chars = Array.from(safe);
    const shown = chars.length > MAX_SHOWN ? `${chars.slice(0, MAX_SHOWN - 3).join('')}...` : safe;
    // JSON escapes C0 controls; DEL, C1 controls, line separators and bidi overrides
    // would still garble a terminal or hide text, so they are escaped too.
    return JSON.stringify(shown).replace(/[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, (c) =>
      `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  }
  if (input === null || input === undefined) return String(input);
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return `${typeof input} ${describeInput(String(input)).slice(1, -1)}`;
}
