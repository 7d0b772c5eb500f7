// The presets validated as they are (no --set), with their files embedded: what
// `generate` and `check` of the presets render. Here they are validated when asked for;
// the CLI bundle replaces this module with the same values computed at build time
// (scripts/bundle.mjs, through ./prevalidate.ts), so that run loads no zod: building
// its schema and parsing the presets was most of what generate did before rendering.
// A test holds the two equal.
import type { Settings } from '../model/index.js';
import { PRESETS } from './index.js';
import { validatePreset } from './validate.js';

export interface ValidatedPreset {
  id: string;
  settings: Settings;
}

/** Every preset in PRESETS' order; fresh objects on each call, so a caller may change them. */
export function validatedPresets(): ValidatedPreset[] {
  return PRESETS.map((preset) => ({ id: preset.id, settings: validatePreset(preset, []) }));
}
