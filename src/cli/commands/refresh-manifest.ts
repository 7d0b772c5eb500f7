import type { Command } from '../command.js';
import { EXIT } from '../common.js';

export const refreshManifest: Command<{ built: string; expected: string }> = {
  command: 'refresh-manifest <built> <expected>',
  describe: "replace an expected package manifest (the drift check's) by the one a build wrote beside its tarball",
  builder: (y) =>
    y
      .positional('built', { type: 'string', demandOption: true, describe: 'the manifest a build wrote (e.g. out/rootfs.manifest)' })
      .positional('expected', { type: 'string', demandOption: true, describe: 'the committed manifest to replace (e.g. expected.manifest)' })
      .example('$0 refresh-manifest out/rootfs.manifest generated/debian-bookworm-ja/expected.manifest', 'accept the packages of the last build'),
  run: async (argv) => {
    (await import('../refresh-manifest.js')).refreshManifest(argv);
    return EXIT.ok;
  },
};
