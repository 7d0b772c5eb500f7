#!/usr/bin/env node
// The command line: parse and validate the whole command line first, then act, print,
// exit. Nothing is read, written or removed before the command line is known to be good.
import { homedir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { OutputError } from '../io/output-error.js';
import { deliverPendingSignals, exitOnInterrupt } from '../io/signals.js';
import type { Drift } from '../io/tree.js';
import { DEFAULT_OUT, SCRIPT_FILE } from '../layout.js';
import { describePath } from '../model/describe.js';
import { ConfigError } from '../model/errors.js';
import type { RenderEntry } from '../generate.js';
import type { Preset } from '../presets/index.js';
import { VERSION } from '../package-root.js';
import type { Loaded, Selection } from './selection.js';

// Only what parsing the command line needs is imported above, so --help and --version
// start fast; each command loads the rest. The config loader brings the validator (zod);
// the presets as they are need none (see selection.ts). The renderer brings Handlebars
// and loads only once the configs have validated, so bad input is reported sooner.
const configs = () => import('./entries.js');
const builtIn = () => import('./selection.js');
const render = () => import('../generate.js');
const model = () => import('../model/index.js');
const tree = () => import('../io/tree.js');
const presets = () => import('../presets/index.js');

export const EXIT = { ok: 0, drift: 1, badInput: 2 } as const;

const EXIT_CODES_TEXT = 'Exit codes: 0 ok; 1 check found drift (or a write failed); 2 bad input (command line, config or project file), nothing touched.';

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

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

interface TreeArgs {
  configs?: string[];
  set?: string[];
  out?: string;
}

const selection = (argv: TreeArgs): Selection => ({ configs: argv.configs ?? [], sets: argv.set ?? [], out: argv.out, cwd: process.cwd() });

/**
 * What a generate or check run covers; an implausible --out is refused before any config
 * is read. A project's own `out` is judged from the project root, wherever the command
 * runs (from inside the output tree too), and a problem with it is the project file's.
 */
async function load(argv: TreeArgs): Promise<Loaded> {
  const { checkOutDir } = await import('../io/out-dir.js');
  if (argv.out !== undefined) checkOutDir(argv.out);
  const sel = selection(argv);
  const loaded = (await builtIn()).loadBuiltInPresets(sel) ?? (await configs()).loadSelection(sel);
  const project = loaded.project;
  if (argv.out !== undefined) return loaded;
  if (project === undefined) checkOutDir(loaded.out);
  else {
    const source = relative(process.cwd(), project.file).split(sep).join('/');
    checkOutDir(loaded.out, { cwd: project.root, home: homedir() }, { source, field: 'out', example: 'out: images' });
  }
  return loaded;
}

async function renderSelection(loaded: Loaded) {
  return (await render()).renderAll(loaded.entries, loaded.bakeOrigin, loaded.bakeEntries);
}

/** The output directory as the user reads it in messages: relative to here. */
function shownOut(loaded: Loaded): string {
  return relative(process.cwd(), loaded.out).split(sep).join('/') || '.';
}

/** A file of the output tree as text, for --diff; never follows a link or reads a non-file. */
async function readCurrent(out: string) {
  const { readRegularFile } = await import('../io/regular-file.js');
  const MAX_BYTES = 16 * 1024 * 1024;
  return (path: string): string | undefined => {
    const read = readRegularFile(join(out, path), { maxBytes: MAX_BYTES, prefix: true });
    return read.ok ? read.bytes.toString('utf8') : undefined;
  };
}

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
  for (const line of await (await import('../io/hook-lint.js')).lintHooks(linted)) process.stderr.write(`${line}\n`);
}

