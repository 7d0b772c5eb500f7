// Hostile strings in every string field of the model (fast-check, 1,000 runs a field):
// either validation rejects the config with an error naming that field, or everything
// rendered from it reads the value back as the same literal text. The in-memory checks
// (Dockerfiles, bake file) run on every accepted value; the script's parse by sh-syntax
// on the 20 most unusual accepted values of each field (a parse costs about 30 ms, and
// values of the same characters give the same script shape); bash itself on 3: `bash -n`,
// then the script's --dry-run as nobody in a scratch directory, which must create no
// canary file and print the value as given.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse as parseShell } from 'sh-syntax';
import { describe, expect, it } from 'vitest';
import { ConfigError, settingsJsonSchema, validateSettings, type Settings, type SettingsInput } from '../src/model/index.js';
import { keyFingerprints } from '../src/model/openpgp.js';
import { planBakeTargets } from '../src/plan/dockerfiles.js';
import { resolve } from '../src/plan/resolve.js';
import { renderBake, renderConfig } from '../src/generate.js';
import { dockerfileRunWord, hclQuote, shellQuote } from '../src/render/quote.js';
import { decodeDockerfileWord, decodeHclStrings } from './helpers/decode.js';
import { bashSyntaxCheck, dryRunAsNobody, runAsNobody } from './helpers/dry-run.js';
import { CANARY, hostileFor, PAYLOADS } from './helpers/hostile.js';
import { DEBIAN, UBUNTU } from './helpers/settings.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
/** Accepted values per field whose script sh-syntax parses (about 30 ms a script). */
const PARSE_SAMPLE = 20;
/** Accepted values per field that also go through bash (the slow part). */
const BASH_SAMPLE = 3;
const origin = { generatedFrom: 'property test', regenerate: 'mkimage-gen generate property.yaml' };

/** Where an accepted value shows up: the dry-run of the script, a Dockerfile, the bake file. */
type Reach = 'script' | 'dockerfile-env-key' | 'dockerfile-env-value' | 'dockerfile-run' | 'derived-name';

interface Field {
  /** The field as the JSON Schema walk below names it: `derived[].env{}` is an env value. */
  key: string;
  /** The path an error about this field starts with. */
  error: string;
  set: (value: string) => SettingsInput;
  examples: readonly string[];
  /** Harmless characters to append to examples, so odd values are accepted and rendered too. */
  extras?: readonly string[];
  reach: Reach | null;
  /** False where an accepted value need not appear in the dry-run (variant default means no --variant). */
  printed?: boolean;
}

