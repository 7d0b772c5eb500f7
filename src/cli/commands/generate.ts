import { deliverPendingSignals } from '../../io/signals.js';
import type { Drift } from '../../io/tree.js';
import type { RenderEntry } from '../../generate.js';
import { SCRIPT_FILE } from '../../layout.js';
import { describePath } from '../../model/describe.js';
import type { Command } from '../command.js';
import { EXIT, listDrift, load, renderSelection, shownOut, tree, treeOptions, type TreeArgs } from '../common.js';

/**
 * The user's hooks in each script this run wrote, through shellcheck (warnings only). A
 * script left as it was embeds the same hook bytes as when a run wrote it, and that run
 * showed their findings: checking them again says nothing new, and starting shellcheck
 * and waiting for it was a fifth of a generate run that writes nothing.
 */
async function lintWrittenHooks(entries: readonly RenderEntry[], drift: Drift): Promise<void> {
  const written = new Set([...drift.missing, ...drift.stale]);
  const linted = entries.filter((e) => e.settings.hooks.length > 0 && written.has(`${e.id}/${SCRIPT_FILE}`));
  if (linted.length === 0) return;
  for (const line of await (await import('../../io/hook-lint.js')).lintHooks(linted)) process.stderr.write(`${line}\n`);
}

export const generate: Command<TreeArgs & { quiet: boolean }> = {
  command: 'generate [configs..]',
  describe: "render the project's configs (or the presets, or the config files given) and write them",
  builder: (y) =>
    treeOptions(y)
      .example('$0 generate', "render the project file's configs, or every preset into generated/")
      .example('$0 generate configs/noble.yaml', "write one of the project's configs; the others' files stay")
      .example('$0 generate site/debian.yaml --out images', 'without a project file: render into images/debian/ and images/docker-bake.hcl')
      .example('$0 generate --set mirror=http://ftp.jp.debian.org/debian --out /tmp/x', 'the presets with another mirror'),
  run: async (argv) => {
    const loaded = await load(argv);
    const files = await renderSelection(loaded);
    const { hasDrift, writeTree } = await tree();
    // Relative to here, so messages name the tree as the user does.
    const drift = writeTree(shownOut(loaded), files, { scope: loaded.scope });
    // An interrupt during the write exits 130 now, after the tree is complete.
    await deliverPendingSignals();
    await lintWrittenHooks(loaded.entries, drift);
    if (!argv.quiet) {
      const out = shownOut(loaded);
      process.stdout.write(`${hasDrift(drift) ? listDrift(drift, out, ['wrote', 'updated', 'removed']) : `${describePath(`${out}/`)} is up to date`}\n`);
    }
    return EXIT.ok;
  },
};
