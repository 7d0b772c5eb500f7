#!/usr/bin/env node
// The command line: parse and validate the whole command line first, then act, print,
// exit. Nothing is read, written or removed before the command line is known to be good.
// Each command is a module of commands/ (its options, examples and work); this file
// sets up the parser, lists the commands and runs the one chosen.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { OutputError } from '../io/output-error.js';
import { exitOnInterrupt } from '../io/signals.js';
import { ConfigError } from '../model/errors.js';
import { VERSION } from '../package-root.js';
import type { Command } from './command.js';
import { check } from './commands/check.js';
import { explain } from './commands/explain.js';
import { generate } from './commands/generate.js';
import { init } from './commands/init.js';
import { outdated } from './commands/outdated.js';
import { presets } from './commands/presets.js';
import { refresh } from './commands/refresh.js';
import { refreshManifest } from './commands/refresh-manifest.js';
import { releases } from './commands/releases.js';
import { schema } from './commands/schema.js';
import { verify } from './commands/verify.js';
import { EXIT } from './common.js';

export { EXIT } from './common.js';

/** Every command, in the order --help lists them. */
const COMMANDS: readonly Command[] = [generate, check, explain, presets, releases, init, schema, refreshManifest, outdated, refresh, verify];

const EXIT_CODES_TEXT = 'Exit codes: 0 ok; 1 check found drift (or a write failed); 2 bad input (command line, config or project file), nothing touched.';

/** Bad input is reported on one screen: several bad configs could say more than that. */
const SCREEN_LINES = 25;
function oneScreen(text: string): string {
  const lines = text.split('\n');
  if (lines.length <= SCREEN_LINES) return text;
  return [...lines.slice(0, SCREEN_LINES - 1), `  ... and ${lines.length - SCREEN_LINES + 1} more lines`].join('\n');
}

/** "a, b or c" */
const orList = (words: readonly string[]) => `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;

/** Builds the parser; a command's handler only chooses what to run once parsing has succeeded. */
function parser(args: string[], choose: (action: () => Promise<number>) => void, fail: (message: string) => void) {
  const cli = yargs(args)
    .scriptName('mkimage-gen')
    .usage(
      '$0 <command>\n\nRenders validated image build settings into a standalone mkimage script (debootstrap or mmdebstrap,\nrun as root on the build host), Dockerfiles and a docker-bake.hcl. In an infra repo, a mkimage-gen.yaml\nproject file (found from here upward) says which configs to render and where.',
    );
  for (const { run, ...command } of COMMANDS) cli.command({ ...command, handler: (argv) => choose(() => run(argv)) });
  return cli
    .demandCommand(1, `name a command: ${orList(COMMANDS.map((c) => c.command.split(' ')[0]!))}`)
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

export async function main(args: string[]): Promise<number> {
  let action: (() => Promise<number>) | undefined;
  let failure: string | undefined;
  const cli = parser(
    args,
    (chosen) => (action = chosen),
    (message) => (failure ??= message),
  );
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
