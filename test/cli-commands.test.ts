// One module a command: src/cli/commands/<name>.ts says its options, examples and work,
// and main.ts lists it once. A command --help shows has its module, and a module is a
// command --help shows.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { ROOT } from './helpers/presets.js';

const modules = readdirSync(join(ROOT, 'src/cli/commands'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

describe('CLI commands', () => {
  it('are the modules of src/cli/commands, each listed in --help', () => {
    const help = cli(['--help']);
    expect(help.status, help.stderr).toBe(0);
    const listed = [...help.stdout.matchAll(/^ {2}mkimage-gen ([a-z-]+)/gm)].map((m) => m[1]!).sort();
    expect(listed.length).toBeGreaterThan(5);
    expect(listed).toEqual(modules);
  });

  it('each module exports one command whose name is its file name', async () => {
    for (const name of modules) {
      const exported = Object.values(await import(`../src/cli/commands/${name}.ts`)) as { command: string; run: unknown }[];
      expect(exported, name).toHaveLength(1);
      expect(exported[0]!.command.split(' ')[0], name).toBe(name);
      expect(typeof exported[0]!.run, name).toBe('function');
    }
  });
});
