// Render a config as a user would (a YAML file, `mkimage-gen generate` into a folder)
// and run the generated mkimage.sh for real, watching its progress lines, so a test
// can wait for a step and interrupt it there.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';
import { loadSelection } from '../../../src/cli/entries.js';
import { writeTree } from '../../../src/io/tree.js';
import type { OutputFile } from '../../../src/layout.js';
import type { SettingsInput } from '../../../src/model/index.js';
import { renderAll, type RenderEntry } from '../../../src/generate.js';
import { SYSTEM_PATH } from './host.js';

export interface Rendered {
  /** The folder of this config's outputs: mkimage.sh, Dockerfile, derived/<name>/Dockerfile. */
  dir: string;
  script: string;
  dockerfile: string;
  /** Last component of a derived image's name -> the folder holding its Dockerfile. */
  derived: Map<string, string>;
  /** The generated files, relative to `dir`. */
  files: string[];
}

/** Write `<root>/<id>.yaml` and generate it into `<root>/out/<id>/`, as `mkimage-gen generate` does. */
export async function renderConfig(root: string, id: string, settings: SettingsInput): Promise<Rendered> {
  const { out, files } = await renderProject(root, { [id]: settings });
  const dir = join(out, id);
  const derived = new Map<string, string>();
  for (const file of files) {
    const match = new RegExp(`^${id}/derived/([^/]+)/Dockerfile$`).exec(file.path);
    if (match) derived.set(match[1]!, join(dir, 'derived', match[1]!));
  }
  return {
    dir,
    script: join(dir, 'mkimage.sh'),
    dockerfile: join(dir, 'Dockerfile'),
    derived,
    files: files.filter((f) => f.path.startsWith(`${id}/`)).map((f) => f.path.slice(id.length + 1)),
  };
}

/**
 * Several configs written beside each other under `root` and generated together into
 * `root/<out>`, as `mkimage-gen generate` does for a project: one bake file for all.
 * Returns the output folder, the entries (for plans) and the files written there.
 */
export async function renderProject(root: string, configs: Record<string, SettingsInput>, out = 'out'): Promise<{ out: string; entries: RenderEntry[]; files: OutputFile[] }> {
  mkdirSync(root, { recursive: true });
  const paths = Object.entries(configs).map(([id, settings]) => {
    const path = join(root, `${id}.yaml`);
    writeFileSync(path, stringify(settings));
    return path;
  });
  const dir = join(root, out);
  const { entries, bakeOrigin } = loadSelection({ configs: paths, sets: [], out: dir, cwd: root });
  const files = renderAll(entries, bakeOrigin);
  writeTree(dir, files);
  return { out: dir, entries, files };
}

/**
 * A progress line: `[3/9] apt sources ...` when a step starts, `... 0.4s` when it ends.
 * Read from both streams: steps that run inside mmdebstrap's hooks print to stderr,
 * because mmdebstrap's stdout carries the tarball.
 */
export interface Progress {
  label: string;
  title: string;
  done: boolean;
}

export function parseProgress(line: string): Progress | undefined {
  const match = /^\[([^\]]+)\] (.+?) \.\.\.(?: (\d+\.\d)s)?$/.exec(line);
  return match ? { label: match[1]!, title: match[2]!, done: match[3] !== undefined } : undefined;
}

export interface Line {
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: Line[];
  stdout: string;
  stderr: string;
  /** Both streams, in the order the lines arrived. */
  output: string;
  /** Step titles in the order they started (progress lines of either stream). */
  started: string[];
  /** Step titles that printed their closing line. */
  finished: string[];
}

const running = new Set<ScriptRun>();

export interface RunOptions {
  env?: Record<string, string>;
  /** Run as this uid/gid through setpriv (the not-root test). */
  asUser?: { uid: number; gid: number };
  /** Replaces the whole PATH (the missing-tool tests). */
  path?: string;
}

/** One run of a generated script in its own process group; lines are watched as they come. */
export class ScriptRun {
  readonly child: ChildProcess;
  readonly lines: Line[] = [];
  readonly done: Promise<Finished>;
  private watchers: Array<(line: Line) => void> = [];
  private exited = false;