/** What builds wrote into the configs' folders of the output tree (their scripts' default output directory). */
async function findBuildFiles(loaded: Loaded, out: string) {
  const { buildOutputsOf } = await render();
  return (await import('../io/build-files.js')).findBuildFiles(out, buildOutputsOf(loaded.entries));
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

/** A preset by name, or bad input naming the presets there are. */
async function presetNamed(name: string, source: string): Promise<Preset> {
  const { findPreset, PRESETS } = await presets();
  const preset = findPreset(name);
  if (!preset) throw new ConfigError(source, [`no preset ${JSON.stringify(name)}; the presets are ${PRESETS.map((p) => p.id).join(', ')}`]);
  return preset;
}

function treeOptions(y: Argv) {
  return y
    .positional('configs', {
      type: 'string',
      array: true,
      describe: 'config files, or in a project config ids (noble for configs/noble.yaml) (default: the project file\'s configs, else every preset)',
    })
    .option('out', { type: 'string', describe: `output directory (default: the project file's out, else ${DEFAULT_OUT}/ for the presets)` })
    .option('set', { type: 'string', array: true, describe: 'override a setting: key.path=value (value read as YAML), repeatable' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print nothing but errors' });
}

/** Builds the parser; each command's handler only chooses what to run once parsing has succeeded. */
function parser(args: string[], choose: (action: () => Promise<number>) => void, fail: (message: string) => void) {
  return yargs(args)
    .scriptName('mkimage-gen')
    .usage(
      '$0 <command>\n\nRenders validated image build settings into a standalone mkimage script (debootstrap or mmdebstrap,\nrun as root on the build host), Dockerfiles and a docker-bake.hcl. In an infra repo, a mkimage-gen.yaml\nproject file (found from here upward) says which configs to render and where.',
    )
    .command(
      'generate [configs..]',
      'render the project\'s configs (or the presets, or the config files given) and write them',
      (y) =>
        treeOptions(y)
          .example('$0 generate', 'render the project file\'s configs, or every preset into generated/')
          .example('$0 generate configs/noble.yaml', 'write one of the project\'s configs; the others\' files stay')
          .example('$0 generate site/debian.yaml --out images', 'without a project file: render into images/debian/ and images/docker-bake.hcl')
          .example('$0 generate --set mirror=http://ftp.jp.debian.org/debian --out /tmp/x', 'the presets with another mirror'),
      (argv) =>
        choose(async () => {
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
        }),
    )
    .command(
      'check [configs..]',
      'render in memory and compare with the output directory; exit 1 on any difference (a build\'s tarball and records found there: a warning)',
      (y) =>
        treeOptions(y)
          .option('diff', { type: 'boolean', default: false, describe: 'show a unified diff of what generate would change' })
          .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
          .example('$0 check', 'in CI: exit 1 and list the files if the output is not what the configs render')
          .example('$0 check --diff', 'and show what differs')
          .example('$0 check --json', '{ "upToDate": false, "missing": [], "stale": ["debian/mkimage.sh"], "orphaned": [], "buildFiles": [] }'),
      (argv) =>
        choose(async () => {
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
            if (argv.diff) process.stdout.write((await import('./diff.js')).driftDiff(drift, files, await readCurrent(loaded.out)));
            process.stderr.write("regenerate with the command in the files' header (mkimage-gen generate ...)\n");
          } else if (!argv.quiet) process.stdout.write(`${describePath(`${out}/`)} is up to date\n`);
          return hasDrift(drift) ? EXIT.drift : EXIT.ok;
        }),
    )
    .command(
      'explain <config>',
      'say in plain words what a preset or config builds: release facts, sources, steps, tags, files, the runtime\'s sha256, and every command',
      (y) =>
        y
          .positional('config', { type: 'string', demandOption: true, describe: 'a config file, a config id of the project (its file name without extension), or a preset' })
          .option('set', { type: 'string', array: true, describe: 'override a setting: key.path=value (value read as YAML), repeatable' })
          .option('json', { type: 'boolean', default: false, describe: 'print the explanation as JSON' })
          .option('compare', {
            type: 'string',
            describe: "another script (a generated mkimage.sh, a config or a preset): say whether its runtime parts are this script's",
          })
          .example('$0 explain debian-bookworm-ja', 'explain a preset')
          .example('$0 explain configs/debian.yaml --json', 'the same facts for CI tooling')
          .example('$0 explain debian', 'in a project, from any folder of it: configs/debian.yaml')
          .example('$0 explain configs/debian.yaml --compare images/noble/mkimage.sh', 'is its runtime the one approved in that script?'),
      (argv) =>
        choose(async () => {
          const entry = (await configs()).loadOne(argv.config, argv.set ?? [], process.cwd());
          const other = argv.compare === undefined ? undefined : await (await import('./compare.js')).loadComparison(argv.compare, process.cwd());
          const { planImage, renderImage } = await render();
          const plan = planImage(entry);
          const files = renderImage(plan);
          const { dryRun } = await import('../io/dry-run.js');
          const { explainJson, explainText } = await import('./explain.js');
          const { runtimeParts } = await import('../render/runtime.js');
          const commands = dryRun(files.find((f) => f.path === SCRIPT_FILE)!.content);
          if (argv.json) process.stdout.write(json(explainJson(plan, files, commands, runtimeParts(), other)));
          // Every command once: the root ledger, which a test holds equal to the dry run.
          else process.stdout.write(explainText(plan, files, runtimeParts(), other));
          return EXIT.ok;
        }),
    )
    .command(
      'presets',
      'list the built-in presets, or print one as a config',
      (y) =>
        y
          .option('show', { type: 'string', describe: 'print this preset as a commented YAML config' })
          .option('json', { type: 'boolean', default: false, describe: 'print the list as JSON' })
          .example('$0 presets', 'names and descriptions')
          .example('$0 presets --show debian-bookworm-ja > configs/debian.yaml', 'start a config from a preset'),
      (argv) =>
        choose(async () => {
          const { PRESETS } = await presets();
          if (argv.show !== undefined) {
            const preset = await presetNamed(argv.show, '--show');
            const { commentedYaml } = await import('./config-yaml.js');
            process.stdout.write(commentedYaml(preset.settings, [`The preset ${preset.id}: ${preset.description}.`]));
          } else if (argv.json) {
            process.stdout.write(json(PRESETS.map((p) => ({ id: p.id, description: p.description, settings: p.settings }))));
          } else {
            const width = Math.max(...PRESETS.map((p) => p.id.length));
            process.stdout.write(PRESETS.map((p) => `${p.id.padEnd(width)}  ${p.description}\n`).join(''));
          }
          return EXIT.ok;
        }),
    )
    .command(
      'releases',
      'list the Debian and Ubuntu releases mkimage-gen knows, with the facts it uses',
      (y) =>
        y
          .option('json', { type: 'boolean', default: false, describe: 'print the table as JSON' })
          .example('$0 releases', 'distro, codename, version, status, sources format, security suite'),
      (argv) =>
        choose(async () => {
          const { releaseRows, releasesText } = await import('./releases.js');
          process.stdout.write(argv.json ? json(releaseRows()) : releasesText());
          return EXIT.ok;
        }),
    )
    .command(
      'init [name]',
      "start a project here: a mkimage-gen.yaml with the mirrors, a commented config from a preset, and the preset's files",
      (y) =>
        y
          .positional('name', { type: 'string', describe: 'the preset to start from (see `presets`); default debian-trixie: no locales, UTC' })
          .option('preset', { type: 'string', describe: 'the same, as an option' })
          .option('dir', { type: 'string', default: '.', describe: 'the project root' })
          .example('$0 init', 'mkimage-gen.yaml and configs/debian-trixie.yaml in this directory')
          .example('$0 init --preset debian-bookworm-ja', 'the Japanese image: ja locales, Tokyo time')
          .example('$0 init debian-trixie-company --dir infra/images', 'the company image and its key, CA, hooks and files, in another folder'),
      (argv) =>
        choose(async () => {
          // A repeated --preset comes as a list.
          const named = [argv.name, argv.preset].flat().filter((p): p is string => p !== undefined);
          if (new Set(named).size > 1) throw new ConfigError('init', [`name one preset, not ${named.map((p) => JSON.stringify(p)).join(' and ')}`]);
          const { INIT_PRESET, initFiles } = await import('./init.js');
          const preset = await presetNamed(named[0] ?? INIT_PRESET, 'init');
          const { validatedPresets } = await import('../presets/validated.js');
          const embedded = validatedPresets().find((p) => p.id === preset.id)!.settings.embedded;
          const files = initFiles(preset, embedded);
          const { writeNewFiles } = await import('../io/new-files.js');
          writeNewFiles(resolve(argv.dir), argv.dir, files);
          process.stdout.write(`${files.map((f) => `wrote  ${join(argv.dir, f.path)}`).join('\n')}\nnext: set your mirrors in ${join(argv.dir, 'mkimage-gen.yaml')}, mkimage-gen generate, commit, and run mkimage-gen check in CI\n`);
          return EXIT.ok;
        }),
    )
    .command(
      'schema',
      'print the JSON Schema of config files (or of the project file), for editors',
      (y) =>
        y
          .option('project', { type: 'boolean', default: false, describe: 'the project file\'s schema instead' })
          .example('$0 schema > config.schema.json', 'save it for your editor'),
      (argv) =>
        choose(async () => {
          const { projectJsonSchema, settingsJsonSchema } = await model();
          process.stdout.write(json(argv.project ? projectJsonSchema() : settingsJsonSchema()));
          return EXIT.ok;
        }),
    )
    .command(
      'refresh-manifest <built> <expected>',
      "replace an expected package manifest (the drift check's) by the one a build wrote beside its tarball",
      (y) =>
        y
          .positional('built', { type: 'string', demandOption: true, describe: 'the manifest a build wrote (e.g. out/rootfs.manifest)' })
          .positional('expected', { type: 'string', demandOption: true, describe: 'the committed manifest to replace (e.g. expected.manifest)' })
          .example('$0 refresh-manifest out/rootfs.manifest generated/debian-bookworm-ja/expected.manifest', 'accept the packages of the last build'),
      (argv) =>
        choose(async () => {
          (await import('./refresh-manifest.js')).refreshManifest(argv);
          return EXIT.ok;
        }),
    )
    .command(
      'outdated [configs..]',
      'would a rebuild now change the image? compare its manifest with the archives its build reads; exit 1 if so',
      (y) =>
        treeOptions(y)
          .option('manifest', { type: 'string', array: true, describe: "a build's manifest (e.g. out/rootfs.manifest) instead of the config's expected one; one per architecture" })
          .option('keyring', { type: 'string', describe: "check the distro's Release files with this keyring instead of the host's archive keyring" })
          .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
          .example('$0 outdated', "every config of the project against its expected manifest (expect:)")
          .example('$0 outdated configs/debian.yaml --manifest out/rootfs.manifest', "against the manifest of the last build")
          .example('$0 outdated --json', '{ "changed": true, "images": [{ "changes": [{ "kind": "upgrade", "name": "libc6", ... }] }] }')
          .epilogue('Exit codes: 0 a rebuild changes nothing; 1 it changes packages (or could not be built); 2 bad input, or a mirror that cannot be reached, a bad signature or a corrupt index (named).'),
      (argv) =>
        choose(async () => (await import('./outdated.js')).outdated(await load(argv), argv)),
    )
    .command(
      'refresh [configs..]',
      'move snapshot pins to the newest snapshot that changes the image, update the expected manifests, regenerate, and print the changes',
      (y) =>
        y
          .positional('configs', { type: 'string', array: true, describe: "config files (default: the project file's configs)" })
          .option('out', { type: 'string', describe: "output directory (default: the project file's out)" })
          .option('keyring', { type: 'string', describe: "check the distro's Release files with this keyring instead of the host's archive keyring" })
          .option('dry-run', { type: 'boolean', default: false, describe: 'write nothing; exit 1 if a pin would move' })
          .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
          .example('$0 refresh > pr-body.md', 'move the pins and keep the summary for the pull request')
          .example('$0 refresh --dry-run', 'say what would move')
          .epilogue('Exit codes: 0 done (pins moved, or none needed to); 1 the newest snapshot cannot be built (its pin stays), or with --dry-run a pin would move; 2 bad input, or an archive that cannot be read or trusted; nothing is written then.'),
      (argv) =>
        choose(async () => {
          const loaded = await load(argv);
          const regenerate = async (entries: RenderEntry[], bakeEntries: RenderEntry[]) => {
            const files = await (await render()).renderAll(entries, loaded.bakeOrigin, bakeEntries);
            (await tree()).writeTree(shownOut(loaded), files, { scope: loaded.scope });
          };
          const configFiles = (argv.configs ?? []).map((c) => resolve(process.cwd(), c));
          return (await import('./refresh.js')).refresh(loaded, { keyring: argv.keyring, dryRun: argv.dryRun, json: argv.json, configFiles }, regenerate);
        }),
    )
    .demandCommand(1, 'name a command: generate, check, explain, presets, releases, init, schema, refresh-manifest, outdated or refresh')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(VERSION)
    .alias('V', 'version')
    .epilogue(EXIT_CODES_TEXT)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((message, error) => {
      if (error) throw error;
      fail(message);
    });
}

/**
 * After a command's handler, yargs lays out that command's whole help in case it is
 * shown later (through string-width: ~30 ms of a generate run). We show it only on a
 * usage error, so it is laid out only then. This reaches into yargs' internals, and
 * does nothing if they are not as expected.
 */
function cacheHelpOnlyIf(cli: Argv, needed: () => boolean): void {
  type Usage = { cacheHelpMessage?: (this: Usage) => void };
  const internals = cli as unknown as { getInternalMethods?: () => { getUsageInstance?: () => Usage | undefined } };
  const usage = internals.getInternalMethods?.().getUsageInstance?.();
  const cache = usage?.cacheHelpMessage;
  if (!usage || typeof cache !== 'function') return;
  usage.cacheHelpMessage = function () {
    if (needed()) cache.call(this);
  };
}

export async function main(args: string[]): Promise<number> {
  let action: (() => Promise<number>) | undefined;
  let failure: string | undefined;
  const cli = parser(
    args,
    (chosen) => (action = chosen),
    (message) => (failure ??= message),
  );
  cacheHelpOnlyIf(cli, () => failure !== undefined);
  try {
    await cli.parseAsync();
    if (failure !== undefined) {
      process.stderr.write(`${await cli.getHelp()}\n\n${failure}\n`);
      return EXIT.badInput;
    }
    // --help and --version print and choose nothing.
    return action ? await action() : EXIT.ok;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${oneScreen(`mkimage-gen: bad input in ${error.message}`)}\n`);
      return EXIT.badInput;
    }
    if (error instanceof OutputError) {
      process.stderr.write(`mkimage-gen: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`mkimage-gen: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

/** A reader that stops early (`explain | head -1`) ends the output, not the program with a trace. */
function endQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
}

exitOnInterrupt();
endQuietlyOnClosedPipe();
// No top-level await: the bundle is CommonJS (see scripts/bundle.mjs).
void main(hideBin(process.argv)).then((code) => {
  process.exitCode = code;
});
