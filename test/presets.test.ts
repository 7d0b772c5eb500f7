// The presets as `generate` loads them: validated at build time in the CLI bundle, at
// run time everywhere else. The two must not drift apart.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSelection } from '../src/cli/entries.js';
import { loadBuiltInPresets } from '../src/cli/selection.js';
import { PRESETS } from '../src/presets/index.js';
import { prevalidatedModule } from '../src/presets/prevalidate.js';
import { validatePreset } from '../src/presets/validate.js';
import { validatedPresets } from '../src/presets/validated.js';
import { cli } from './helpers/cli.js';
import { ROOT } from './helpers/presets.js';

const importText = (text: string) => import(`data:text/javascript,${encodeURIComponent(text)}`);

describe('presets validated at build time', () => {
  it('are the presets validated at run time, key for key', async () => {
    const { validatedPresets: fromBuild } = await importText(prevalidatedModule());
    const atRunTime = PRESETS.map((preset) => ({ id: preset.id, settings: validatePreset(preset, []) }));
    expect(fromBuild()).toStrictEqual(atRunTime);
    expect(validatedPresets()).toStrictEqual(atRunTime);
  });

  it('are fresh objects on each call', async () => {
    const { validatedPresets: fromBuild } = await importText(prevalidatedModule());
    const first = fromBuild();
    first[0].settings.name = 'changed';
    expect(fromBuild()[0].settings.name).not.toBe('changed');
  });

  it("are what the built CLI renders: its check finds generated/ up to date", () => {
    const r = cli(['check'], ROOT);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('generated/ is up to date\n');
    expect(r.status).toBe(0);
  });

  it('are not used under --set: the built CLI validates the changed presets, and stops at the first bad one', () => {
    const out = mkdtempSync(join(tmpdir(), 'mkimage-gen-presets-'));
    try {
      const r = cli(['check', '--set', 'variant=tiny', '--out', out], ROOT);
      expect(r.stderr).toBe(`mkimage-gen: bad input in preset ${PRESETS[0]!.id}:\n  - variant: expected one of minbase, buildd, default, got "tiny"\n`);
      expect(r.status).toBe(2);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('loadBuiltInPresets', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mkimage-gen-selection-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the presets as the config loader does', () => {
    const sel = { configs: [], sets: [], out: 'images', cwd: dir };
    expect(loadBuiltInPresets(sel)).toStrictEqual(loadSelection(sel));
  });

  it('leaves config files, --set and a project file to the config loader', () => {
    expect(loadBuiltInPresets({ configs: ['site.yaml'], sets: [], out: 'out', cwd: dir })).toBeUndefined();
    expect(loadBuiltInPresets({ configs: [], sets: ['mirror=http://mirror.example/debian'], cwd: dir })).toBeUndefined();
    writeFileSync(join(dir, 'mkimage-gen.yaml'), 'configs: [site.yaml]\n');
    expect(loadBuiltInPresets({ configs: [], sets: [], cwd: join(dir) })).toBeUndefined();
  });
});
