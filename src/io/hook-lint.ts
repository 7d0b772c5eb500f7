// When generate writes a script, the user's hooks in it go through shellcheck if the host
// has it: its findings are warnings on stderr, never a failure (the hooks are the user's
// code, and the script that embeds them stays the same either way). Each hook is checked
// in a child process of its own, all at once.
import { spawn } from 'node:child_process';
import type { RenderEntry } from '../generate.js';

type Run = { stdout: string } | { error: NodeJS.ErrnoException };

/** shellcheck on one script from stdin: what it printed, or why it could not run. */
function shellcheck(content: Buffer): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('shellcheck', ['--format=gcc', '-'], { stdio: ['pipe', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', (error) => resolve({ error }));
    child.on('close', () => resolve({ stdout }));
    // A shellcheck that exits before reading everything is its own finding, not ours.
    child.stdin.on('error', () => {});
    child.stdin.end(content);
  });
}

/** One line per finding, `<config>: <hook>:<line>:<col>: <level>: <message>`; or why none could be made. */
export async function lintHooks(entries: readonly RenderEntry[]): Promise<string[]> {
  const hooks = entries.flatMap((entry) =>
    entry.settings.hooks.map((hook) => ({ entry, file: hook.script, content: Buffer.from(entry.settings.embedded[hook.script] ?? '', 'base64') })),
  );
  const runs = await Promise.all(hooks.map((hook) => shellcheck(hook.content)));
  const out: string[] = [];
  for (const [i, run] of runs.entries()) {
    if ('error' in run) {
      const code = run.error.code;
      return [`mkimage-gen: hooks not checked: ${code === 'ENOENT' ? 'no shellcheck on PATH (apt: shellcheck)' : `shellcheck failed to run (${code ?? run.error.message})`}`];
    }
    const { entry, file } = hooks[i]!;
    for (const line of run.stdout.split('\n').filter((l) => l !== '')) {
      out.push(`mkimage-gen: warning: ${entry.origin.generatedFrom}: ${line.replace(/^-:/, `${file}:`)}`);
    }
  }
  return out;
}
