// Run the built CLI (npm test builds it first) as a user would.
import { spawnSync } from 'node:child_process';
import { ROOT } from './presets.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], cwd = ROOT, env?: NodeJS.ProcessEnv): CliResult {
  const result = spawnSync(process.execPath, [`${ROOT}/dist/cli/main.js`, ...args], { cwd, env, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
