// Run a rendered script the way a reviewer would try it: `--dry-run`, as an unprivileged
// user (nobody), in a scratch directory that user may write to, so a payload that ran
// would leave its canary behind.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CANARY, TMP_CANARY } from './hostile.js';

export const NOBODY = 65534;

export interface DryRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Canary files found after the run: any at all means a value was executed. */
  canaries: string[];
}

/** Every path below dir named like the canary. */
function findCanaries(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => p.split('/').pop() === CANARY);
}

export function bashSyntaxCheck(script: string): { status: number | null; stderr: string } {
  const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stderr: r.stderr };
}

/** Run the script with `args` as nobody, in a fresh world-writable directory that holds it. */
export function runAsNobody(script: string, args: readonly string[]): DryRun {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-gen-dry-'));
  rmSync(TMP_CANARY, { force: true });
  try {
    chmodSync(dir, 0o777);
    writeFileSync(join(dir, 'mkimage.sh'), script, { mode: 0o755 });
    const r = spawnSync(
      'setpriv',
      [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'bash', './mkimage.sh', ...args],
      {
        cwd: dir,
        encoding: 'utf8',
        timeout: 60_000,
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: dir, TMPDIR: dir, LANG: 'C.UTF-8' },
      },
    );
    if (r.error) throw r.error;
    const canaries = findCanaries(dir).map((p) => join(dir, p));
    if (existsSync(TMP_CANARY)) canaries.push(TMP_CANARY);
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, canaries };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(TMP_CANARY, { force: true });
  }
}

export function dryRunAsNobody(script: string): DryRun {
  return runAsNobody(script, ['--dry-run', '--output-dir', 'out', '--work-dir', 'work']);
}
