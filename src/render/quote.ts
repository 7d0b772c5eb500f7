// The quoting helpers: the only way a value reaches a generated file. Each one turns
// any string into a literal of the target language, or refuses it.

/** A bash word that expands to exactly `value`: single quotes, with ' spelled '\''. */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new Error('a shell value cannot hold a NUL byte');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** A Dockerfile double-quoted string: ENV and LABEL expand $ and read \ escapes. */
export function dockerfileQuote(value: string): string {
  if (/[\x00-\x1f\x7f]/.test(value)) throw new Error('a Dockerfile value cannot hold control characters or newlines');
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

/** An HCL string literal: JSON escapes, and ${ / %{ doubled so they stay literal. */
export function hclQuote(value: string): string {
  return JSON.stringify(value).replaceAll('${', '$${').replaceAll('%{', '%%{');
}

/** Text inside a `#` comment: one line, no control characters. */
export function commentText(value: string): string {
  return value.replace(/[\x00-\x1f\x7f]/g, '?');
}
