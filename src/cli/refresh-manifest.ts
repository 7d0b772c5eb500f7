// `mkimage-gen refresh-manifest <built> <expected>`: take a build's package manifest as
// the new expected one (the file a config's `expect:` or the script's --expect names),
// after checking it, and say what changed.
import type { Argv } from 'yargs';
import { readBuiltManifest, readExpected, writeAtomically } from '../io/manifest-file.js';
import { manifestChanges, parseManifest } from '../manifest.js';
import { ConfigError } from '../model/errors.js';

export const refreshManifestCommand = {
  command: 'refresh-manifest <built> <expected>',
  describe: "replace an expected package manifest (the drift check's) by the one a build wrote beside its tarball",
  builder: (y: Argv) =>
    y
      .positional('built', { type: 'string', demandOption: true, describe: 'the manifest a build wrote (e.g. out/rootfs.manifest)' })
      .positional('expected', { type: 'string', demandOption: true, describe: 'the committed manifest to replace (e.g. expected.manifest)' })
      .example('$0 refresh-manifest out/rootfs.manifest generated/debian-bookworm-ja/expected.manifest', 'accept the packages of the last build'),
  handler: (argv: { built: string; expected: string }) => {
    const text = readBuiltManifest(argv.built);
    const parsed = parseManifest(text);
    if ('problem' in parsed) throw new ConfigError(argv.built, [`not a package manifest: ${parsed.problem}`]);
    const old = readExpected(argv.expected);
    const before = old === undefined ? undefined : parseManifest(old);
    writeAtomically(argv.expected, text);
    if (before === undefined || 'problem' in before) {
      console.log(`wrote ${argv.expected}: ${parsed.lines.length} packages`);
      return;
    }
    const changes = manifestChanges(before.lines, parsed.lines);
    console.log(changes.length === 0 ? `${argv.expected} is up to date` : [`updated ${argv.expected}:`, ...changes.map((c) => `  ${c}`)].join('\n'));
  },
};