  constructor(script: string, args: readonly string[], options: RunOptions = {}) {
    const env: Record<string, string> = {
      PATH: options.path ?? SYSTEM_PATH,
      HOME: '/root',
      LANG: 'C.UTF-8',
      ...passThroughProxy(),
      ...options.env,
    };
    const [command, argv] = options.asUser
      ? ['setpriv', [`--reuid=${options.asUser.uid}`, `--regid=${options.asUser.gid}`, '--clear-groups', '--', script, ...args]]
      : [script, [...args]];
    this.child = spawn(command as string, argv as string[], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
    running.add(this);
    const streamDone = (['stdout', 'stderr'] as const).map(
      (stream) =>
        new Promise<void>((resolve) => {
          const rl = createInterface({ input: this.child[stream]! });
          rl.on('line', (text) => this.push({ stream, text }));
          rl.on('close', resolve);
        }),
    );
    this.done = new Promise<Finished>((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('exit', (code, signal) => {
        void Promise.all(streamDone).then(() => {
          this.exited = true;
          running.delete(this);
          for (const watcher of this.watchers) watcher({ stream: 'stderr', text: '' });
          resolve(this.finish(code, signal));
        });
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  private push(line: Line) {
    this.lines.push(line);
    for (const watcher of [...this.watchers]) watcher(line);
  }

  private finish(code: number | null, signal: NodeJS.Signals | null): Finished {
    const pick = (stream: Line['stream']) =>
      this.lines
        .filter((l) => l.stream === stream)
        .map((l) => `${l.text}\n`)
        .join('');
    const progress = this.lines.map((l) => parseProgress(l.text));
    return {
      code,
      signal,
      lines: this.lines,
      stdout: pick('stdout'),
      stderr: pick('stderr'),
      output: this.lines.map((l) => `${l.text}\n`).join(''),
      started: progress.filter((p) => p && !p.done).map((p) => p!.title),
      finished: progress.filter((p) => p?.done).map((p) => p!.title),
    };
  }

  /**
   * Resolves with the first line (already seen or to come) that matches; rejects if the
   * script exits first. No clock: the hook timeout of the test is the only limit.
   */
  waitForLine(match: (line: Line) => boolean, what: string): Promise<Line> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<Line>((resolve, reject) => {
      const watcher = (line: Line) => {
        if (this.exited) {
          this.watchers = this.watchers.filter((w) => w !== watcher);
          reject(new Error(`the script ended before ${what}:\n${this.tail()}`));
        } else if (match(line)) {
          this.watchers = this.watchers.filter((w) => w !== watcher);
          resolve(line);
        }
      };
      this.watchers.push(watcher);
    });
  }

  /** Waits for a step to start, by its title (step numbers differ between backends). */
  waitForStep(title: RegExp): Promise<Line> {
    return this.waitForLine((l) => {
      const p = parseProgress(l.text);
      return p !== undefined && !p.done && title.test(p.title);
    }, `step ${title} started`);
  }

  /** Calls back on every line from now on (lines already seen are not replayed). */
  onLine(callback: (line: Line) => void): void {
    this.watchers.push((line) => {
      if (!this.exited) callback(line);
    });
  }

  /** Has the step with this title printed its closing line? */
  stepFinished(title: RegExp): boolean {
    return this.lines.some((l) => {
      const p = parseProgress(l.text);
      return p?.done === true && title.test(p.title);
    });
  }

  get running(): boolean {
    return !this.exited;
  }

  /** The signal goes to the script's own pid, as `kill PID` or Ctrl-C in its terminal would. */
  signal(signal: NodeJS.Signals): void {
    process.kill(this.pid, signal);
  }

  tail(lines = 40): string {
    return this.lines
      .slice(-lines)
      .map((l) => `${l.stream === 'stderr' ? '! ' : '  '}${l.text}`)
      .join('\n');
  }
}

function passThroughProxy(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['http_proxy', 'https_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY']) {
    if (process.env[name]) env[name] = process.env[name]!;
  }
  return env;
}

/** Run to the end. */
export function runScript(script: string, args: readonly string[], options: RunOptions = {}): Promise<Finished> {
  return new ScriptRun(script, args, options).done;
}

/**
 * Stop every script run this process started and that still runs (a test that failed
 * or timed out half-way): TERM to its process group, then KILL after a grace period.
 */
export async function stopScripts(graceMs = 60_000): Promise<void> {
  await Promise.all(
    [...running].map(async (run) => {
      try {
        process.kill(-run.pid, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-run.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, graceMs);
      await run.done.catch(() => undefined);
      clearTimeout(timer);
    }),
  );
}

/** Describes a finished run for an assertion message. */
export function describeRun(run: Finished, tail = 60): string {
  const lines = run.output.trimEnd().split('\n');
  return `exit ${run.code}${run.signal ? ` (signal ${run.signal})` : ''}; last lines:\n${lines.slice(-tail).join('\n')}`;
}

/** The bake command a finished build printed: where to run it, the files it reads and the group it builds. */
export interface BakeHint {
  cwd: string;
  files: string[];
  group: string;
}

/** Reads `mkimage: bake reads ...: cd DIR && docker buildx bake -f A -f B GROUP` from a build's output. */
export function bakeHint(stdout: string): BakeHint {
  const match = /^mkimage: bake reads \S+: cd (\S+) && docker buildx bake -f (\S+) -f (\S+) (\S+)$/m.exec(stdout);
  if (!match) throw new Error(`the build printed no bake command:\n${stdout.slice(-2000)}`);
  return { cwd: match[1]!, files: [match[2]!, match[3]!], group: match[4]! };
}
