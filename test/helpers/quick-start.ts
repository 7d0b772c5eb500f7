// The README's Quick start as a new user follows it: mkimage-gen installed the way the
// README's Install section says (from a git repository or a release tarball, here a
// local bare repository and a tarball `npm pack` made, no forge and no registry of ours),
// into a fresh git repo, then every Quick start line in order, each read from the README.
// test/quick-start.test.ts runs it without the line that needs root and a build;
// test/e2e/quick-start.test.ts runs that line too.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './presets.js';
import { readmeBlock, readmeBlocks, shellCommands } from './readme.js';

export type InstallForm = 'git' | 'tarball';

export interface Ran {
  command: string;
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment a user's shell has: none of the npm_* variables that `npm test` sets
 * for us (a nested npm would take them as its config), git's identity for the commit,
 * and npm told to take what its cache holds (the packages `npm ci` fetched for this
 * checkout) before asking the registry.
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key) && key !== 'INIT_CWD') env[key] = value;
  return {
    ...env,
    GIT_AUTHOR_NAME: 'Quick Start',
    GIT_AUTHOR_EMAIL: 'quick-start@example.invalid',
    GIT_COMMITTER_NAME: 'Quick Start',
    GIT_COMMITTER_EMAIL: 'quick-start@example.invalid',
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    ...extra,
  };
}

/** One line as bash runs it, in `cwd`. */
export function runLine(cwd: string, command: string, env: NodeJS.ProcessEnv, timeout = 900_000): Ran {
  const r = spawnSync('bash', ['-c', `set -euo pipefail\n${command}`], { cwd, env, encoding: 'utf8', timeout });
  return { command, status: r.status, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

export const describeRan = (r: Ran) => `$ ${r.command}\nexit ${r.status}\n${r.stdout}${r.stderr}`;

function must(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const r = spawnSync(command, args, { ...options, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')}: exit ${r.status}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/**
 * A bare repository holding the checkout as it is now (committed or not, what git does
 * not ignore), as mkimage-gen's own repository would: `git+file://` URL at that commit.
 */
export function gitSource(dir: string): string {
  const bare = join(dir, 'mkimage-gen.git');
  must('git', ['init', '-q', '--bare', bare]);
  const git = ['--git-dir', bare, '--work-tree', ROOT];
  must('git', [...git, 'add', '-A'], { env: userEnv() });
  must('git', [...git, 'commit', '-q', '-m', 'mkimage-gen as it is'], { env: userEnv() });
  return `git+file://${bare}#${must('git', ['--git-dir', bare, 'rev-parse', 'HEAD']).trim()}`;
}

/**
 * A release tarball: `npm pack` of the checkout. The test command builds dist/ first
 * (npm test, make test), which is what the package's prepare script would build again.
 */
export function tarballSource(dir: string): string {
  mkdirSync(dir, { recursive: true });
  must('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: ROOT, env: userEnv() });
  const [name] = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
  if (name === undefined) throw new Error(`npm pack wrote no tarball into ${dir}`);
  return join(dir, name);
}

/** The README's install block for a form: its MKIMAGE_GEN= value, and the other lines, as they are. */
export function installBlock(form: InstallForm): { example: string; commands: string[] } {
  const block = readmeBlocks().find((b) => b.kind === 'install' && b.arg === form);
  if (!block) throw new Error(`README.md has no block marked readme-test: install ${form}`);
  const commands = shellCommands(block.body);
  const assignment = commands.find((c) => /^MKIMAGE_GEN=/.test(c));
  if (!assignment) throw new Error(`README.md:${block.line}: the install block sets no MKIMAGE_GEN`);
  const example = /^MKIMAGE_GEN=(\S+)/.exec(assignment)![1]!;
  return { example, commands: commands.filter((c) => c !== assignment) };
}

/**
 * Install as the README's Install section says, into `repo`: the tarball goes where its
 * example path puts it (in the repo, committed with it); the git form installs from
 * `source`. Returns MKIMAGE_GEN for the Quick start.
 */
export function installFrom(repo: string, form: InstallForm, source: string, env: NodeJS.ProcessEnv): { value: string; ran: Ran[] } {
  const { example, commands } = installBlock(form);
  let value = source;
  if (form === 'tarball') {
    if (!example.startsWith('./')) throw new Error(`the README's tarball example ${example} is not a path in the repo`);
    mkdirSync(dirname(join(repo, example)), { recursive: true });
    copyFileSync(source, join(repo, example));
    value = example;
  }
  return { value, ran: commands.map((c) => runLine(repo, c, env)) };
}

/** The Quick start's lines, in order; `root` marks the ones that need root (sudo). */
export function quickStartLines(): { command: string; root: boolean }[] {
  return shellCommands(readmeBlock('quick-start').body).map((command) => ({ command, root: /^sudo\s/.test(command) }));
}

/** The CI job's `run:` steps, in order, and the actions it uses before them. */
export function ciJob(): { uses: string[]; runs: string[] } {
  const job = parse(readmeBlock('ci-job').body) as { jobs: Record<string, { steps: { uses?: string; run?: string }[] }> };
  const steps = Object.values(job.jobs).flatMap((j) => j.steps);
  return { uses: steps.flatMap((s) => (s.uses ? [s.uses] : [])), runs: steps.flatMap((s) => (s.run ? [s.run] : [])) };
}

/** The package.json a form's install left, for the checks. */
export const packageJson = (repo: string) => JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
