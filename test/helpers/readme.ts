// The README's YAML and shell blocks, as the tests that run them read them. A block may
// say what it is in an HTML comment on the line before its fence (GitHub does not show
// it): <!-- readme-test: KIND ARGS -->. Without one, a shell block is run and a YAML
// block is a whole config. The kinds:
//   file PATH          a YAML block saved as PATH; the shell blocks of its section run beside it
//   fragment PRESET    part of a config: laid over the preset, with files for the paths it names
//   project            a project file (mkimage-gen.yaml)
//   quick-start        the Quick start, run line by line by test/quick-start.test.ts
//   install            a way to install, run by test/quick-start.test.ts with a local source
//   ci-job             the CI job, run in a fresh clone by test/quick-start.test.ts
//   given-build        a shell block that needs a build's out/ (the test lays one out)
//   fails              a shell block meant to fail: it must exit non-zero
//   not-run: REASON    not run by the tests, and why
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './presets.js';

export interface ReadmeBlock {
  /** The `## ` section it is in. */
  section: string;
  lang: 'sh' | 'yaml';
  kind: string;
  /** What follows the kind in the marker. */
  arg: string;
  body: string;
  /** 1-based line of the opening fence. */
  line: number;
}

export const README = join(ROOT, 'README.md');

const MARKER = /^<!-- readme-test: ([a-z-]+)(?::? (.*?))? -->$/;

/** Every ```sh and ```yaml block of the README, in order. */
export function readmeBlocks(text = readFileSync(README, 'utf8')): ReadmeBlock[] {
  const lines = text.split('\n');
  const blocks: ReadmeBlock[] = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('## ')) section = line.slice(3);
    const fence = /^```(\w*)$/.exec(line);
    if (!fence) continue;
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`README.md:${i + 1}: a fence that does not close`);
    const lang = fence[1]!;
    if (lang === 'sh' || lang === 'yaml') {
      let before = i - 1;
      while (before >= 0 && lines[before]!.trim() === '') before--;
      const marker = before >= 0 ? MARKER.exec(lines[before]!.trim()) : null;
      const kind = marker?.[1] ?? (lang === 'sh' ? 'run' : 'config');
      blocks.push({ section, lang, kind, arg: marker?.[2] ?? '', body: `${lines.slice(i + 1, end).join('\n')}\n`, line: i + 1 });
    }
    i = end;
  }
  return blocks;
}

/** The one block of a kind (quick-start, ci-job), or an error naming what is there. */
export function readmeBlock(kind: string): ReadmeBlock {
  const found = readmeBlocks().filter((b) => b.kind === kind);
  if (found.length !== 1) throw new Error(`README.md has ${found.length} blocks marked readme-test: ${kind}; expected one`);
  return found[0]!;
}

/**
 * A shell block's commands, one per entry: continuation lines joined, blank lines and
 * comment lines left out (a comment after a command stays with it; bash drops it).
 */
export function shellCommands(body: string): string[] {
  const commands: string[] = [];
  let pending = '';
  for (const raw of body.split('\n')) {
    const line = pending === '' ? raw : `${pending}\n${raw}`;
    if (/\\$/.test(raw)) {
      pending = line;
      continue;
    }
    pending = '';
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    commands.push(line);
  }
  return commands;
}
