// A preset as a run renders it: --set applied, the files it names read from
// src/presets/files, and validated like any config.
import { readEmbeddedFiles } from '../io/embedded-files.js';
import { validateSettings, type Settings } from '../model/index.js';
import { applyOverrides } from '../model/overrides.js';
import { PRESET_FILES_DIR, type Preset } from './index.js';

export function validatePreset(preset: Preset, sets: readonly string[]): Settings {
  const source = `preset ${preset.id}`;
  return validateSettings(readEmbeddedFiles(applyOverrides(preset.settings, sets), PRESET_FILES_DIR, source), source);
}
