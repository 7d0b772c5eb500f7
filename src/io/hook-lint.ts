// At generate time, the user's hooks go through shellcheck when the host has it: its
// findings are warnings on stderr, never a failure (the hooks are the user's code, and
// the script that embeds them stays the same either way).
import { spawnSync } from 'node:child_process';
import type { RenderEntry } from '../generate.js';

/** One line per finding, `<config>: <hook>:<line>:<col>: <level>: <message>`; or why none could be made. */
export function lintHooks(entries: readonly RenderEntry[]): string[] {
  const hooks = entries.flatMap((entry) =>
    entry.settings.hooks.map((hook) => ({ entry, file: hook.script, content: Buffer.from(entry.settings.embedded[hook.script] ?? '', 'base64') })),
  );
  if (hooks.length === 0) return [];
  const out: string[] = [];
  for (const { entry, file, content } of hooks) {
    const run = spawnSync('shellcheck', ['--format=gcc', '-'], { input: content, encoding: 'utf8' });
    if (run.error) {
      const code = (run.error as NodeJS.ErrnoException).code;
      return [`mkimage-gen: hooks not checked: ${code === 'ENOENT' ? 'no shellcheck on PATH (apt: shellcheck)' : `shellcheck failed to run (${code ?? run.error.message})`}`];
    }
    for (const line of run.stdout.split('\n').filter((l) => l !== '')) {
      out.push(`mkimage-gen: warning: ${entry.origin.generatedFrom}: ${line.replace(/^-:/, `${file}:`)}`);
    }
  }
  return out;
}
