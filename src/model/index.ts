import { ConfigError, describeIssues } from './errors.js';
import { SettingsSchema, type Settings } from './schema.js';

export { ConfigError } from './errors.js';
export { SettingsSchema } from './schema.js';
export type { DerivedImage, Settings, SettingsInput } from './schema.js';
export { projectJsonSchema, settingsJsonSchema } from './json-schema.js';

/** An editor modeline's `$schema` key is for editors; the build settings start below it. */
function withoutSchemaKey(input: unknown, source: string): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input) || !('$schema' in input)) return input;
  const { $schema, ...settings } = input as Record<string, unknown>;
  if (typeof $schema !== 'string') throw new ConfigError(source, ['$schema: expected a string (the JSON Schema this file follows)']);
  return settings;
}

/**
 * Validate a config object; `source` names it in errors (a file path or a preset).
 * jitless: a run validates each config once, and zod's compiled fast path (new
 * Function per object schema) costs more to generate than it saves on one parse.
 */
export function validateSettings(input: unknown, source: string): Settings {
  const result = SettingsSchema.safeParse(withoutSchemaKey(input, source), { reportInput: true, jitless: true });
  if (!result.success) throw new ConfigError(source, describeIssues(result.error));
  return result.data;
}
