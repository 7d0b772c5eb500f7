// Each setting is described once, by its zod field's .describe(): the JSON Schema, the
// README's reference, init's comments and `presets --show` are all written from it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldDescriptions, projectJsonSchema, settingsJsonSchema } from '../src/model/json-schema.js';
import { REFERENCE_END, REFERENCE_START, settingsReference, withReference } from '../src/model/reference.js';
import { cli } from './helpers/cli.js';
import { ROOT } from './helpers/presets.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const SETTINGS = fieldDescriptions(settingsJsonSchema());
const PROJECT = fieldDescriptions(projectJsonSchema());

/** The comment above each key of a commented YAML file, by dotted path (nested mappings by indentation). */
function comments(yaml: string): Record<string, string> {
  const found: Record<string, string> = {};
  const parents: string[] = [];
  let pending: string | undefined;
  for (const line of yaml.split('\n')) {
    const comment = /^ *# (.*)$/.exec(line);
    if (comment) {
      pending = comment[1];
      continue;
    }
    const key = /^( *)([A-Za-z$][\w$]*):/.exec(line);
    if (key) {
      const depth = key[1]!.length / 2;
      parents.length = depth;
      parents.push(key[2]!);
      if (pending !== undefined) found[parents.join('.')] = pending;
    }
    pending = undefined;
  }
  return found;
}

describe("the README's settings reference", () => {
  it('is what the model says (make generate rewrites it)', () => {
    expect(README.split(REFERENCE_START)).toHaveLength(2);
    expect(README.split(REFERENCE_END)).toHaveLength(2);
    expect(withReference(README), 'the README settings reference is stale: run make generate').toBe(README);
  });

  it('lists every described field of both files with its description', () => {
    const block = settingsReference();
    for (const [path, text] of Object.entries({ ...SETTINGS, ...PROJECT })) {
      if (path === '$schema') continue;
      expect(block).toContain(`- \`${path}\``);
      expect(block).toContain(text.replaceAll('<', '\\<').replaceAll('*', '\\*'));
    }
    expect(Object.keys(SETTINGS).length).toBeGreaterThan(50);
  });

  it('a changed description makes the README stale', () => {
    const stale = README.replace(/^- `slim` .*$/m, '- `slim` (default `false`): an old description');
    expect(stale).not.toBe(README);
    expect(withReference(stale)).toBe(README);
  });
});

describe('commented YAML says what the schema says', () => {
  it('presets --show: the comment above each setting, nested ones too, is its description', () => {
    const r = cli(['presets', '--show', 'debian-trixie-ja-slim']);
    expect(r.status, r.stderr).toBe(0);
    const shown = comments(r.stdout);
    expect(shown.slim).toBe(SETTINGS.slim);
    expect(shown['locales.generate']).toBe(SETTINGS['locales.generate']);
    expect(Object.keys(shown).length).toBeGreaterThan(5);
    for (const [path, text] of Object.entries(shown)) expect(text, path).toBe(SETTINGS[path]);
  });

  it("init: the project file's and the config's comments are their fields' descriptions", () => {
    const dir = mkdtempSync(join(tmpdir(), 'mkimage-gen-reference-'));
    try {
      const r = cli(['init', 'debian-trixie-company'], dir);
      expect(r.status, r.stderr).toBe(0);
      const project = comments(readFileSync(join(dir, 'mkimage-gen.yaml'), 'utf8'));
      expect(project.configs).toBe(PROJECT.configs);
      for (const [path, text] of Object.entries(project)) expect(text, path).toBe(PROJECT[path]);
      const config = comments(readFileSync(join(dir, 'configs/debian-trixie-company.yaml'), 'utf8'));
      expect(config.repositories).toBe(SETTINGS.repositories);
      for (const [path, text] of Object.entries(config)) expect(text, path).toBe(SETTINGS[path]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the model describes each field in one place', () => {
  it('no doc comment above a field of the schemas repeats (or contradicts) its .describe()', () => {
    for (const file of ['src/model/schema.ts', 'src/model/project.ts']) {
      const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
      const doubled = lines.flatMap((line, i) => (/^\s+\/\*\*.*\*\/\s*$/.test(line) && /^\s+[A-Za-z$]\w*: /.test(lines[i + 1] ?? '') ? [`${file}:${i + 1}`] : []));
      expect(doubled).toEqual([]);
    }
  });

  it('slim has one description, the one every reader shows', () => {
    expect(SETTINGS.slim).toMatch(/copyright files stay/);
    expect(SETTINGS.slim).toMatch(/charmaps/);
    expect(README).toContain(SETTINGS.slim!);
  });
});
