// Read a YAML or JSON config file (YAML is a superset of JSON, one parser reads both).
import { parseDocument } from 'yaml';
import { ConfigError } from '../model/index.js';
import { readRegularFile, refusalText } from './regular-file.js';

/** A config is a page of settings; anything near this size is not one (and is not read whole). */
const MAX_CONFIG_BYTES = 1024 * 1024;
/** Aliases a config may use: enough to share a list, far too few for a "billion laughs" document. */
const MAX_ALIASES = 50;
/** Nesting a config may have: the model is four levels deep; a parser recursing far deeper overflows the stack. */
const MAX_DEPTH = 64;

function problem(path: string, what: string): never {
  throw new ConfigError(path, [what]);
}

/** The file's text: a regular file (through a final link only where `follow`), bounded, valid UTF-8. */
function readText(path: string, follow: boolean): string {
  const read = readRegularFile(path, { maxBytes: MAX_CONFIG_BYTES, follow });
  if (!read.ok) {
    const { refused } = read;
    if (refused.why === 'size') problem(path, `the file has ${refused.size} bytes; a config is at most ${MAX_CONFIG_BYTES}`);
    problem(path, `${refusalText(refused)}${refused.why === 'kind' ? ': name a YAML or JSON file' : ''}`);
  }
  const bytes = read.bytes;
  try {
    // Decoding with replacement would turn invalid bytes into U+FFFD inside values, silently.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    problem(path, 'the file is not valid UTF-8: save it as UTF-8');
  }
}

/** Deepest nesting of flow or block collections, counted over the text without recursion. */
function nestingTooDeep(text: string): boolean {
  let depth = 0;
  for (const c of text) {
    if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
    if (depth > MAX_DEPTH) return true;
  }
  return false;
}

/**
 * A config file's settings, or a ConfigError naming it as `shown` (the path as the user
 * knows it). `follow`: look through a final symlink, for a path the user named.
 */
export function readConfigFile(path: string, shown = path, follow = true): unknown {
  try {
    return readSettings(path, follow);
  } catch (error) {
    if (error instanceof ConfigError && shown !== path) throw new ConfigError(shown, error.problems);
    throw error;
  }
}

function readSettings(path: string, follow: boolean): unknown {
  const text = readText(path, follow);
  if (text.trim() === '') problem(path, 'the file is empty: a config needs at least name, distro, suite and mirror');
  if (nestingTooDeep(text)) problem(path, `lists or mappings nested more than ${MAX_DEPTH} deep: a config is a few levels deep`);
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      path,
      doc.errors.map((e) => {
        const at = e.linePos?.[0];
        // yaml ends its message with " at line L, column C:" and a code excerpt; say it once, up front.
        const what = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return `syntax error at line ${at?.line ?? '?'}, column ${at?.col ?? '?'}: ${what}`;
      }),
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    // yaml refuses documents whose aliases expand past the limit (a resource exhaustion attack).
    if (!(error instanceof ReferenceError || error instanceof RangeError)) throw error;
    problem(path, `too many YAML aliases (*name) or too deep: at most ${MAX_ALIASES} aliases, each expanded once`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problem(path, 'expected a mapping of settings at the top level (name: ..., distro: ..., suite: ...)');
  }
  return value;
}