const b64 = (text: string) => Buffer.from(text).toString('base64');
/** A throwaway armored public key (the bad corpus's), a PEM-shaped certificate and a hook. */
const KEY = readFileSync(new URL('./fixtures/bad/key.asc', import.meta.url)).toString('base64');
/** A pin must name that key, so the only value that validates is its own fingerprint (spaced or in small letters: kept as gpg prints it, so not printed as given). */
const KEY_FINGERPRINT = keyFingerprints(Buffer.from(KEY, 'base64'))[0]!;
const CERT = b64('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const HOOK = b64('#!/bin/sh\necho hook\n');
const withFile = (path: string, content: string, input: object): SettingsInput => ({ ...(input as SettingsInput), embedded: { [path]: content } });
const repo = (changes: object): SettingsInput => ({
  ...DEBIAN,
  repositories: [{ name: 'company', url: 'http://apt.example.com/debian', suites: ['bookworm'], key: 'key.asc', ...changes }],
  embedded: { 'key.asc': KEY },
});

const URL_EXTRAS = ['~x', '%24', '=a', ',b', '+c', '/d', '-e', '.f', '_g', ':8080', '@'];
const tools = (changes: object) => ({ ...DEBIAN, derived: [{ name: 'local/tools', ...changes }] });

const FIELDS: Field[] = [
  { key: 'name', error: 'name', set: (v) => ({ ...DEBIAN, name: v }), examples: ['local/test', 'registry.example:5000/team/img'], extras: ['-x', '.y', '__z', '/sub'], reach: 'script' },
  { key: 'distro', error: 'distro', set: (v) => ({ ...DEBIAN, distro: v as 'debian' }), examples: ['debian'], reach: 'script' },
  { key: 'suite', error: 'suite', set: (v) => ({ ...DEBIAN, suite: v }), examples: ['bookworm', 'trixie', 'sid', 'bullseye'], reach: 'script' },
  { key: 'arch', error: 'arch', set: (v) => ({ ...DEBIAN, arch: v as 'amd64' }), examples: ['amd64', 'arm64', 'ppc64el'], reach: 'script' },
  { key: 'arch[]', error: 'arch', set: (v) => ({ ...DEBIAN, arch: [v as 'amd64'] }), examples: ['amd64', 'arm64', 'armhf'], reach: 'script' },
  { key: 'mode', error: 'mode', set: (v) => ({ ...DEBIAN, backend: 'mmdebstrap', mode: v as 'root' }), examples: ['root', 'unshare'], reach: 'script' },
  { key: 'variant', error: 'variant', set: (v) => ({ ...DEBIAN, variant: v as 'minbase' }), examples: ['minbase', 'buildd', 'default'], reach: 'script', printed: false },
  { key: 'profile', error: 'profile', set: (v) => ({ ...DEBIAN, backend: 'mmdebstrap', profile: v as 'base' }), examples: ['static', 'base', 'cc'], reach: 'script' },
  { key: 'backend', error: 'backend', set: (v) => ({ ...DEBIAN, backend: v as 'debootstrap' }), examples: ['debootstrap', 'mmdebstrap'], reach: 'script' },
  { key: 'mirror', error: 'mirror', set: (v) => ({ ...DEBIAN, mirror: v }), examples: ['http://mirror.example/debian', 'https://mirror.example:8443/debian', 'file:///srv/mirror/debian'], extras: URL_EXTRAS, reach: 'script' },
  { key: 'securityMirror', error: 'securityMirror', set: (v) => ({ ...DEBIAN, securityMirror: v }), examples: ['http://mirror.example/debian-security'], extras: URL_EXTRAS, reach: 'script' },
  { key: 'portsMirror', error: 'portsMirror', set: (v) => ({ ...UBUNTU, arch: 'arm64', portsMirror: v }), examples: ['http://ports.example/ubuntu-ports'], extras: URL_EXTRAS, reach: 'script' },
  { key: 'snapshotMirror', error: 'snapshotMirror', set: (v) => ({ ...DEBIAN, snapshot: '20250101T000000Z', snapshotMirror: v }), examples: ['http://snapshot.example', 'https://snapshot.example:8443/mirror'], extras: URL_EXTRAS, reach: 'script' },
  { key: 'proxy', error: 'proxy', set: (v) => ({ ...DEBIAN, proxy: v }), examples: ['http://proxy.example:3128', 'https://proxy.example/'], extras: URL_EXTRAS, reach: 'script' },
  { key: 'components[]', error: 'components[0]', set: (v) => ({ ...DEBIAN, components: [v] }), examples: ['main', 'contrib', 'non-free-firmware'], reach: 'script' },
  { key: 'include[]', error: 'include[0]', set: (v) => ({ ...DEBIAN, backend: 'mmdebstrap', include: [v] }), examples: ['curl', 'iproute2', 'libc6:amd64', 'g++', 'curl=7.88.1-10+deb12u8', 'libc6:amd64=1:2.36-9~b1'], extras: ['+', '.', '-x', ':any', ':arm64', '=1.0', '~rc1', '.2'], reach: 'script' },
  { key: 'exclude[]', error: 'exclude[0]', set: (v) => ({ ...DEBIAN, exclude: [v] }), examples: ['nano', 'whiptail', 'libstdc++6'], extras: ['+', '.', '-x'], reach: 'script' },
  { key: 'tweaks.initctl', error: 'tweaks.initctl', set: (v) => ({ ...DEBIAN, tweaks: { initctl: v as 'auto' } }), examples: ['auto'], reach: 'script' },
  { key: 'apt.format', error: 'apt.format', set: (v) => ({ ...DEBIAN, apt: { format: v as 'auto' } }), examples: ['auto', 'one-line', 'deb822'], reach: 'script', printed: false },
  { key: 'locales.generate[]', error: 'locales.generate[0]', set: (v) => ({ ...UBUNTU, locales: { generate: [v] } }), examples: ['ja_JP.UTF-8', 'ja_JP.EUC-JP', 'sr_RS.UTF-8@latin', 'C.UTF-8', 'jp_JP.UTF-8'], reach: 'script' },
  { key: 'locales.default', error: 'locales.default', set: (v) => ({ ...DEBIAN, locales: { generate: ['ja_JP.UTF-8'], default: v } }), examples: ['ja_JP.UTF-8'], reach: 'script' },
  { key: 'timezone', error: 'timezone', set: (v) => ({ ...DEBIAN, timezone: v }), examples: ['Asia/Tokyo', 'UTC', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5', 'US/Pacific', 'America/Port-au-Prince', 'JST'], reach: 'script' },
  { key: 'snapshot', error: 'snapshot', set: (v) => ({ ...DEBIAN, snapshot: v }), examples: ['20250101T000000Z', '20240229T235959Z'], reach: 'script' },
  { key: 'expect', error: 'expect', set: (v) => ({ ...DEBIAN, expect: v }), examples: ['expected.manifest', 'pins/bookworm.manifest'], extras: ['-x', '.y', '_z', '/sub', '+p'], reach: 'script' },
  { key: 'output.tarball', error: 'output.tarball', set: (v) => ({ ...DEBIAN, output: { tarball: v } }), examples: ['rootfs.tar.xz', 'image_1.tar'], extras: ['.gz', '-x', '+y', '_z'], reach: 'script' },
  { key: 'output.compression', error: 'output.compression', set: (v) => ({ ...DEBIAN, output: { compression: v as 'xz' } }), examples: ['xz', 'gzip', 'zstd', 'none'], reach: 'script' },
  { key: 'output.import', error: 'output.import', set: (v) => ({ ...DEBIAN, output: { import: v as 'docker' } }), examples: ['docker', 'podman', 'none'], reach: 'script' },
  { key: 'output.tags[]', error: 'output.tags[0]', set: (v) => ({ ...DEBIAN, output: { tags: [v] } }), examples: ['ja', '12.7', 'v1_2-3'], extras: ['.x', '-y', '_z', '__'], reach: 'script' },
  { key: 'derived[].name', error: 'derived[0].name', set: (v) => tools({ name: v }), examples: ['local/tools', 'registry.example:5000/a/b'], extras: ['-x', '.y', '__z'], reach: 'derived-name' },
  { key: 'derived[].packages[]', error: 'derived[0].packages[0]', set: (v) => tools({ packages: [v] }), examples: ['git', 'openssh-client', 'g++', 'git=1:2.39.5-0+deb12u2'], extras: ['+', '.', '-x', ':any', '=2.0', '~b1'], reach: 'dockerfile-run' },
  { key: 'derived[].env{key}', error: 'derived[0].env', set: (v) => tools({ env: { [v]: 'x' } }), examples: ['GIT_TERMINAL_PROMPT', '_X'], extras: ['_1', 'a'], reach: 'dockerfile-env-key' },
  { key: 'derived[].env{}', error: 'derived[0].env.GREETING', set: (v) => tools({ env: { GREETING: v } }), examples: ['hello', 'a b', ''], reach: 'dockerfile-env-value' },
  // What a company adds. Files a field names are embedded beside it (see `withFile`).
  { key: 'apt.pins[].packages[]', error: 'apt.pins[0].packages[0]', set: (v) => ({ ...DEBIAN, apt: { pins: [{ packages: [v], pin: 'version 1.*', priority: 900 }] } }), examples: ['nginx', 'libssl*', '*'], extras: ['?', '.', '+', '-x'], reach: 'script' },
  { key: 'apt.pins[].pin', error: 'apt.pins[0].pin', set: (v) => ({ ...DEBIAN, apt: { pins: [{ packages: ['*'], pin: v, priority: 900 }] } }), examples: ['release n=bookworm-backports', 'origin "apt.example.com"', 'version 1.2*'], extras: ['.x', '-y', '~z'], reach: 'script' },
  { key: 'output.labels{key}', error: 'output.labels', set: (v) => ({ ...DEBIAN, output: { labels: { [v]: 'x' } } }), examples: ['com.example.team', 'team'], extras: ['.a', '-b', '_c'], reach: null },
  { key: 'output.labels{}', error: 'output.labels.team', set: (v) => ({ ...DEBIAN, output: { labels: { team: v } } }), examples: ['platform', 'a b', ''], reach: null },
  { key: 'output.source', error: 'output.source', set: (v) => ({ ...DEBIAN, output: { source: v } }), examples: ['https://git.example.com/infra/images'], extras: URL_EXTRAS, reach: null },
  // publish: the repository and the key reach the push step's commands; an attestation is an enum (cosign's name is printed).
  { key: 'publish.repository', error: 'publish.repository', set: (v) => ({ ...DEBIAN, output: { oci: true }, publish: { repository: v, key: 'cosign.key' } }), examples: ['registry.example.com/infra/debian', 'localhost:5000/debian'], extras: ['-x', '.y', '/z'], reach: 'script' },
  { key: 'publish.key', error: 'publish.key', set: (v) => ({ ...DEBIAN, output: { oci: true }, publish: { repository: 'registry.example.com/infra/debian', key: v } }), examples: ['cosign.key', '/etc/keys/cosign.key', 'awskms:///alias/images'], extras: ['-x', '.y', '_z'], reach: 'script' },
  { key: 'publish.attestations[]', error: 'publish.attestations', set: (v) => ({ ...DEBIAN, output: { oci: true }, publish: { repository: 'registry.example.com/infra/debian', key: 'cosign.key', attestations: [v as 'spdx'] } }), examples: ['spdx', 'cyclonedx', 'provenance'], reach: 'script', printed: false },
  { key: 'derived[].cmd[]', error: 'derived[0].cmd[0]', set: (v) => tools({ cmd: [v] }), examples: ['bash', 'daemon off;', 'a "b" $c'], reach: null },
  { key: 'derived[].entrypoint[]', error: 'derived[0].entrypoint[0]', set: (v) => tools({ entrypoint: [v] }), examples: ['tini', '--'], reach: null },
  { key: 'derived[].user', error: 'derived[0].user', set: (v) => tools({ user: v }), examples: ['app', '1000:1000', 'app:staff'], reach: null },
  { key: 'derived[].workdir', error: 'derived[0].workdir', set: (v) => tools({ workdir: v }), examples: ['/srv/app', '/'], extras: ['/x', '.y', '-z'], reach: null },
  { key: 'derived[].expose[]', error: 'derived[0].expose[0]', set: (v) => tools({ expose: [v] }), examples: ['80', '8443/tcp', '53/udp'], reach: null },
  { key: 'derived[].labels{key}', error: 'derived[0].labels', set: (v) => tools({ labels: { [v]: 'x' } }), examples: ['com.example.service'], extras: ['.a', '-b'], reach: null },
  { key: 'derived[].labels{}', error: 'derived[0].labels.team', set: (v) => tools({ labels: { team: v } }), examples: ['app', 'a "b" $c', ''], reach: null },
  { key: 'derived[].tags[]', error: 'derived[0].tags[0]', set: (v) => tools({ tags: [v] }), examples: ['py3', 'v1.2'], extras: ['.x', '-y'], reach: null },
  { key: 'derived[].files[].source', error: 'derived[0].files[0].source', set: (v) => withFile(v, 'eAo=', tools({ files: [{ source: v, path: '/srv/x' }] })), examples: ['app/index.html', 'a.txt'], extras: ['.x', '-y', '/z'], reach: null },
  { key: 'derived[].files[].path', error: 'derived[0].files[0].path', set: (v) => withFile('a.txt', 'eAo=', tools({ files: [{ source: 'a.txt', path: v }] })), examples: ['/srv/app/index.html'], extras: ['.x', '-y', '/z'], reach: null },
  { key: 'derived[].files[].mode', error: 'derived[0].files[0].mode', set: (v) => withFile('a.txt', 'eAo=', tools({ files: [{ source: 'a.txt', path: '/x', mode: v }] })), examples: ['0644', '755'], reach: null },
  { key: 'derived[].files[].owner', error: 'derived[0].files[0].owner', set: (v) => withFile('a.txt', 'eAo=', tools({ files: [{ source: 'a.txt', path: '/x', owner: v }] })), examples: ['app:app', '1000'], reach: null },
  { key: 'repositories[].name', error: 'repositories[0].name', set: (v) => repo({ name: v }), examples: ['company', 'vendor-2'], extras: ['-x', '0'], reach: 'script' },
  { key: 'repositories[].url', error: 'repositories[0].url', set: (v) => repo({ url: v }), examples: ['http://apt.example.com/debian', 'https://apt.example.com:8443/x'], extras: URL_EXTRAS, reach: 'script' },
  { key: 'repositories[].suites[]', error: 'repositories[0].suites[0]', set: (v) => repo({ suites: [v] }), examples: ['bookworm', 'stable', 'bookworm/updates'], extras: ['.x', '-y', '_z'], reach: 'script' },
  { key: 'repositories[].components[]', error: 'repositories[0].components[0]', set: (v) => repo({ components: [v] }), examples: ['main', 'non-free'], reach: 'script' },
  { key: 'repositories[].key', error: 'repositories[0].key', set: (v) => ({ ...repo({ key: v }), embedded: { [v]: KEY } }), examples: ['key.asc', 'keys/company.gpg'], extras: ['.x', '-y', '/z'], reach: null },
  { key: 'repositories[].fingerprint', error: 'repositories[0].fingerprint', set: (v) => repo({ fingerprint: v }), examples: [KEY_FINGERPRINT], reach: 'script', printed: false },
  { key: 'repositories[].fingerprint[]', error: 'repositories[0].fingerprint', set: (v) => repo({ fingerprint: [v] }), examples: [KEY_FINGERPRINT], reach: 'script', printed: false },
  { key: 'repositories[].packages[]', error: 'repositories[0].packages[0]', set: (v) => repo({ packages: [v] }), examples: ['company-tools', 'curl=7.88.1-10+deb12u8'], extras: ['+', '.', '~1'], reach: 'script' },
  { key: 'files[].source', error: 'files[0].source', set: (v) => withFile(v, 'eAo=', { ...DEBIAN, files: [{ source: v, path: '/etc/x' }] }), examples: ['motd', 'etc/app.conf'], extras: ['.x', '-y', '/z'], reach: null },
  { key: 'files[].path', error: 'files[0].path', set: (v) => withFile('a', 'eAo=', { ...DEBIAN, files: [{ source: 'a', path: v }] }), examples: ['/etc/motd', '/srv/app/a.conf'], extras: ['.x', '-y', '/z'], reach: 'script' },
  { key: 'files[].mode', error: 'files[0].mode', set: (v) => withFile('a', 'eAo=', { ...DEBIAN, files: [{ source: 'a', path: '/x', mode: v }] }), examples: ['0644', '0755', '600'], reach: 'script' },
  { key: 'files[].owner', error: 'files[0].owner', set: (v) => withFile('a', 'eAo=', { ...DEBIAN, files: [{ source: 'a', path: '/x', owner: v }] }), examples: ['root:root', 'app', '1000:1000'], reach: 'script' },
  { key: 'caCertificates[]', error: 'caCertificates[0]', set: (v) => withFile(v, CERT, { ...DEBIAN, caCertificates: [v] }), examples: ['ca.pem', 'certs/root.crt'], extras: ['.x', '-y'], reach: null },
  { key: 'hooks[].stage', error: 'hooks[0].stage', set: (v) => withFile('h.sh', HOOK, { ...DEBIAN, hooks: [{ stage: v as 'before-pack', script: 'h.sh' }] }), examples: ['after-bootstrap', 'after-packages', 'before-pack'], reach: null },
  { key: 'hooks[].script', error: 'hooks[0].script', set: (v) => withFile(v, HOOK, { ...DEBIAN, hooks: [{ stage: 'before-pack', script: v }] }), examples: ['hook.sh', 'hooks/a.sh'], extras: ['.x', '-y'], reach: null },
  { key: 'hooks[].on', error: 'hooks[0].on', set: (v) => withFile('h.sh', HOOK, { ...DEBIAN, hooks: [{ stage: 'before-pack', script: 'h.sh', on: v as 'host' }] }), examples: ['rootfs', 'host'], reach: 'script' },
  { key: 'groups[].name', error: 'groups[0].name', set: (v) => ({ ...DEBIAN, groups: [{ name: v }] }), examples: ['app', 'team_1'], extras: ['-x', '_y'], reach: 'script' },
  { key: 'users[].name', error: 'users[0].name', set: (v) => ({ ...DEBIAN, users: [{ name: v }] }), examples: ['app', 'svc-1'], extras: ['-x', '_y'], reach: 'script' },
  { key: 'users[].group', error: 'users[0].group', set: (v) => ({ ...DEBIAN, users: [{ name: 'app', group: v }] }), examples: ['staff', 'users'], reach: 'script' },
  { key: 'users[].groups[]', error: 'users[0].groups[0]', set: (v) => ({ ...DEBIAN, users: [{ name: 'app', groups: [v] }] }), examples: ['staff', 'sudo', 'audio'], reach: 'script' },
  { key: 'users[].home', error: 'users[0].home', set: (v) => ({ ...DEBIAN, users: [{ name: 'app', home: v }] }), examples: ['/srv/app', '/home/app'], extras: ['.x', '-y', '/z'], reach: 'script' },
  { key: 'users[].shell', error: 'users[0].shell', set: (v) => ({ ...DEBIAN, users: [{ name: 'app', shell: v }] }), examples: ['/bin/sh', '/usr/sbin/nologin'], reach: 'script' },
  { key: 'embedded{key}', error: 'embedded', set: (v) => ({ ...DEBIAN, embedded: { [v]: 'eAo=' } }), examples: ['a.txt', 'keys/x.asc'], extras: ['.x', '-y', '/z'], reach: null },
  { key: 'embedded{}', error: 'files[0].source', set: (v) => ({ ...DEBIAN, files: [{ source: 'a', path: '/x' }], embedded: { a: v } }), examples: ['eAo=', 'AAEC/w=='], reach: null },
];

/** Every string-valued field of the config format, from its JSON Schema. */
function stringFields(node: Record<string, unknown>, path: string, out: string[]): string[] {
  for (const alternative of (node.anyOf as Record<string, unknown>[] | undefined) ?? []) stringFields(alternative, path, out);
  if (node.type === 'object') {
    for (const [key, child] of Object.entries((node.properties as Record<string, Record<string, unknown>>) ?? {})) {
      stringFields(child, path === '' ? key : `${path}.${key}`, out);
    }
    if (typeof node.additionalProperties === 'object') {
      out.push(`${path}{key}`);
      stringFields(node.additionalProperties as Record<string, unknown>, `${path}{}`, out);
    }
  } else if (node.type === 'array') {
    stringFields(node.items as Record<string, unknown>, `${path}[]`, out);
  } else if (node.type === 'string' || (Array.isArray(node.type) && node.type.includes('string')) || 'enum' in node || 'const' in node) {
    out.push(path);
  }
  return [...new Set(out)];
}

/** sh-syntax (mvdan/sh) parses each distinct script once: most accepted values leave it unchanged. */
const parsedScripts = new Set<string>();
async function parsesAsBash(script: string): Promise<void> {
  if (parsedScripts.has(script)) return;
  await parseShell(script);
  parsedScripts.add(script);
}

/** Joined instruction lines of a Dockerfile (continuations folded), comments dropped. */
function instructions(dockerfile: string): string[] {
  return dockerfile
    .replace(/\\\n/g, '')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'));
}

const INSTRUCTION = /^(FROM|ADD|ENV|RUN|CMD|LABEL|ARG|COPY|WORKDIR|EXPOSE|USER|ENTRYPOINT) /;

/** The checks every accepted value gets, in memory. */
async function checkRendered(settings: Settings, field: Field, value: string): Promise<void> {
  const files = renderConfig(settings, origin);
  for (const file of files.filter((f) => f.path.endsWith('Dockerfile'))) {
    for (const line of instructions(file.content)) expect(line, file.path).toMatch(INSTRUCTION);
  }
  const derived = files.find((f) => f.path.startsWith('derived/'));
  if (field.reach === 'dockerfile-env-value' || field.reach === 'dockerfile-env-key') {
    const env = instructions(derived!.content).filter((line) => line.startsWith('ENV '));
    expect(env).toHaveLength(1);
    const [, key, word] = /^ENV ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(env[0]!)!;
    expect(field.reach === 'dockerfile-env-key' ? key : decodeDockerfileWord(word!)).toBe(value);
  }
  if (field.reach === 'dockerfile-run') {
    const run = instructions(derived!.content).find((line) => line.includes('apt-get install'))!;
    // A pin with ~ or an epoch's : is quoted on the RUN line.
    expect(run.split(/[ ;]+/)).toContain(dockerfileRunWord(value));
  }
  if (field.reach === 'derived-name') expect(derived!.path).toBe(`derived/${value.slice(value.lastIndexOf('/') + 1)}/Dockerfile`);
  const bake = renderBake([{ id: 'property', bakeTargets: planBakeTargets(resolve(settings), 'property', 'property') }], origin);
  const literals = decodeHclStrings(bake.split('\n').filter((line) => !line.trimStart().startsWith('#')).join('\n'));
  for (const tag of resolve(settings).staticTags) expect(literals).toContain(`${settings.name}:${tag}`);
}

/**
 * The value as the dry run prints it: bare, or, where it needs quotes, as it stands inside
 * a single-quoted word (a key file's folder may come before it in the same word).
 */
const asPrinted = (value: string): string => shellQuote(value).replace(/^'(.*)'$/s, '$1');

/** Slow checks on a sample: bash -n, sh-syntax on the formatted script, and the dry-run as nobody. */
async function checkWithBash(settings: Settings, field: Field, value: string): Promise<void> {
  const files = await renderConfig(settings, origin);
  const script = files.find((f) => f.path === 'mkimage.sh')!.content;
  const syntax = bashSyntaxCheck(script);
  expect(syntax.stderr, `bash -n with ${field.key}=${JSON.stringify(value)}`).toBe('');
  expect(syntax.status).toBe(0);
  await parseShell(script);
  const run = dryRunAsNobody(script);
  const why = `${field.key}=${JSON.stringify(value)}\n${run.stderr}`;
  expect(run.canaries, why).toEqual([]);
  expect(run.status, why).toBe(0);
  if (field.reach === 'script' && field.printed !== false) expect(run.stdout, why).toContain(asPrinted(value));
  if (field.reach === 'dockerfile-run') {
    // Run the Dockerfile's RUN line in bash with apt-get and rm stubbed out: the package
    // must arrive as one argument, and nothing else may run.
    const derived = files.find((f) => f.path.endsWith('Dockerfile') && f.path.startsWith('derived/'))!;
    const line = instructions(derived.content).find((l) => l.includes('apt-get install'))!.slice('RUN '.length);
    const stubbed = `apt-get() { printf '<%s>\\n' "$@"; }\nrm() { :; }\n${line}\n`;
    const r = runAsNobody(stubbed, []);
    expect(r.canaries, why).toEqual([]);
    expect(r.stdout, why).toContain(`<${value}>`);
  }
}

/** The most unusual accepted values: the ones with the most characters that are not letters or digits. */
function pickSample(values: readonly string[], count: number): string[] {
  const score = (v: string) => v.replace(/[A-Za-z0-9]/g, '').length;
  return [...new Set(values)].sort((a, b) => score(b) - score(a) || a.localeCompare(b)).slice(0, count);
}

describe('property: hostile strings in every string field', () => {
  it('covers every string field of the config format', () => {
    // $schema is for editors: it is dropped before validation and reaches no output.
    const schemaFields = stringFields(settingsJsonSchema() as Record<string, unknown>, '', []).filter((f) => f !== '$schema');
    expect(FIELDS.map((f) => f.key).sort()).toEqual(schemaFields.sort());
  });

  it.each(FIELDS.map((f) => [f.key, f] as const))(
    '%s: rejected naming the field, or rendered as a literal',
    async (_key, field) => {
      const accepted: string[] = [];
      let rejected = 0;
      await fc.assert(
        fc.asyncProperty(hostileFor(field.examples, field.extras), async (value) => {
          let settings: Settings;
          try {
            settings = validateSettings(field.set(value), 'property');
          } catch (error) {
            if (!(error instanceof ConfigError)) throw error;
            rejected++;
            expect(error.problems.some((p) => p.startsWith(field.error)), error.message).toBe(true);
            // Each problem is one short line: the value shown back is escaped and shortened.
            for (const problem of error.problems) {
              expect(problem).not.toMatch(/[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e]/);
              expect(problem.length).toBeLessThan(400);
            }
            return;
          }
          accepted.push(value);
          await checkRendered(settings, field, value);
        }),
        { numRuns: RUNS },
      );
      if (process.env.PROPERTY_STATS) console.log(`${field.key}: ${rejected} rejected, ${accepted.length} accepted`);
      // Both outcomes happen: the arbitraries reach past the validation and into the templates.
      expect(rejected).toBeGreaterThan(0);
      expect(accepted.length).toBeGreaterThan(0);
      for (const value of pickSample(accepted, PARSE_SAMPLE)) {
        await parsesAsBash(renderConfig(validateSettings(field.set(value), 'property'), origin).find((f) => f.path === 'mkimage.sh')!.content);
      }
      for (const value of pickSample(accepted, BASH_SAMPLE)) await checkWithBash(validateSettings(field.set(value), 'property'), field, value);
    },
    120_000,
  );
});

describe('a config with a command substitution in its mirror, package, locale, tag and env value', () => {
  const payload = `$(touch ${CANARY})`;
  const hostile = {
    ...DEBIAN,
    mirror: `http://mirror.example/${payload}`,
    include: [`curl${payload}`],
    locales: { generate: [`ja_JP.UTF-8${payload}`] },
    output: { tags: [`ja${payload}`] },
    derived: [{ name: 'local/tools', env: { GREETING: payload } }],
  };

  it('fails validation naming each field that cannot hold it', () => {
    const error = (() => {
      try {
        validateSettings(hostile, 'hostile.yaml');
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('a hostile config validated');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    for (const field of ['mirror', 'include[0]', 'locales.generate[0]', 'output.tags[0]']) {
      expect(error.problems.some((p) => p.startsWith(`${field}: `)), field).toBe(true);
    }
  });

  it('the env value, which may hold anything printable, stays a literal: the dry-run runs none of it', async () => {
    const settings = validateSettings({ ...DEBIAN, derived: hostile.derived }, 'hostile.yaml');
    const files = await renderConfig(settings, origin);
    const env = instructions(files.find((f) => f.path === 'derived/tools/Dockerfile')!.content).find((l) => l.startsWith('ENV '))!;
    expect(decodeDockerfileWord(env.slice('ENV GREETING='.length))).toBe(payload);
    const run = dryRunAsNobody(files.find((f) => f.path === 'mkimage.sh')!.content);
    expect(run.status, run.stderr).toBe(0);
    expect(run.canaries).toEqual([]);
  });
});

describe('property: hostile text in hook files and key files', () => {
  it('a hook holds any text: the script embeds it as it is, bash -n passes, the dry-run runs none of it', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(hostileFor(['echo hi', 'x'], []), async (line) => {
        const input = withFile('h.sh', b64(`#!/bin/sh\n${line}\n`), { ...DEBIAN, hooks: [{ stage: 'after-packages', script: 'h.sh' }] });
        let settings: Settings;
        try {
          settings = validateSettings(input, 'property');
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          expect(error.problems.some((p) => p.startsWith('hooks[0].script') || p.startsWith('embedded')), error.message).toBe(true);
          return;
        }
        accepted++;
        const script = renderConfig(settings, origin).find((f) => f.path === 'mkimage.sh')!.content;
        await parsesAsBash(script);
        // The here-document holds the hook byte for byte.
        expect(script).toContain(`#!/bin/sh\n${line}\n`);
      }),
      { numRuns: Math.min(RUNS, 300) },
    );
    expect(accepted).toBeGreaterThan(0);
    const hostile = withFile('h.sh', b64(`#!/bin/sh\n$(touch ${CANARY}) '"\\\nMKIMAGE_EMBEDDED_X\n`), { ...DEBIAN, hooks: [{ stage: 'after-packages', script: 'h.sh' }] });
    const script = renderConfig(validateSettings(hostile, 'hostile'), origin).find((f) => f.path === 'mkimage.sh')!.content;
    expect(bashSyntaxCheck(script).status).toBe(0);
    const run = dryRunAsNobody(script);
    expect(run.status, run.stderr).toBe(0);
    expect(run.canaries).toEqual([]);
  }, 120_000);

  it('a key file that is not an OpenPGP key is refused naming the field', async () => {
    await fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), (bytes) => {
        try {
          validateSettings({ ...repo({}), embedded: { 'key.asc': Buffer.from(bytes).toString('base64') } }, 'property');
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          expect(error.problems.some((p) => p.startsWith('repositories[0].key: ')), error.message).toBe(true);
        }
      }),
      { numRuns: Math.min(RUNS, 300) },
    );
  });
});

describe('the checks can fail', () => {
  it('a value spliced into the script unquoted leaves the canary and fails bash -n where it breaks syntax', async () => {
    const files = await renderConfig(validateSettings(DEBIAN, 'x'), origin);
    const script = files.find((f) => f.path === 'mkimage.sh')!.content;
    // The mirror is kept per architecture (a map), as every setting that differs by arch.
    const line = /^readonly -A MIRRORS=.*$/m;
    const spliced = script.replace(line, `readonly -A MIRRORS=([amd64]=http://mirror.example/$(touch ${CANARY}))`);
    expect(spliced).not.toBe(script);
    expect(dryRunAsNobody(spliced).canaries).toHaveLength(1);
    expect(bashSyntaxCheck(script.replace(line, "readonly -A MIRRORS=([amd64]='unterminated)")).status).not.toBe(0);
  });

  it('the Dockerfile and HCL decoders refuse what their tools would expand', () => {
    expect(() => decodeDockerfileWord('"$HOME"')).toThrow(/expand/);
    expect(() => decodeDockerfileWord('"a"b"')).toThrow(/end early/);
    expect(decodeDockerfileWord('"a\\$b\\"c\\\\d\\e"')).toBe('a$b"c\\d\\e');
    expect(() => decodeHclStrings('x = "${var}"')).toThrow(/interpolate/);
    expect(decodeHclStrings('x = "$${var} %%{if}"')).toEqual(['${var} %{if}']);
  });

  it('the canary shows when a payload runs as nobody, and not when it is quoted', () => {
    expect(runAsNobody(`echo x$(touch ${CANARY})\n`, []).canaries).toHaveLength(1);
    expect(runAsNobody(`echo 'x$(touch ${CANARY})'\n`, []).canaries).toEqual([]);
  });
});

/** Problems of a config that must not validate. */
function problemsOf(input: unknown): string[] {
  try {
    validateSettings(input, 'regression');
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('regressions found by these tests, fixed', () => {
  it('hclQuote keeps ${ and %{ literal (a $$ in a replacement string had made it a no-op) and uses HCL escapes', () => {
    for (const value of ['${x}', '%{ if y }', '$${z}', 'a\bb\fc', 'tab\there', '"q"\\']) {
      expect(decodeHclStrings(`x = ${hclQuote(value)}`)).toEqual([value]);
    }
  });

  it('a value shown back in an error has DEL, C1 and bidi controls escaped', () => {
    const [problem] = problemsOf({ ...DEBIAN, suite: '\x7fbook\u202eworm\x85' });
    expect(problem).toContain('\\u007fbook\\u202eworm\\u0085');
  });

  it('a cross-field message escapes the value too (the component check ran on a NUL)', () => {
    expect(problemsOf({ ...DEBIAN, components: ['\0'] }).join('\n')).not.toMatch(/\x00/);
  });

  it('a mirror URL that does not parse is shown without its password', () => {
    expect(problemsOf({ ...DEBIAN, mirror: 'http://me:hunter2@mirror example/debian' }).join('\n')).not.toContain('hunter2');
  });

  it('an unknown key with a newline is shown escaped, on one line', () => {
    const problems = problemsOf({ ...DEBIAN, 'mirror\nRUN x': 1 });
    expect(problems.join('\n')).toContain('"mirror\\nRUN x"');
  });

  it('a mirror URL with non-ASCII characters is refused (apt lines take bytes, not IRIs)', () => {
    expect(problemsOf({ ...DEBIAN, mirror: 'http://mirror.example/ü' })[0]).toMatch(/^mirror: /);
  });

  it('a time zone in the wrong case is refused: Intl accepts it, /usr/share/zoneinfo does not', () => {
    expect(problemsOf({ ...DEBIAN, timezone: 'Asia/tokyo' })[0]).toMatch(/^timezone: /);
    // A legacy alias exists where the release's tzdata still ships it (bookworm), and not from trixie on.
    expect(validateSettings({ ...DEBIAN, timezone: 'US/Pacific' }, 'alias').timezone).toBe('US/Pacific');
    expect(problemsOf({ ...DEBIAN, suite: 'trixie', timezone: 'US/Pacific' })[0]).toMatch(/^timezone: .*tzdata-legacy.*America\/Los_Angeles/);
  });

  it('an env value with a Unicode line separator stays one ENV instruction', () => {
    const settings = validateSettings({ ...DEBIAN, derived: [{ name: 'local/tools', env: { A: 'x\u2028RUN y' } }] }, 'u2028');
    const dockerfile = renderConfig(settings, origin).find((f) => f.path === 'derived/tools/Dockerfile')!.content;
    expect(instructions(dockerfile).filter((l) => l.startsWith('ENV '))).toEqual(['ENV A="x\u2028RUN y"']);
  });

  it('a package :arch qualifier must be an architecture (or any, all, native)', () => {
    expect(problemsOf({ ...DEBIAN, include: ['libc6:x86'] })[0]).toMatch(/^include\[0\]: /);
    expect(validateSettings({ ...DEBIAN, include: ['libc6:i386', 'python3:any'] }, 'arch').include).toHaveLength(2);
  });
});

describe('property: what issue 14 found, for any value', () => {
  /** Every spelling of a URL with credentials that a lenient parser (curl, browsers) reads as user:password@host. */
  const SPELLINGS = [
    (pw: string) => `http://builder:${pw}@mirror.example/debian`,
    (pw: string) => `http:builder:${pw}@mirror.example/debian`,
    (pw: string) => `http:/builder:${pw}@mirror.example/debian`,
    (pw: string) => `http:\\\\builder:${pw}@mirror.example/debian`,
    (pw: string) => `HTTP://builder:${pw}@mirror.example/debian`,
    (pw: string) => ` https://builder:${pw}@mirror.example/debian`,
    (pw: string) => `builder:${pw}@mirror.example/debian`,
    (pw: string) => `http://builder:${pw}@@mirror.example/debian`,
    (pw: string) => `ftp://builder:${pw}@mirror example/debian`,
  ];
  const password = fc.string({ unit: fc.constantFrom(...'abcXYZ0129/?#:;!$%&*~'), minLength: 8, maxLength: 24 }).filter((pw) => /[a-z0-9]{4}/i.test(pw));
  const fields = ['mirror', 'securityMirror', 'proxy', 'suite', 'name'] as const;

  it('a password in a URL-like value never appears in an error, in any field and spelling', () => {
    fc.assert(
      fc.property(password, fc.constantFrom(...SPELLINGS), fc.constantFrom(...fields), (pw, spell, field) => {
        const problems = problemsOf({ ...DEBIAN, [field]: spell(pw) });
        expect(problems.some((p) => p.startsWith(`${field}: `))).toBe(true);
        // The longest run of letters and digits in the password: what a reader could pick out.
        const secret = pw.match(/[a-z0-9]{4,}/gi)!.sort((a, b) => b.length - a.length)[0]!;
        expect(problems.join('\n')).not.toContain(secret);
      }),
      { numRuns: RUNS },
    );
  });

  it('a package list item that validates is a word apt takes as exactly one package name (and version)', () => {
    fc.assert(
      fc.property(hostileFor(['curl', 'g++', 'libstdc++6', 'python3.11', 'libc6:amd64', 'curl=7.88.1-10+deb12u8'], ['+', '-', '.', '*', '/x', '=1', ':i386', '^', '$']), (value) => {
        let accepted = true;
        try {
          validateSettings({ ...DEBIAN, derived: [{ name: 'local/tools', packages: [value] }] }, 'packages');
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          accepted = false;
        }
        if (!accepted) return;
        const [head, version] = value.split('=') as [string, string | undefined];
        const name = head.split(':')[0]!;
        // apt's modifiers, releases, globs and regexes: none left in an accepted word.
        expect(name).toMatch(/^[a-z0-9][a-z0-9+.-]+$/);
        expect(name).not.toMatch(/-$|[^+]\+$|\.$|\.[^a-z0-9]/);
        expect(value).not.toMatch(/[/*?[\]^$|\s]/);
        if (version !== undefined) expect(version).toMatch(/^([0-9]+:)?[0-9][A-Za-z0-9.+~-]*$/);
      }),
      { numRuns: RUNS },
    );
  });

  it('an env value with a lone surrogate or U+FFFD is refused, never rendered as something else', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('\ud800', '\udfff', '\ufffd', 'a\udc00b'), (text, bad) => {
        const problems = problemsOf({ ...DEBIAN, derived: [{ name: 'local/tools', env: { GREETING: `${text}${bad}` } }] });
        expect(problems.some((p) => p.startsWith('derived[0].env.GREETING: '))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('an env key __proto__ is refused, not dropped', () => {
    const env = JSON.parse('{"__proto__": "x", "A": "b"}') as Record<string, string>;
    expect(problemsOf({ ...DEBIAN, derived: [{ name: 'local/tools', env }] }).join('\n')).toContain('"__proto__" cannot be an environment variable name');
  });
});
