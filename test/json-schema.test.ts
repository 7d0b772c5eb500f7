// The JSON Schemas editors and CI tooling read: committed in schema/, held to what the
// model says (UPDATE_GOLDEN=1 rewrites them), with a description on every field, and
// checked with a real JSON Schema 2020-12 validator against the presets, good configs
// and the bad corpus.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { fieldPaths } from '../src/model/json-schema.js';
import { ConfigError, projectJsonSchema, settingsJsonSchema, validateSettings } from '../src/model/index.js';
import { PRESETS } from '../src/presets/index.js';
import { ROOT } from './helpers/presets.js';

const SCHEMAS = { 'config.schema.json': settingsJsonSchema(), 'project.schema.json': projectJsonSchema() };
if (process.env.UPDATE_GOLDEN === '1') {
  for (const [file, schema] of Object.entries(SCHEMAS)) writeFileSync(join(ROOT, 'schema', file), `${JSON.stringify(schema, null, 2)}\n`);
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
const validConfig = ajv.compile(settingsJsonSchema());
const validProject = ajv.compile(projectJsonSchema());

/** Bad configs whose fault lies beyond what a JSON Schema can say, each with the rule it breaks. */
const BEYOND_JSON_SCHEMA: Record<string, string> = {
  'bad-arch-twice.yaml': 'uniqueness of a list',
  'bad-publish-no-key.yaml': 'one field in terms of another',
  'bad-publish-no-oci.yaml': 'one field in terms of another',
  'bad-profile-suite.yaml': 'the profile in terms of the release',
  'bad-profile-derived-packages.yaml': 'derived images in terms of the profile',
  'bad-mode-debootstrap.yaml': 'the mode in terms of the backend',
  'bad-ports-mirror-missing.yaml': 'the mirror in terms of the architecture',
  'bad-backports-sid.yaml': 'backports in terms of the release',
  'bad-ca-certificate.yaml': 'the content of a file beside the config',
  'bad-derived-file.yaml': 'a file beside the config',
  'bad-group-existing.yaml': 'the groups every image has',
  'bad-hook-shebang.yaml': 'the content of a file beside the config',
  'bad-release-tags.yaml': 'one field in terms of others',
  'bad-repository-key-content.yaml': 'the content of a file beside the config',
  'bad-repository-key-missing.yaml': 'a file beside the config',
  'bad-snapshot-ubuntu-early.yaml': 'the snapshot archive in terms of the distro',
  'bad-snapshot-with-epoch.yaml': 'one field in terms of another',
  'bad-snapshot-mirror-alone.yaml': 'one field in terms of another',
  'bad-user-group.yaml': 'one field in terms of another',
  'bad-component.yaml': 'components the release publishes',
  'default-locale-not-generated.yaml': 'one field in terms of another',
  'derived-env-lone-surrogate.yaml': 'a value that is not valid Unicode',
  'derived-same-folder.yaml': 'folder names derived from image names',
  'derived-with-base-name.yaml': 'one field in terms of another',
  'duplicate-tags.yaml': 'uniqueness of a list',
  'missing-mirror.yaml': "a mirror, which a config in a project may take from the project file's defaults",
  'missing-security-mirror.yaml': 'one field in terms of another and the release',
  'mmdebstrap-archived.yaml': 'the backend in terms of the release status',
  'timezone-legacy-on-trixie.yaml': 'the zones of each release',
  'ubuntu-arm64-main-mirror.yaml': 'the mirror in terms of the architecture',
  'wheezy-with-deb822.yaml': 'the sources format in terms of the release',
  'ca-ec-private-key.yaml': 'the content of a file beside the config',
  'ca-encrypted-private-key.yaml': 'the content of a file beside the config',
  'ca-pkcs8-private-key.yaml': 'the content of a file beside the config',
  'ca-rsa-private-key.yaml': 'the content of a file beside the config',
  'key-private-block.yaml': 'the content of a file beside the config',
  'ca-same-name.yaml': 'install paths made from file names',
  'expect-is-record.yaml': 'one field in terms of the names the tarball gives its records',
  'group-gid-taken.yaml': 'the ids the image has',
  'group-gid-zero.yaml': 'the ids the image has (root is 0)',
  'user-uid-taken.yaml': 'the ids the image has',
  'user-uid-zero.yaml': 'the ids the image has (root is 0)',
  'group-gid-twice.yaml': 'uniqueness of a field across a list',
  'user-uid-twice.yaml': 'uniqueness of a field across a list',
  'user-existing.yaml': 'the users the image of each release has',
  'user-existing-apt.yaml': 'the users the image of each release has',
  'user-group-clash.yaml': 'one field in terms of the groups the image has',
  'repository-archived.yaml': 'repositories in terms of the release status',
};

const BAD = join(ROOT, 'test/fixtures/bad');
const GOOD = join(ROOT, 'test/fixtures/good');
const read = (dir: string, file: string): unknown => {
  try {
    return parse(readFileSync(join(dir, file), 'utf8'));
  } catch {
    return undefined;
  }
};

describe('the committed schemas', () => {
  it.each(Object.entries(SCHEMAS))('schema/%s is what the model says', (file, schema) => {
    expect(readFileSync(join(ROOT, 'schema', file), 'utf8')).toBe(`${JSON.stringify(schema, null, 2)}\n`);
  });

  it.each(Object.entries(SCHEMAS))('%s has a title, and a description on every field', (_file, schema) => {
    expect(schema.title).toEqual(expect.any(String));
    const undescribed: string[] = [];
    const walk = (node: Record<string, unknown>, path: string) => {
      for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        const at = path === '' ? key : `${path}.${key}`;
        if (typeof child.description !== 'string' || child.description === '') undescribed.push(at);
        walk(child, at);
        if (child.items) walk(child.items as Record<string, unknown>, `${at}[]`);
      }
    };
    walk(schema, '');
    expect(undescribed).toEqual([]);
    expect(fieldPaths(schema).length).toBeGreaterThan(2);
  });

  it('lists the suites per distro, leaves the mirror to the project file\'s defaults and allows $schema', () => {
    const schema = settingsJsonSchema() as { required: string[]; properties: Record<string, unknown> };
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'distro', 'suite']));
    // A config in a project may take its mirror from the project file: an editor must not flag it.
    expect(validConfig({ name: 'a/b', distro: 'debian', suite: 'trixie' })).toBe(true);
    expect(schema.properties.$schema).toBeDefined();
    expect(validConfig({ name: 'a/b', distro: 'ubuntu', suite: 'bookworm', mirror: 'http://m.example/u' })).toBe(false);
    expect(validConfig({ name: 'a/b', distro: 'debian', suite: 'bookworm', mirror: 'http://m.example/d', securityMirror: 'http://m.example/s' })).toBe(true);
  });
});

