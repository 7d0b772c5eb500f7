// The library API: the same outputs as the CLI, in memory.
import { renderConfig } from './generate.js';
import type { OutputFile } from './layout.js';
import { validateSettings, type SettingsInput } from './model/index.js';

export { ConfigError, SettingsSchema, settingsJsonSchema, validateSettings } from './model/index.js';
export type { DerivedImage, Settings, SettingsInput } from './model/index.js';
export { PRESETS, findPreset, type Preset } from './presets/index.js';
export { RELEASES, DISTROS, findRelease } from './releases/index.js';
export { planImage, renderAll, renderImage, type ImagePlan, type RenderEntry } from './generate.js';
export type { OutputFile, Origin } from './layout.js';
export { rootLedger, type LedgerEntry, type LedgerKind } from './plan/ledger.js';
export { partsIn, runtimeParts, type FoundPart, type RuntimePart } from './render/runtime.js';

/**
 * Validate settings and render one image's files: mkimage.sh, Dockerfile and
 * derived/<name>/Dockerfile. Throws ConfigError, naming each bad field, on bad input.
 */
export function render(input: SettingsInput | unknown, source = 'settings'): OutputFile[] {
  const settings = validateSettings(input, source);
  return renderConfig(settings, {
    generatedFrom: source,
    regenerate: 'the program that called mkimage-gen render()',
  });
}
