// The bad-config corpus: each file in test/fixtures/bad/ beside its .expect (the field
// the message names, a fragment of the message, and optionally text that must not
// appear, such as a password). The CLI must exit 2, say so on one screen, and write nothing.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/presets.js';

const FIXTURES = join(ROOT, 'test/fixtures/bad');
const SCREEN_LINES = 25;

interface Expectation {
  field: string;
  message: string;
  absent?: string;
}

function readExpect(name: string): Expectation {
  const fields = Object.fromEntries(
    readFileSync(join(FIXTURES, `${name}.expect`), 'utf8')
      .split('\n')
      .filter((line) => line.includes(': '))
      .map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]),
  );
  if (!fields.field || !fields.message) throw new Error(`${name}.expect needs a field: and a message: line`);
  return { field: fields.field, message: fields.message, absent: fields.absent };
}

const configs = readdirSync(FIXTURES)
  // Configs only: the keys, files and hooks beside them are what they name.
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort();

interface Outcome {
  status: number | null;
  stderr: string;
  stdout: string;
  wrote: boolean;
}

const run = promisify(execFile);
let work: string;
const outcomes = new Map<string, Outcome>();

/** Run the CLI on every fixture, four at a time, each in its own copy of the corpus (the limit only catches a hang on a loaded machine). */
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mkimage-gen-bad-'));
  const queue = [...configs];
  const worker = async () => {
    for (let config = queue.shift(); config !== undefined; config = queue.shift()) {
      const dir = join(work, config);
      cpSync(FIXTURES, dir, { recursive: true });
      const result = await run(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'generate', config, '--out', 'out'], {
        cwd: dir,
        encoding: 'utf8',
      }).then(
        (r) => ({ status: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code?: number; stdout: string; stderr: string }) => ({ status: e.code ?? null, stdout: e.stdout, stderr: e.stderr }),
      );
      outcomes.set(config, { ...result, wrote: existsSync(join(dir, 'out')) });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('bad-config corpus', () => {
  it('holds at least 30 configs, each with its expectation', () => {
    expect(configs.length).toBeGreaterThanOrEqual(30);
    for (const config of configs) expect(existsSync(join(FIXTURES, `${config.replace(/\.[^.]+$/, '')}.expect`)), config).toBe(true);
  });

  it.each(configs)('%s: exit 2, the message naming the field, one screen, nothing written', (config) => {
    const expectation = readExpect(config.replace(/\.[^.]+$/, ''));
    const outcome = outcomes.get(config)!;
    expect(outcome.status, outcome.stderr).toBe(2);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toContain(`mkimage-gen: bad input in ${config}:`);
    if (expectation.field !== '-') expect(outcome.stderr).toContain(`  - ${expectation.field}: `);
    expect(outcome.stderr).toContain(expectation.message);
    if (expectation.absent) expect(outcome.stderr).not.toContain(expectation.absent);
    expect(outcome.stderr.trimEnd().split('\n').length).toBeLessThanOrEqual(SCREEN_LINES);
    expect(outcome.stderr).not.toMatch(/^\s+at /m); // no stack trace
    expect(outcome.wrote).toBe(false);
  });

  it('all of them at once: one screen, every file named, nothing written', () => {
    const dir = join(work, 'all');
    cpSync(FIXTURES, dir, { recursive: true });
    return run(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'generate', ...configs, '--out', 'out'], { cwd: dir }).then(
      () => expect.unreachable('a bad corpus must not pass'),
      (e: { code?: number; stderr: string }) => {
        expect(e.code).toBe(2);
        expect(e.stderr).toContain(`${configs.length} configs`);
        expect(e.stderr.trimEnd().split('\n').length).toBeLessThanOrEqual(SCREEN_LINES);
        expect(existsSync(join(dir, 'out'))).toBe(false);
      },
    );
  });
});
