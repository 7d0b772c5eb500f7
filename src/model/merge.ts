// Shared settings under a config's own: mappings merge key by key, and anything else
// (a value, a list) is the config's when it says one.

const isMapping = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export function mergeUnder(defaults: unknown, config: unknown): unknown {
  if (!isMapping(defaults) || !isMapping(config)) return config === undefined ? defaults : config;
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(config)) {
    Object.defineProperty(merged, key, { value: mergeUnder(defaults[key], value), enumerable: true, writable: true, configurable: true });
  }
  return merged;
}
