// Run a rendered script with --dry-run, for explain: it needs bash, but no root, and
// writes nothing but the temporary copy it runs from.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function dryRun(script: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-explain-'));
  try {
    const path = join(dir, 'mkimage.sh');
    writeFileSync(path, script, { mode: 0o755 });
    const result = spawnSync('bash', [path, '--dry-run', '--output-dir', '<output-dir>', '--work-dir', '<work-dir>'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    if (result.error) return `(could not run bash for the command list: ${result.error.message})\n`;
    return result.stdout + (result.status === 0 ? '' : result.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
