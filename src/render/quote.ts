// The quoting helpers: the only way a value reaches a generated file. Each one turns
// any string into a literal of the target language, or refuses it.

const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * The words bash needs no quotes for. The generated script's dry run prints a word bare
 * when it matches this too (its PLAIN_WORD setting), and quoted as this module quotes it
 * otherwise, so the root ledger spells each command as the dry run prints it.
 */
export const PLAIN_WORD = '^[A-Za-z0-9_@%+=:,./-]+$';
const plainWord = new RegExp(PLAIN_WORD);

/** A bash word that expands to exactly `value`: single quotes, with ' spelled '\''. */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new Error('a shell value cannot hold a NUL byte');
  if (plainWord.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function scriptName(name: string): string {
  if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`"${commentText(name)}" is not a setting of the script`);
  return name;
}

/** A variable of the running script, as a word or part of one: "$ROOTFS". */
export const shellVariable = (name: string): string => `"$${scriptName(name)}"`;

/** A variable of the running script inside a double-quoted string: ${ROOTFS}. */
export const shellBracedVariable = (name: string): string => `\${${scriptName(name)}}`;

/** Every item of an array of the running script, each its own word: "${INCLUDE[@]}". */
export const shellArrayItems = (name: string): string => `"\${${scriptName(name)}[@]}"`;

/**
 * A shell word on a Dockerfile RUN line: shell-quoted, and on one line, since a newline
 * (even inside quotes) would end the instruction and start another.
 */
export function dockerfileRunWord(value: string): string {
  if (CONTROL.test(value)) throw new Error('a Dockerfile RUN word cannot hold control characters or newlines');
  return shellQuote(value);
}

/**
 * A shell word on a Dockerfile RUN line in which the platform's own args, and nothing
 * else, expand: the tarball of the platform being built ('rootfs-'"${TARGETARCH}"...).
 */
export function dockerfileRunPlatformWord(value: string): string {
  return value
    .split(PLATFORM_ARGS)
    .map((part, i) => (i % 2 === 1 ? `"${part}"` : part === '' ? '' : dockerfileRunWord(part)))
    .join('');
}

/**
 * A Dockerfile double-quoted string (ENV, LABEL). BuildKit's word lexer takes \ before
 * ", $ and \ as an escape and leaves every other \ as it is, so escaping those three
 * keeps the value literal; a newline would end the instruction, so it is refused.
 */
export function dockerfileQuote(value: string): string {
  if (CONTROL.test(value)) throw new Error('a Dockerfile value cannot hold control characters or newlines');
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

/** The build platform's args, which a multi-platform base Dockerfile declares itself. */
const PLATFORM_ARGS = /(\$\{TARGETARCH\}|\$\{TARGETVARIANT\})/;

/**
 * A Dockerfile double-quoted string in which the platform's own args, and nothing
 * else, expand: a label of a multi-platform image that names its platform's file.
 */
export function dockerfilePlatformQuote(value: string): string {
  const parts = value.split(PLATFORM_ARGS);
  return `"${parts.map((part, i) => (i % 2 === 1 ? part : dockerfileQuote(part).slice(1, -1))).join('')}"`;
}

/**
 * One item of a Dockerfile exec-form (JSON) list. ADD and COPY expand variables and
 * quotes in their JSON items too, while CMD does not, so no single escaping is right for
 * both: items are limited to characters that mean the same everywhere.
 */
export function dockerfileListItem(value: string): string {
  // The build platform's args, which a multi-platform base Dockerfile declares itself,
  // are the only expansions allowed: ADD picks each platform's tarball with them.
  const plain = value.replaceAll('${TARGETARCH}', '').replaceAll('${TARGETVARIANT}', '');
  if (!/^[A-Za-z0-9_.+/:=@%,-]+$/.test(plain)) {
    throw new Error(`"${commentText(value)}" cannot be an item of a Dockerfile exec-form list`);
  }
  return `"${value}"`;
}

const HCL_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * An HCL string literal: HCL's escapes (\" \\ \n \r \t \uNNNN), other control characters
 * as \uNNNN, and ${ / %{ doubled so they stay literal instead of interpolating.
 */
export function hclQuote(value: string): string {
  if (/\p{Surrogate}/u.test(value)) throw new Error('an HCL string cannot hold a lone surrogate');
  let out = '';
  for (const ch of value) {
    out += HCL_ESCAPES[ch] ?? (CONTROL.test(ch) ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : ch);
  }
  // A function replacer: in a replacement string, $$ would mean a single $.
  return `"${out.replace(/([$%])\{/g, (_, sigil: string) => `${sigil}${sigil}{`)}"`;
}

/** Text inside a `#` comment: one line, no control characters. */
export function commentText(value: string): string {
  return value.replace(/[\x00-\x1f\x7f]/g, '?');
}

/**
 * A quoted here-document (`<< 'FENCE'`, then the body, then FENCE): bash takes every byte
 * of the body as it is. The body must end with a newline and no line of it may be the
 * fence, or the document would end early; bash cannot hold NUL bytes.
 */
export function shellHeredoc(fence: string, body: string): string {
  if (!/^[A-Z][A-Z0-9_]*$/.test(fence)) throw new Error(`"${commentText(fence)}" cannot end a here-document`);
  if (body.includes('\0')) throw new Error('a here-document cannot hold a NUL byte');
  if (!body.endsWith('\n') || body.split('\n').includes(fence)) throw new Error(`the here-document body would not end at ${fence}`);
  return `<< '${fence}'\n${body}${fence}`;
}

/** CMD and ENTRYPOINT in exec form: a JSON list, which they take as it is (no variables, no quotes removed). */
export function dockerfileExecForm(values: readonly string[]): string {
  for (const v of values) if (CONTROL.test(v)) throw new Error('a CMD or ENTRYPOINT item cannot hold control characters or newlines');
  return `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
}

/** A bare word on USER, WORKDIR, EXPOSE or a LABEL key: characters that no Dockerfile instruction expands or splits. */
export function dockerfileWord(value: string): string {
  if (!/^[A-Za-z0-9_.:/@%+=,-]+$/.test(value)) throw new Error(`"${commentText(value)}" cannot be a bare Dockerfile word`);
  return value;
}

/**
 * One name in a .gitignore, anchored to its folder (`/rootfs.tar.xz`): git's pattern
 * characters and a leading `#` or `!` are escaped, so the line matches that name only.
 * A trailing `/` (a folder) stays a pattern's own.
 */
export function gitignoreName(value: string): string {
  const folder = value.endsWith('/');
  const name = folder ? value.slice(0, -1) : value;
  if (name === '' || name.includes('/') || CONTROL.test(name)) throw new Error(`"${commentText(value)}" cannot be a name in a .gitignore`);
  return `/${name.replace(/[\\*?[\]!#]/g, '\\$&').replace(/ $/, '\\ ')}${folder ? '/' : ''}`;
}

/** A path kept in a build context by a .dockerignore `!` line: plain characters only, none of its pattern characters. */
export function dockerignoreName(value: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.+-]*(\/[A-Za-z0-9_][A-Za-z0-9_.+-]*)*$/.test(value)) throw new Error(`"${commentText(value)}" cannot be a name in a .dockerignore`);
  return value;
}
