#!/usr/bin/env node
// The command line: parse, call, print, exit. 0 ok, 1 drift (or a failure), 2 bad input.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { deliverPendingSignals, exitOnInterrupt } from '../io/signals.js';
import { findDrift, hasDrift, OutputError, writeTree, type Drift } from '../io/tree.js';
import { checkOutDir } from '../io/out-dir.js';
import { describePath } from '../model/describe.js';
import { ConfigError } from '../model/errors.js';
import { PRESETS } from '../presets/index.js';
import type { Selection } from './entries.js';
import { dryRun } from '../io/dry-run.js';
import { explainText } from './explain.js';
import { DEFAULT_OUT, SCRIPT_FILE } from '../layout.js';

// Loaded by the commands that need them, so --help and --version start fast: the
// config loader brings the YAML parser and the validator (zod), the renderer brings
// Handlebars and loads only once a config has validated.
const configs = () => import('./entries.js');
const render = () => import('../generate.js');

const EXIT_DRIFT = 1;
const EXIT_BAD_INPUT = 2;

/** One line per file that differs; `words` name the three kinds (check and generate say it differently). */
function listDrift(drift: Drift, out: string, words: [string, string, string]): string {
  const shown = (path: string) => describePath(`${out}/${path}`);
  const width = Math.max(...words.map((w) => w.length));
  const rows = [
    ...drift.missing.map((p) => `${words[0].padEnd(width)}  ${shown(p)}`),
    ...drift.stale.map((p) => `${words[1].padEnd(width)}  ${shown(p)}`),
    ...drift.orphaned.map((p) => `${words[2].padEnd(width)}  ${shown(p)}`),
  ];
  return rows.join('\n');
}

/** Bad input is reported on one screen: several bad configs could say more than that. */
const SCREEN_LINES = 25;
function oneScreen(text: string): string {
  const lines = text.split('\n');
  if (lines.length <= SCREEN_LINES) return text;
  return [...lines.slice(0, SCREEN_LINES - 1), `  ... and ${lines.length - SCREEN_LINES + 1} more lines`].join('\n');
}

function selection(argv: { configs?: string[]; set?: string[]; out?: string }): Selection {
  const configs = argv.configs ?? [];
  if (configs.length > 0 && argv.out === undefined) {
    throw new ConfigError('--out', ['name the output directory for config files (e.g. --out build/images)']);
  }
  const out = argv.out ?? DEFAULT_OUT;
  // Before any config is read: an empty, root, home or file --out is refused outright.
  checkOutDir(out);
  return { configs, sets: argv.set ?? [], out };
}

async function renderSelection(sel: Selection) {
  const { entries, bakeOrigin } = (await configs()).loadSelection(sel);
  return (await render()).renderAll(entries, bakeOrigin);
}

const setOption = {
  type: 'string',
  array: true,
  description: 'override a setting: key.path=value (value read as YAML), repeatable',
} as const;
const outOption = {
  type: 'string',
  description: `output directory (default with no configs: ${DEFAULT_OUT}/)`,
} as const;

export async function main(args: string[]): Promise<number> {
  let exitCode = 0;
  const parser = yargs(args)
    .scriptName('mkimage-gen')
    .usage(
      '$0 <command>\n\nRenders validated image build settings into a standalone mkimage script (debootstrap or mmdebstrap,\nrun as root on the build host), Dockerfiles and a docker-bake.hcl.',
    )
    .command(
      'generate [configs..]',
      'render the presets (or the config files given) and write them',
      (y) =>
        y
          .positional('configs', { type: 'string', array: true, describe: 'YAML or JSON config files' })
          .option('out', outOption)
          .option('set', setOption)
          .example('$0 generate', `render every preset into ${DEFAULT_OUT}/`)
          .example('$0 generate site/debian.yaml --out images', 'render a config into images/site/ and images/docker-bake.hcl')
          .example('$0 generate --set mirror=http://ftp.jp.debian.org/debian --out /tmp/x', 'the presets with another mirror'),
      async (argv) => {
        const sel = selection(argv);
        const drift = writeTree(sel.out, await renderSelection(sel));
        // An interrupt during the write exits 130 now, after the tree is complete.
        await deliverPendingSignals();
        console.log(hasDrift(drift) ? listDrift(drift, sel.out, ['wrote', 'updated', 'removed']) : `${describePath(`${sel.out}/`)} is up to date`);
      },
    )
    .command(
      'check [configs..]',
      'render in memory and compare with the output directory; exit 1 on any difference',
      (y) =>
        y
          .positional('configs', { type: 'string', array: true, describe: 'YAML or JSON config files' })
          .option('out', outOption)
          .option('set', setOption)
          .example('$0 check', `exit 1 and list the files if ${DEFAULT_OUT}/ is not what the presets render`)
          .example('$0 check site/debian.yaml --out images', 'the same for a config checked into an infra repo'),
      async (argv) => {
        const sel = selection(argv);
        const drift = findDrift(sel.out, await renderSelection(sel));
        if (hasDrift(drift)) {
          console.error(listDrift(drift, sel.out, ['missing', 'stale', 'orphaned']));
          console.error('regenerate with the command in the files\' header (mkimage-gen generate ...)');
          exitCode = EXIT_DRIFT;
        } else {
          console.log(`${describePath(`${sel.out}/`)} is up to date`);
        }
      },
    )
    .command(
      'explain <config>',
      'say in plain words what a preset or config builds: release facts, sources, tags, files, and every command',
      (y) =>
        y
          .positional('config', { type: 'string', demandOption: true, describe: 'a preset name or a config file' })
          .option('set', setOption)
          .example('$0 explain debian-bookworm-ja', 'explain a preset')
          .example('$0 explain site/debian.yaml', 'explain a config file'),
      async (argv) => {
        const { planImage, renderImage } = await render();
        const plan = planImage((await configs()).loadOne(argv.config, argv.set ?? []));
        const files = renderImage(plan);
        const script = files.find((f) => f.path === SCRIPT_FILE)!;
        console.log(explainText(plan, files));
        console.log('Every command, as `mkimage.sh --dry-run` prints it:\n');
        process.stdout.write(dryRun(script.content));
      },
    )
    .command(
      'presets',
      'list the built-in presets',
      (y) => y.example('$0 presets', 'names and descriptions'),
      () => {
        const width = Math.max(...PRESETS.map((p) => p.id.length));
        for (const p of PRESETS) console.log(`${p.id.padEnd(width)}  ${p.description}`);
      },
    )
    .command(
      'schema',
      'print the JSON Schema of config files (for editors)',
      (y) => y.example('$0 schema > mkimage.schema.json', 'save it for your editor'),
      async () => {
        const { settingsJsonSchema } = await import('../model/index.js');
        console.log(JSON.stringify(settingsJsonSchema(), null, 2));
      },
    )
    .demandCommand(1, 'name a command: generate, check, explain, presets or schema')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error, y) => {
      if (error) throw error;
      console.error(`${y.help()}\n\n${message}`.replace(/^\[object Promise\]\n\n/, ''));
      exitCode = EXIT_BAD_INPUT;
    });
  try {
    await parser.parseAsync();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(oneScreen(`mkimage-gen: bad input in ${error.message}`));
      return EXIT_BAD_INPUT;
    }
    if (error instanceof OutputError) {
      console.error(`mkimage-gen: ${error.message}`);
      return error.exitCode;
    }
    console.error(`mkimage-gen: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  }
  return exitCode;
}

exitOnInterrupt();
process.exitCode = await main(hideBin(process.argv));
