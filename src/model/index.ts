import { z } from 'zod';
import { ConfigError, describeIssues } from './errors.js';
import { SettingsSchema, type Settings } from './schema.js';

export { ConfigError } from './errors.js';
export { SettingsSchema } from './schema.js';
export type { DerivedImage, Settings, SettingsInput } from './schema.js';

/** Validate a config object; `source` names it in errors (a file path or a preset). */
export function validateSettings(input: unknown, source: string): Settings {
  const result = SettingsSchema.safeParse(input, { reportInput: true });
  if (!result.success) throw new ConfigError(source, describeIssues(result.error));
  return result.data;
}

/** JSON Schema of the config file format, for editors. */
export function settingsJsonSchema(): object {
  return z.toJSONSchema(SettingsSchema, { io: 'input', unrepresentable: 'any' });
}
