// The library API: the same outputs as the CLI, in memory.
import { validateSettings, type SettingsInput } from './model/index.js';
import { renderAll, renderConfig, type OutputFile, type RenderEntry } from './render/outputs.js';

export { ConfigError, SettingsSchema, settingsJsonSchema, validateSettings } from './model/index.js';
export type { DerivedImage, Settings, SettingsInput } from './model/index.js';
export { PRESETS, findPreset, type Preset } from './presets/index.js';
export { RELEASES, DISTROS, findRelease } from './releases/index.js';
export { renderAll, type OutputFile, type RenderEntry };

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
