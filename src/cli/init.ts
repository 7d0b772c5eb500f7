// init: start an infra repo from a preset — a project file, one commented config, and
// every file the preset names (keys, certificates, hooks, files) beside the config, so
// the first `generate` works. The mirrors go into the project file's defaults for the
// preset's distro, where one edit changes them for every config of that distro.
import { fieldDescriptions, projectJsonSchema, settingsJsonSchema } from '../model/json-schema.js';
import { PROJECT_FILE } from '../model/project.js';
import type { Preset } from '../presets/index.js';
import type { NewFile } from '../io/new-files.js';
import { commentedYaml } from './config-yaml.js';

export const CONFIG_DIR = 'configs';
export const INIT_OUT = 'images';
/** What `init` starts from when no preset is named: a plain image, no locales, UTC. */
export const INIT_PRESET = 'debian-trixie';
/** Where the schemas are once mkimage-gen is a dev dependency of the repo. */
const SCHEMA_DIR = 'node_modules/mkimage-gen/schema';

/** Settings that say where the archives are: the build host's, so the project's. */
const MIRROR_KEYS = ['mirror', 'securityMirror', 'portsMirror'] as const;

const modeline = (schemaPath: string) => `yaml-language-server: $schema=${schemaPath}`;

/**
 * The files init writes, relative to the project root. `embedded` is the content (base64)
 * of each file the preset names, by its path beside the config.
 */
export function initFiles(preset: Preset, embedded: Readonly<Record<string, string>>): NewFile[] {
  const settings: Record<string, unknown> = { ...preset.settings };
  const mirrors: Record<string, unknown> = {};
  for (const key of MIRROR_KEYS) {
    if (settings[key] === undefined) continue;
    mirrors[key] = settings[key];
    delete settings[key];
  }
  const project = commentedYaml(
    { configs: [`${CONFIG_DIR}/*.yaml`], out: INIT_OUT, defaults: { [preset.settings.distro]: mirrors } },
    [
      'The mkimage-gen project: `mkimage-gen generate` renders every config below into out/,',
      '`mkimage-gen check` (in CI) exits 1 when out/ is not what they render. Commit both.',
      `The mirrors below are examples: set the ones near your build hosts, here, once.`,
    ],
    fieldDescriptions(projectJsonSchema()),
    modeline(`${SCHEMA_DIR}/project.schema.json`),
  );
  const config = commentedYaml(
    settings,
    [
      `An image config, started from the preset ${preset.id}: ${preset.description}.`,
      `Its mirrors come from ${PROJECT_FILE} (defaults.${preset.settings.distro}). \`mkimage-gen explain\` says what it builds.`,
    ],
    fieldDescriptions(settingsJsonSchema()),
    modeline(`../${SCHEMA_DIR}/config.schema.json`),
  );
  const files = Object.keys(embedded)
    .sort()
    .map((path) => ({ path: `${CONFIG_DIR}/${path}`, content: Buffer.from(embedded[path]!, 'base64') }));
  return [{ path: PROJECT_FILE, content: project }, { path: `${CONFIG_DIR}/${preset.id}.yaml`, content: config }, ...files];
}
