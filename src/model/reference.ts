// The README's reference of every setting, written from the JSON Schemas (so from each
// field's .describe()): `make generate` puts it between the markers, and a test fails
// when the README's copy is not what the model says.
import { projectJsonSchema, settingsJsonSchema, type JsonSchema } from './json-schema.js';

export const REFERENCE_START = '<!-- settings reference: written by `make generate` from the .describe() of each field in src/model; do not edit -->';
export const REFERENCE_END = '<!-- end of the settings reference -->';

/** A default worth printing: a scalar or a list (an object's defaults are its fields'). */
function shownDefault(value: unknown): string | undefined {
  if (value === undefined || (typeof value === 'object' && value !== null && !Array.isArray(value))) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Plain text in Markdown: <suite> is not a tag, configs/*.yaml starts no emphasis. */
const markdownText = (text: string) => text.replace(/[<*\\]/g, (c) => `\\${c}`);

/** One line per described field, in the schema's order: its path, required or its default, its description. */
function entries(schema: JsonSchema, path = ''): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, field]) => {
    const at = path === '' ? key : `${path}.${key}`;
    const given = shownDefault(field.default);
    const note = schema.required?.includes(key) ? ' (required)' : given === undefined ? '' : ` (default \`${given}\`)`;
    const line = typeof field.description === 'string' && at !== '$schema' ? [`- \`${at}\`${note}: ${markdownText(field.description)}`] : [];
    return [...line, ...entries(field, at), ...(field.items ? entries(field.items, `${at}[]`) : [])];
  });
}

/** The block between the markers, the markers included. */
export function settingsReference(): string {
  return [
    REFERENCE_START,
    '',
    'A config file (`mkimage-gen schema` prints its JSON Schema):',
    '',
    ...entries(settingsJsonSchema()),
    '',
    'The project file, `mkimage-gen.yaml` (`mkimage-gen schema --project`):',
    '',
    ...entries(projectJsonSchema()),
    '',
    REFERENCE_END,
  ].join('\n');
}

/** The README with its reference block replaced by the current one; undefined if it has no markers. */
export function withReference(readme: string): string | undefined {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start < 0 || end < start) return undefined;
  return `${readme.slice(0, start)}${settingsReference()}${readme.slice(end + REFERENCE_END.length)}`;
}
