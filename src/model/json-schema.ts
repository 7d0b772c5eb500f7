// The JSON Schemas of config files and project files, for editors and CI tooling: zod's
// own export, with each field's description from its .describe() (the one place a
// setting is described: init's comments, presets --show and the README's reference read
// it from here), plus what zod cannot say by itself — a title, the suites each distro
// knows, the fields our refinements require, and the `$schema` key an editor modeline
// may add.
import { REGISTRY_REPOSITORY } from './publish.js';
import * as z from 'zod';
import { codenames } from '../releases/index.js';
import { ARCHES } from './formats.js';
import { LOCALE_NAMES } from '../releases/locales.js';
import { LEGACY_TIME_ZONES, TIME_ZONES } from '../releases/timezones.js';
import { ProjectSchema, SCHEMA_KEY_DESCRIPTION } from './project.js';
import { SettingsSchema } from './schema.js';

export type JsonSchema = Record<string, unknown> & {
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  required?: string[];
};

const SCHEMA_KEY: JsonSchema = { type: 'string', description: SCHEMA_KEY_DESCRIPTION };

/**
 * Rules the model checks in code that a JSON Schema can still say, at least in part, so
 * an editor flags the value before mkimage-gen does. Keyed by field path: dotted, `[]`
 * for a list's items and `{}` for a mapping's values (derived[].env{}).
 */
const ARCH_QUALIFIER = `(?::(?:${[...ARCHES, 'any', 'all', 'native'].join('|')}))?`;
/** A Debian package name (a dot only before a letter or digit; + at the end only as ++), as apt reads no more into it. */
const PACKAGE_NAME = `[a-z0-9](?:[a-z0-9+-]|\\.(?=[a-z0-9]))*(?:[a-z0-9]|\\+\\+)${ARCH_QUALIFIER}`;
const PACKAGE = { pattern: `^${PACKAGE_NAME}$` };
const PINNABLE = { pattern: `^${PACKAGE_NAME}(?:=(?:[0-9]+:)?[0-9][A-Za-z0-9.+~-]*)?$` };
const URL = { pattern: '^(?:https?|file)://[^@\\s\'"`\\\\$;|&<>(){}\\[\\]*?!#^]+$' };
const LOCALE = { enum: LOCALE_NAMES };
const CODE_RULES: Readonly<Record<string, Record<string, unknown>>> = {
  'include[]': PINNABLE,
  'exclude[]': PACKAGE,
  'derived[].packages[]': PINNABLE,
  mirror: URL,
  securityMirror: URL,
  proxy: URL,
  'repositories[].url': URL,
  'locales.generate[]': LOCALE,
  'locales.default': LOCALE,
  timezone: { enum: [...new Set([...TIME_ZONES, ...Object.keys(LEGACY_TIME_ZONES)])].sort() },
  'derived[].env{}': { pattern: '^[^\\u0000-\\u001f\\u007f\\ufffd]*$' },
  'publish.repository': { pattern: REGISTRY_REPOSITORY.source },
};

function addRules(schema: JsonSchema, path = ''): void {
  const visit = (node: JsonSchema | undefined, at: string) => {
    if (!node) return;
    Object.assign(node, CODE_RULES[at] ?? {});
    addRules(node, at);
  };
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const at = path === '' ? key : `${path}.${key}`;
    visit(child, at);
    visit(child.items, `${at}[]`);
    if (typeof child.additionalProperties === 'object') visit(child.additionalProperties, `${at}{}`);
    // A mapping's own keys: __proto__ would vanish into the object's prototype.
    if (typeof child.propertyNames === 'object') (child.propertyNames as JsonSchema).not = { const: '__proto__' };
  }
}

/** Every field of a schema, by path (spelt as CODE_RULES' keys), in the schema's order. */
export function fields(schema: JsonSchema, path = ''): { path: string; field: JsonSchema }[] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, child]) => {
    const at = path === '' ? key : `${path}.${key}`;
    return [
      { path: at, field: child },
      ...fields(child, at),
      ...(child.items ? fields(child.items, `${at}[]`) : []),
      ...(typeof child.additionalProperties === 'object' ? fields(child.additionalProperties, `${at}{}`) : []),
    ];
  });
}

/** Every field path of a schema. */
export function fieldPaths(schema: JsonSchema): string[] {
  return fields(schema).map((f) => f.path);
}

/** Each field's description (its zod .describe()), by path. */
export function fieldDescriptions(schema: JsonSchema): Record<string, string> {
  const described: Record<string, string> = {};
  for (const { path, field } of fields(schema)) if (typeof field.description === 'string') described[path] = field.description;
  return described;
}

/** The config file format. */
export function settingsJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(SettingsSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  addRules(schema);
  schema.properties = { $schema: SCHEMA_KEY, ...schema.properties };
  // The refinements allow only the suites each distro has. They also require a mirror,
  // which a config in a project may take from the project file's defaults: not required here.
  schema.allOf = (['debian', 'ubuntu'] as const).map((distro) => ({
    if: { properties: { distro: { const: distro } }, required: ['distro'] },
    then: { properties: { suite: { enum: codenames(distro) } } },
  }));
  return {
    $schema: schema.$schema,
    $id: 'mkimage-gen/config.schema.json',
    title: 'mkimage-gen config: one Debian or Ubuntu base image',
    description: 'The settings of one image build. mkimage-gen renders them into mkimage.sh, a Dockerfile per image and a bake file.',
    ...schema,
  };
}

/** The project file format (mkimage-gen.yaml). */
export function projectJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(ProjectSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return {
    $schema: schema.$schema,
    $id: 'mkimage-gen/project.schema.json',
    title: 'mkimage-gen project file',
    description: 'The configs an infra repo renders, where their outputs go, and the settings they share.',
    ...schema,
  };
}
