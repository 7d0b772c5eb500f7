// How a given value is shown back in an error: short, on one line, control characters
// made visible, and never a password (errors end up in CI logs).

const MAX_SHOWN = 60;

/** A URL scheme as a user may have typed it, in any case: `http:`, `HTTPS:`, `git+ssh:`. */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * Hide what could be a user name and password in a URL-ish value, by reading it the way
 * a lenient URL parser would: after the scheme (if any) and any run of slashes or
 * backslashes comes the authority, and an `@` ends its userinfo. Browsers and curl take
 * `http:user:pw@host`, `http:/user:pw@host` and `http:\\user:pw@host` as credentials too,
 * and a password may itself hold `/`, `?`, `#` or `@`, so everything up to the last `@`
 * is hidden: showing too little of a value is better than showing a password.
 */
export function redactCredentials(text: string): string {
  const at = text.lastIndexOf('@');
  if (at < 0) return text;
  const scheme = SCHEME.exec(text.trimStart())?.[0] ?? '';
  const lead = text.length - text.trimStart().length;
  let start = lead + scheme.length;
  while (text[start] === '/' || text[start] === '\\') start++;
  if (start > at) return text;
  return `${text.slice(0, start)}***${text.slice(at)}`;
}

/**
 * JSON-escaped (C0 controls, quotes, lone surrogates), plus DEL, C1 controls, line
 * separators and bidi overrides, which would still garble a terminal or hide text.
 */
function escapeForDisplay(text: string): string {
  return JSON.stringify(text).replace(
    /[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A value quoted for an error message: JSON-escaped, credentials hidden, at most ~60 characters. */
export function describeInput(input: unknown): string {
  if (typeof input === 'string') {
    const safe = redactCredentials(input);
    const chars = Array.from(safe);
    const shown = chars.length > MAX_SHOWN ? `${chars.slice(0, MAX_SHOWN - 3).join('')}...` : safe;
    return escapeForDisplay(shown);
  }
  if (input === null || input === undefined) return String(input);
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return `${typeof input} ${describeInput(String(input)).slice(1, -1)}`;
}

/**
 * A file or folder path for a message: as typed where that is plain text, JSON-quoted
 * and escaped where it holds control characters, quotes or backslashes (a folder named
 * `\n::error::x` must not become a line of a CI log). Never shortened, never redacted.
 */
export function describePath(path: string): string {
  const quoted = escapeForDisplay(path);
  return quoted === `"${path}"` && path !== '' && path.trim() === path ? path : quoted;
}
