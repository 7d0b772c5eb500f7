// The config's checksum in the build record: the sha256 of the validated settings as
// canonical JSON (keys sorted, defaults filled), so two spellings of one config agree
// and `mkimage-gen explain` shows the same value.
import { createHash } from 'node:crypto';
import type { Settings } from '../model/index.js';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

export function canonicalSettings(settings: Settings): string {
  return JSON.stringify(canonical(settings));
}

export function configDigest(settings: Settings): string {
  return createHash('sha256').update(canonicalSettings(settings)).digest('hex');
}
