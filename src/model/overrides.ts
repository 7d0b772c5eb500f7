// --set key.path=value: change one setting of a loaded config before validation.
import { parse as parseYaml } from 'yaml';
import { describeInput } from './describe.js';
import { ConfigError } from './errors.js';

const KEY_PATH = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*|\.[0-9]+)*$/;
/** The model is a few levels deep (derived.0.env.NAME); a key path far deeper is a mistake, and would overflow the stack. */
const MAX_KEY_PARTS = 8;

/**
 * Apply overrides to a copy of a config. Values are read as YAML, so `true`, `3` and
 * `[a, b]` mean what they say; anything else is a string.
 */
export function applyOverrides(config: unknown, overrides: readonly string[]): unknown {
  let result: unknown = structuredClone(config);
  for (const override of overrides) {
    const eq = override.indexOf('=');
    const key = eq < 0 ? '' : override.slice(0, eq);
    if (!KEY_PATH.test(key)) {
      throw new ConfigError('--set', [`${describeInput(override)} is not key=value (e.g. --set mirror=http://ftp.jp.debian.org/debian)`]);
    }
    if (key.split('.').length > MAX_KEY_PARTS) {
      throw new ConfigError('--set', [`${describeInput(override)}: the key path has more than ${MAX_KEY_PARTS} parts; settings are at most 4 deep (e.g. derived.0.env.NAME)`]);
    }
    let value: unknown;
    try {
      value = parseYaml(override.slice(eq + 1));
    } catch {
      value = override.slice(eq + 1);
    }
    result = setPath(result, key.split('.'), value ?? '', override);
  }
  return result;
}

function setPath(target: unknown, keys: string[], value: unknown, override: string): unknown {
  const [key, ...rest] = keys;
  if (key === undefined) return value;
  const index = /^[0-9]+$/.test(key) ? Number(key) : undefined;
  if (index !== undefined) {
    if (!Array.isArray(target)) throw new ConfigError('--set', [`${describeInput(override)}: ${key} indexes a list, but there is none`]);
    // Replace an item or append one; a far index would make a huge sparse list.
    if (index > target.length) {
      throw new ConfigError('--set', [`${describeInput(override)}: the list has ${target.length} items; use an index up to ${target.length}`]);
    }
    const copy = [...target];
    copy[index] = setPath(copy[index], rest, value, override);
    return copy;
  }
  const object = target !== null && typeof target === 'object' && !Array.isArray(target) ? target : {};
  return { ...object, [key]: setPath((object as Record<string, unknown>)[key], rest, value, override) };
}
