// The JSON Schemas of config files and project files, for editors and CI tooling: zod's
// own export, plus what zod cannot say by itself — a title and a description on every
// field, the suites each distro knows, the fields our refinements require, and the
// `$schema` key an editor modeline may add.
import { z } from 'zod';
import { codenames } from '../releases/index.js';
import { FIELD_DESCRIPTIONS, PROJECT_DESCRIPTIONS } from './descriptions.js';
import { ProjectSchema } from './project.js';
import { SettingsSchema } from './schema.js';

type JsonSchema = Record<string, unknown> & {
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  required?: string[];
};

const SCHEMA_KEY: JsonSchema = {
  type: 'string',
  description: 'The JSON Schema this file follows; editors read it, mkimage-gen ignores it.',
};

/**
 * Put each description on its field: keys are dotted paths, `[]` for a list's items and
 * `{}` for a mapping's values (derived[].env{}).
 */
function describe(schema: JsonSchema, descriptions: Readonly<Record<string, string>>, path = ''): void {
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const at = path === '' ? key : `${path}.${key}`;
    const text = descriptions[at];
    if (text !== undefined) child.description = text;
    describe(child, descriptions, at);
    if (child.items) describe(child.items, descriptions, `${at}[]`);
    if (typeof child.additionalProperties === 'object') describe(child.additionalProperties, descriptions, `${at}{}`);
  }
}

/** Every field path of a schema, in the same spelling as the description keys. */
export function fieldPaths(schema: JsonSchema, path = ''): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, child]) => {
    const at = path === '' ? key : `${path}.${key}`;
    return [
      at,
      ...fieldPaths(child, at),
      ...(child.items ? fieldPaths(child.items, `${at}[]`) : []),
      ...(typeof child.additionalProperties === 'object' ? fieldPaths(child.additionalProperties, `${at}{}`) : []),
    ];
  });
}

/** The config file format. */
export function settingsJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(SettingsSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  describe(schema, FIELD_DESCRIPTIONS);
  schema.properties = { $schema: SCHEMA_KEY, ...schema.properties };
  // The refinements require a mirror and allow only the suites each distro has.
  schema.required = [...new Set([...(schema.required ?? []), 'mirror'])];
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
  describe(schema, PROJECT_DESCRIPTIONS);
  return {
    $schema: schema.$schema,
    $id: 'mkimage-gen/project.schema.json',
    title: 'mkimage-gen project file',
    description: 'The configs an infra repo renders, where their outputs go, and the settings they share.',
    ...schema,
  };
}
