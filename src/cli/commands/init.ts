import { join, resolve } from 'node:path';
import { ConfigError } from '../../model/errors.js';
import type { Command } from '../command.js';
import { EXIT, presetNamed } from '../common.js';

export const init: Command<{ name?: string; preset?: string | string[]; dir: string }> = {
  command: 'init [name]',
  describe: "start a project here: a mkimage-gen.yaml with the mirrors, a commented config from a preset, and the preset's files",
  builder: (y) =>
    y
      .positional('name', { type: 'string', describe: 'the preset to start from (see `presets`); default debian-trixie: no locales, UTC' })
      .option('preset', { type: 'string', describe: 'the same, as an option' })
      .option('dir', { type: 'string', default: '.', describe: 'the project root' })
      .example('$0 init', 'mkimage-gen.yaml and configs/debian-trixie.yaml in this directory')
      .example('$0 init --preset debian-bookworm-ja', 'the Japanese image: ja locales, Tokyo time')
      .example('$0 init debian-trixie-company --dir infra/images', 'the company image and its key, CA, hooks and files, in another folder'),
  run: async (argv) => {
    // A repeated --preset comes as a list.
    const named = [argv.name, argv.preset].flat().filter((p): p is string => p !== undefined);
    if (new Set(named).size > 1) throw new ConfigError('init', [`name one preset, not ${named.map((p) => JSON.stringify(p)).join(' and ')}`]);
    const { INIT_PRESET, initFiles } = await import('../init.js');
    const preset = await presetNamed(named[0] ?? INIT_PRESET, 'init');
    const { validatedPresets } = await import('../../presets/validated.js');
    const embedded = validatedPresets().find((p) => p.id === preset.id)!.settings.embedded;
    const files = initFiles(preset, embedded);
    const { writeNewFiles } = await import('../../io/new-files.js');
    writeNewFiles(resolve(argv.dir), argv.dir, files);
    process.stdout.write(
      `${files.map((f) => `wrote  ${join(argv.dir, f.path)}`).join('\n')}\nnext: set your mirrors in ${join(argv.dir, 'mkimage-gen.yaml')}, mkimage-gen generate, commit, and run mkimage-gen check in CI\n`,
    );
    return EXIT.ok;
  },
};
