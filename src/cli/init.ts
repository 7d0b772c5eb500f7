// init: start an infra repo from a preset — a project file and one commented config,
// both with an editor modeline that points at the installed package's JSON Schemas.
import { PROJECT_DESCRIPTIONS } from '../model/descriptions.js';
import { PROJECT_FILE } from '../model/project.js';
import type { Preset } from '../presets/index.js';
import { commentedYaml } from './config-yaml.js';

export const CONFIG_DIR = 'configs';
export const INIT_OUT = 'images';
/** Where the schemas are once mkimage-gen is a dev dependency of the repo. */
const SCHEMA_DIR = 'node_modules/mkimage-gen/schema';

const modeline = (schemaPath: string) => `yaml-language-server: $schema=${schemaPath}`;

/** The files init writes, relative to the project root. */
export function initFiles(preset: Preset): { path: string; content: string }[] {
  const project = commentedYaml(
    { configs: [`${CONFIG_DIR}/*.yaml`], out: INIT_OUT, defaults: {} },
    [
      'The mkimage-gen project: `mkimage-gen generate` renders every config below into out/,',
      '`mkimage-gen check` (in CI) exits 1 when out/ is not what they render. Commit both.',
    ],
    modeline(`${SCHEMA_DIR}/project.schema.json`),
    PROJECT_DESCRIPTIONS,
  );
  const config = commentedYaml(
    preset.settings,
    [`An image config, started from the preset ${preset.id}: ${preset.description}.`, '`mkimage-gen explain` says what it builds.'],
    modeline(`../${SCHEMA_DIR}/config.schema.json`),
  );
  return [
    { path: PROJECT_FILE, content: project },
    { path: `${CONFIG_DIR}/${preset.id}.yaml`, content: config },
  ];
}
