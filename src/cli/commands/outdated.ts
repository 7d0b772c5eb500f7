import type { Command } from '../command.js';
import { load, treeOptions, type TreeArgs } from '../common.js';

export const outdated: Command<TreeArgs & { quiet: boolean; manifest?: string[]; keyring?: string; json: boolean }> = {
  command: 'outdated [configs..]',
  describe: 'would a rebuild now change the image? compare its manifest with the archives its build reads; exit 1 if so',
  builder: (y) =>
    treeOptions(y)
      .option('manifest', { type: 'string', array: true, describe: "a build's manifest (e.g. out/rootfs.manifest) instead of the config's expected one; one per architecture" })
      .option('keyring', { type: 'string', describe: "check the distro's Release files with this keyring instead of the host's archive keyring" })
      .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
      .example('$0 outdated', 'every config of the project against its expected manifest (expect:)')
      .example('$0 outdated configs/debian.yaml --manifest out/rootfs.manifest', 'against the manifest of the last build')
      .example('$0 outdated --json', '{ "changed": true, "images": [{ "changes": [{ "kind": "upgrade", "name": "libc6", ... }] }] }')
      .epilogue('Exit codes: 0 a rebuild changes nothing; 1 it changes packages (or could not be built); 2 bad input, or a mirror that cannot be reached, a bad signature or a corrupt index (named).'),
  run: async (argv) => (await import('../outdated.js')).outdated(await load(argv), argv),
};
