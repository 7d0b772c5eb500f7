// The generated scripts come out of the templates already in the formatter's style:
// prettier-plugin-sh (shfmt) would change nothing, for the presets and for settings
// that switch every optional part of the templates on or off.
import { describe, expect, it } from 'vitest';
import { validateSettings, type SettingsInput } from '../src/model/index.js';
import { renderConfig } from '../src/generate.js';
import { formatShell } from './helpers/format.js';
import { renderPresets } from './helpers/presets.js';
import { DEBIAN, UBUNTU } from './helpers/settings.js';

const ALL_TWEAKS_OFF = {
  policyRcD: false,
  initctl: false,
  unsafeIo: false,
  noCache: false,
  noLanguages: false,
  gzipIndexes: false,
  autoremoveSuggests: false,
} as const;

const VARIANTS: Record<string, SettingsInput> = {
  'everything off': {
    ...DEBIAN,
    tweaks: ALL_TWEAKS_OFF,
    upgrade: false,
    clean: false,
    reproducible: false,
    networkTools: false,
    apt: { updates: false, security: false },
    output: { compression: 'none', import: 'none' },
  },
  'proxy, pinned epoch, excludes, podman': {
    ...DEBIAN,
    proxy: 'http://proxy.example:3128',
    sourceDateEpoch: 1700000000,
    exclude: ['e2fsprogs'],
    variant: 'default',
    output: { compression: 'gzip', import: 'podman', tags: ['a', 'b'] },
  },
  'mmdebstrap with tweaks off and no clean': {
    ...UBUNTU,
    suite: 'trusty',
    backend: 'mmdebstrap',
    tweaks: { ...ALL_TWEAKS_OFF, initctl: true },
    clean: false,
    slim: true,
    locales: { generate: ['en_US.UTF-8'], default: 'en_US.UTF-8' },
    timezone: 'UTC',
  },
};

describe('the templates write the formatter style', async () => {
  const presets = (await renderPresets()).filter((f) => f.path.endsWith('.sh'));
  it.each(presets.map((f) => [f.path, f.content]))('%s', async (_path, content) => {
    expect(await formatShell(content)).toBe(content);
  });

  it.each(Object.entries(VARIANTS))('%s', async (_name, input) => {
    const script = renderConfig(validateSettings(input, 'test'), { generatedFrom: 'test', regenerate: 'test' })[0]!;
    expect(script.path).toBe('mkimage.sh');
    expect(await formatShell(script.content)).toBe(script.content);
  });
});
