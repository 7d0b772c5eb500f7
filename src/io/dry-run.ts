// Run a rendered script with --dry-run, for explain: it needs bash, but no root, and
// writes nothing but the temporary copy it runs from.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How the printed commands name the folder of the script: the same on every run and machine. */
export const SCRIPT_DIR_SHOWN = '<script-dir>';

export function dryRun(script: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'mkimage-explain-')));
  try {
    const path = join(dir, 'mkimage.sh');
    writeFileSync(path, script, { mode: 0o755 });
    const result = spawnSync('bash', [path, '--dry-run', '--output-dir', '<output-dir>', '--work-dir', '<work-dir>'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    if (result.error) return `(could not run bash for the command list: ${result.error.message})\n`;
    // The copy's temporary folder is ours, not the user's: name it the same way every time.
    // A step's duration depends on the machine's load; explain prints `done` instead.
    return (result.stdout + (result.status === 0 ? '' : result.stderr))
      .replaceAll(dir, SCRIPT_DIR_SHOWN)
      .replace(/^(\[[^\]\n]+\] .+ \.\.\.) \d+\.\ds$/gm, '$1 done');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
