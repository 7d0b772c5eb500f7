import { join } from 'node:path';
import { describePath } from '../../model/describe.js';
import type { Command } from '../command.js';
import { EXIT, json, listDrift, load, render, renderSelection, shownOut, tree, treeOptions, type TreeArgs } from '../common.js';
import type { Loaded } from '../selection.js';

/** A file of the output tree as text, for --diff; never follows a link or reads a non-file. */
async function readCurrent(out: string) {
  const { readRegularFile } = await import('../../io/regular-file.js');
  const MAX_BYTES = 16 * 1024 * 1024;
  return (path: string): string | undefined => {
    const read = readRegularFile(join(out, path), { maxBytes: MAX_BYTES, prefix: true });
    return read.ok ? read.bytes.toString('utf8') : undefined;
  };
}

/** What builds wrote into the configs' folders of the output tree (their scripts' default output directory). */
async function findBuildFiles(loaded: Loaded, out: string) {
  const { buildOutputsOf } = await render();
  return (await import('../../io/build-files.js')).findBuildFiles(out, buildOutputsOf(loaded.entries));
}

/** A warning, not drift: after a local build these belong there; in a fresh clone (CI) they were committed. */
function buildFilesWarning(found: readonly { folder: string; names: string[]; bytes: number }[], out: string): string {
  const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  const rows = found.map((f) => {
    const names = f.names.slice(0, 3).join(', ') + (f.names.length > 3 ? ` and ${f.names.length - 3} more` : '');
    return `  ${describePath(`${out}/${f.folder}/`)}: ${names} (${megabytes(f.bytes)})`;
  });
  return [
    'warning: build output in the output tree, written by a run of the script into its folder:',
    ...rows,
    "  Each folder's .gitignore keeps it out of commits; if git tracks it (a fresh clone has it), remove it with git rm --cached.",
    '',
  ].join('\n');
}

export const check: Command<TreeArgs & { quiet: boolean; diff: boolean; json: boolean }> = {
  command: 'check [configs..]',
  describe: "render in memory and compare with the output directory; exit 1 on any difference (a build's tarball and records found there: a warning)",
  builder: (y) =>
    treeOptions(y)
      .option('diff', { type: 'boolean', default: false, describe: 'show a unified diff of what generate would change' })
      .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
      .example('$0 check', 'in CI: exit 1 and list the files if the output is not what the configs render')
      .example('$0 check --diff', 'and show what differs')
      .example('$0 check --json', '{ "upToDate": false, "missing": [], "stale": ["debian/mkimage.sh"], "orphaned": [], "buildFiles": [] }'),
  run: async (argv) => {
    const loaded = await load(argv);
    const files = await renderSelection(loaded);
    const out = shownOut(loaded);
    const { findDrift, hasDrift } = await tree();
    const drift = findDrift(out, files, loaded.scope);
    const buildFiles = await findBuildFiles(loaded, out);
    if (!argv.quiet && buildFiles.length > 0) process.stderr.write(buildFilesWarning(buildFiles, out));
    if (argv.json) {
      const found = buildFiles.flatMap((f) => f.names.map((name) => `${f.folder}/${name}`));
      process.stdout.write(json({ out, upToDate: !hasDrift(drift), ...drift, buildFiles: found }));
    } else if (!argv.quiet && hasDrift(drift)) {
      process.stderr.write(`${listDrift(drift, out, ['missing', 'stale', 'orphaned'])}\n`);
      if (argv.diff) process.stdout.write((await import('../diff.js')).driftDiff(drift, files, await readCurrent(loaded.out)));
      process.stderr.write("regenerate with the command in the files' header (mkimage-gen generate ...)\n");
    } else if (!argv.quiet) process.stdout.write(`${describePath(`${out}/`)} is up to date\n`);
    return hasDrift(drift) ? EXIT.drift : EXIT.ok;
  },
};
