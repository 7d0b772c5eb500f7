// Small valid configs for unit tests; each test changes what it is about.
import { ConfigError, validateSettings, type Settings, type SettingsInput } from '../../src/model/index.js';

export const DEBIAN: SettingsInput = {
  name: 'local/test',
  distro: 'debian',
  suite: 'bookworm',
  mirror: 'http://mirror.example/debian',
  securityMirror: 'http://mirror.example/debian-security',
};

export const UBUNTU: SettingsInput = {
  name: 'local/test',
  distro: 'ubuntu',
  suite: 'noble',
  mirror: 'http://mirror.example/ubuntu',
};

export function settings(base: SettingsInput, changes: Partial<SettingsInput> = {}): Settings {
  return validateSettings({ ...base, ...changes }, 'test');
}

/** What validation says of a config: its problems, or none. */
export function problems(input: SettingsInput): string[] {
  try {
    validateSettings(input, 'test');
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}
