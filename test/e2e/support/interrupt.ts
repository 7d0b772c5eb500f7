// Interrupt a generated script at a chosen point and check what it left behind. The
// point is found from what the script prints and mounts, never from a clock: during
// bootstrap once debootstrap has mounted /proc in the target (its second stage), and
// during the locale step once locale-gen has started compiling in the chroot.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExpectStatic } from 'vitest';
import { mountsUnder, processesUnder } from './host.js';
import { describeRun, ScriptRun, type Finished, type RunOptions } from './script.js';

export type Phase = 'bootstrap' | 'locales';
export type StopSignal = 'SIGTERM' | 'SIGINT';

/** What the script exits with: 128 + the signal number, as a shell reports it. */
export const EXIT_STATUS: Record<StopSignal, number> = { SIGTERM: 143, SIGINT: 130 };

export interface Interrupted {
  result: Finished;
  /** Title of the step the signal came in. */
  step: RegExp;
  /** Mounts under the work dir at the moment of the signal: what cleanup had to undo. */
  mountsAtSignal: string[];
  /** The host right after the script exited (taken at once: a re-run may follow in the same directories). */
  after: { mounts: string[]; workEntries: string[]; processes: string[]; out: Record<string, string> };
}

const STEP: Record<Phase, RegExp> = { bootstrap: /^debootstrap /, locales: /^locales$/ };

/** Run the script with `args` (which name `work` and, where not the default, `out`) and interrupt it. */
export async function interruptDuring(
  script: string,
  args: readonly string[],
  options: RunOptions,
  dirs: { work: string; out: string },
  phase: Phase,
  signal: StopSignal,
): Promise<Interrupted> {
  const { work, out } = dirs;
  const run = new ScriptRun(script, args, options);
  const step = STEP[phase];
  await run.waitForStep(step);
  let mountsAtSignal: string[];
  if (phase === 'bootstrap') {
    // debootstrap mounts /proc in the target for its second stage: interrupt it there.
    mountsAtSignal = await new Promise<string[]>((resolve, reject) => {
      const poll = setInterval(() => {
        const mounts = mountsUnder(work);
        if (mounts.length > 0 || !run.running || run.stepFinished(step)) {
          clearInterval(poll);
          if (mounts.length > 0 && run.running) resolve(mounts);
          else reject(new Error(`debootstrap mounted nothing before it ended:\n${run.tail()}`));
        }
      }, 50);
    });
  } else {
    // locale-gen is compiling the locales inside the chroot (/proc, /sys, /dev/pts mounted).
    await run.waitForLine((l) => /^Generating locales/.test(l.text), 'locale-gen started');
    mountsAtSignal = mountsUnder(work);
  }
  run.signal(signal);
  const result = await run.done;
  const after = {
    mounts: mountsUnder(work),
    workEntries: existsSync(work) ? readdirSync(work) : [],
    processes: processesUnder(work),
    out: snapshot(out),
  };
  return { result, step, mountsAtSignal, after };
}

/**
 * Every entry of a directory and what its files hold (small ones as text, large ones by
 * size and sha256), to prove a run left it exactly as it was.
 */
export function snapshot(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const entries = readdirSync(dir, { withFileTypes: true }).map((e): [string, string] => {
    if (!e.isFile()) return [e.name, `<${e.isDirectory() ? 'directory' : 'other'}>`];
    const bytes = readFileSync(join(dir, e.name));
    return [e.name, bytes.length <= 256 ? bytes.toString('utf8') : `<${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex')}>`];
  });
  return Object.fromEntries(entries);
}

/**
 * The contract of an interrupted run: the signal's exit status, the step it came in did
 * not finish and no later one started, nothing mounted, no work dir, nothing running in
 * the chroot, and the output directory exactly as before.
 */
export function expectCleanInterrupt(
  expect: ExpectStatic,
  { result, step, mountsAtSignal, after }: Interrupted,
  signal: StopSignal,
  outBefore: Record<string, string>,
): void {
  expect(mountsAtSignal.length, 'mounts to clean up when the signal came').toBeGreaterThan(0);
  expect(result.code, describeRun(result)).toBe(EXIT_STATUS[signal]);
  expect(result.finished.some((t) => step.test(t)), 'the interrupted step did not finish').toBe(false);
  expect(result.started.at(-1)).toMatch(step);
  expect(after.mounts, 'mounts left').toEqual([]);
  expect(after.workEntries, 'the work directory is removed').toEqual([]);
  expect(after.processes, 'processes left in the chroot').toEqual([]);
  expect(after.out, 'the output directory is as before: no partial tarball').toEqual(outBefore);
}