describe('schema and zod agree', () => {
  it.each(PRESETS.map((p) => [p.id, p.settings] as const))('preset %s validates', (_id, settings) => {
    expect(validConfig(settings), JSON.stringify(validConfig.errors)).toBe(true);
  });

  it.each(readdirSync(GOOD).sort())('good config %s validates with both', (file) => {
    const config = read(GOOD, file);
    expect(validConfig(config), JSON.stringify(validConfig.errors)).toBe(true);
    expect(() => validateSettings(config, file)).not.toThrow();
  });

  const bad = readdirSync(BAD).filter((f) => !f.endsWith('.expect')).sort();
  it.each(bad)('bad config %s: zod rejects it, and so does the schema where it can say why', (file) => {
    const config = read(BAD, file);
    expect(() => validateSettings(config, file)).toThrow(ConfigError);
    const reason = BEYOND_JSON_SCHEMA[file];
    // The list stays honest: a fixture the schema can reject must not be excused.
    expect(validConfig(config), reason ? `excused (${reason}) but the schema rejects it` : 'the schema accepts it').toBe(reason !== undefined);
  });

  it('the project file of init validates', () => {
    expect(validProject({ configs: ['configs/*.yaml'], out: 'images', defaults: { mirror: 'http://m.example/d' } })).toBe(true);
    expect(validProject({ configs: ['c/*.yaml'], defaults: { proxy: 'http://p.example:3128', debian: { mirror: 'http://m.example/d' }, ubuntu: {} } })).toBe(true);
    expect(validProject({ configs: ['c/*.yaml'], defaults: { debian: 'http://m.example/d' } })).toBe(false);
    expect(validProject({ configs: [], out: 'images' })).toBe(false);
    expect(validProject({ configs: ['a.yaml'], outt: 'images' })).toBe(false);
  });
});
