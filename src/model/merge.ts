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

/** Keys of a project's `defaults` that hold one distro's shared settings, not a setting. */
export const DISTRO_DEFAULTS = ['debian', 'ubuntu'] as const;

/**
 * A project's defaults under one config: the shared settings, then those of the config's
 * distro (`defaults.debian`, `defaults.ubuntu`: a Debian mirror is no Ubuntu mirror),
 * then the config's own.
 */
export function mergeDefaults(defaults: Record<string, unknown>, config: unknown): unknown {
  const shared = Object.fromEntries(Object.entries(defaults).filter(([key]) => !(DISTRO_DEFAULTS as readonly string[]).includes(key)));
  const distro = isMapping(config) && config.distro !== undefined ? config.distro : shared.distro;
  const own = typeof distro === 'string' && (DISTRO_DEFAULTS as readonly string[]).includes(distro) ? defaults[distro] : undefined;
  return mergeUnder(mergeUnder(shared, own ?? {}), config);
}
