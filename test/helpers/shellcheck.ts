// Debian's shellcheck for the tests: npm puts node_modules/.bin first on PATH, and the
// npm wrapper there cannot download its binary on these machines.
import { existsSync } from 'node:fs';

/** A system binary: node_modules/.bin comes first on npm's PATH and holds the wrapper itself. */
export function systemBinary(command: string): string {
  const dirs = (process.env.PATH ?? '').split(':').filter((dir) => dir !== '' && !dir.includes('node_modules'));
  return dirs.map((dir) => `${dir}/${command}`).find((path) => existsSync(path)) ?? '';
}

/** An environment in which `shellcheck`, the wrapper or not, runs Debian's binary quietly. */
export const shellcheckEnv = (binary = systemBinary('shellcheck')) => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: process.env.HOME ?? '/root',
  SHELLCHECKJS_BIN: binary,
  SHELLCHECKJS_LOGGER_LEVEL: 'error',
});
