import { resolve } from 'node:path';
import type { RenderEntry } from '../../generate.js';
import type { Command } from '../command.js';
import { load, render, shownOut, tree, type TreeArgs } from '../common.js';

export const refresh: Command<TreeArgs & { keyring?: string; 'dry-run': boolean; json: boolean }> = {
  command: 'refresh [configs..]',
  describe: 'move snapshot pins to the newest snapshot that changes the image, update the expected manifests, regenerate, and print the changes',
  builder: (y) =>
    y
      .positional('configs', { type: 'string', array: true, describe: "config files (default: the project file's configs)" })
      .option('out', { type: 'string', describe: "output directory (default: the project file's out)" })
      .option('keyring', { type: 'string', describe: "check the distro's Release files with this keyring instead of the host's archive keyring" })
      .option('dry-run', { type: 'boolean', default: false, describe: 'write nothing; exit 1 if a pin would move' })
      .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
      .example('$0 refresh > pr-body.md', 'move the pins and keep the summary for the pull request')
      .example('$0 refresh --dry-run', 'say what would move')
      .epilogue(
        'Exit codes: 0 done (pins moved, or none needed to); 1 the newest snapshot cannot be built (its pin stays), or with --dry-run a pin would move; 2 bad input, or an archive that cannot be read or trusted; nothing is written then.',
      ),
  run: async (argv) => {
    const loaded = await load(argv);
    const regenerate = async (entries: RenderEntry[], bakeEntries: RenderEntry[]) => {
      const files = await (await render()).renderAll(entries, loaded.bakeOrigin, bakeEntries);
      (await tree()).writeTree(shownOut(loaded), files, { scope: loaded.scope });
    };
    const configFiles = (argv.configs ?? []).map((c) => resolve(process.cwd(), c));
    return (await import('../refresh.js')).refresh(loaded, { keyring: argv.keyring, dryRun: argv.dryRun, json: argv.json, configFiles }, regenerate);
  },
};
