import type { Command } from '../command.js';
import { EXIT, json, presetNamed } from '../common.js';

export const presets: Command<{ show?: string; json: boolean }> = {
  command: 'presets',
  describe: 'list the built-in presets, or print one as a config',
  builder: (y) =>
    y
      .option('show', { type: 'string', describe: 'print this preset as a commented YAML config' })
      .option('json', { type: 'boolean', default: false, describe: 'print the list as JSON' })
      .example('$0 presets', 'names and descriptions')
      .example('$0 presets --show debian-bookworm-ja > configs/debian.yaml', 'start a config from a preset'),
  run: async (argv) => {
    const { PRESETS } = await import('../../presets/index.js');
    if (argv.show !== undefined) {
      const preset = await presetNamed(argv.show, '--show');
      const { commentedYaml } = await import('../config-yaml.js');
      const { fieldDescriptions, settingsJsonSchema } = await import('../../model/json-schema.js');
      process.stdout.write(commentedYaml(preset.settings, [`The preset ${preset.id}: ${preset.description}.`], fieldDescriptions(settingsJsonSchema())));
    } else if (argv.json) {
      process.stdout.write(json(PRESETS.map((p) => ({ id: p.id, description: p.description, settings: p.settings }))));
    } else {
      const width = Math.max(...PRESETS.map((p) => p.id.length));
      process.stdout.write(PRESETS.map((p) => `${p.id.padEnd(width)}  ${p.description}\n`).join(''));
    }
    return EXIT.ok;
  },
};
