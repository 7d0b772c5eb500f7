import type { Command } from '../command.js';
import { EXIT, json } from '../common.js';

export const releases: Command<{ json: boolean }> = {
  command: 'releases',
  describe: 'list the Debian and Ubuntu releases mkimage-gen knows, with the facts it uses',
  builder: (y) =>
    y
      .option('json', { type: 'boolean', default: false, describe: 'print the table as JSON' })
      .example('$0 releases', 'distro, codename, version, status, sources format, security suite'),
  run: async (argv) => {
    const { releaseRows, releasesText } = await import('../releases.js');
    process.stdout.write(argv.json ? json(releaseRows()) : releasesText());
    return EXIT.ok;
  },
};
