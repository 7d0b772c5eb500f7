// What a company adds to its base image: extra repositories with their keys, apt pins,
// CA certificates, files, users and groups, and its own hooks. Each function returns the
// data of one step of the script, or null where the config asks for none of it.
import { caCertificatePath } from '../model/image-paths.js';
import type { Settings } from '../model/index.js';
import { dearmor, isArmored } from '../model/openpgp.js';
import { blob, blobOf, type Blob } from './blob.js';
import type { Command } from './commands.js';
import type { Resolved } from './resolve.js';
import type { ImageFile } from './sources.js';

export interface EmbeddedFile {
  path: string;
  mode: string;
  owner: string;
  blob: Blob;
}

const PREFERENCES = '/etc/apt/preferences.d/mkimage';

const hostOf = (url: string) => new URL(url).hostname;

/** One repository's sources: deb822 or one-line, as the image's own sources are; both name its key. */
function repositorySources(r: Resolved, repo: Resolved['repositories'][number]): ImageFile {
  if (r.sourcesFormat === 'deb822') {
    return {
      path: `/etc/apt/sources.list.d/${repo.name}.sources`,
      mode: '0644',
      content: `Types: deb\nURIs: ${repo.uri}\nSuites: ${repo.suites.join(' ')}\nComponents: ${repo.components.join(' ')}\nSigned-By: ${repo.keyring}\n`,
      why: `repository ${repo.name}, trusted only with its own key`,
    };
  }
  return {
    path: `/etc/apt/sources.list.d/${repo.name}.list`,
    mode: '0644',
    content: repo.suites.map((suite) => `deb [signed-by=${repo.keyring}] ${repo.uri} ${suite} ${repo.components.join(' ')}\n`).join(''),
    why: `repository ${repo.name}, trusted only with its own key`,
  };
}

/** apt_preferences: the configured pins, then each repository's priority (by its host). */
export function preferencesFile(r: Resolved): ImageFile | null {
  const s = r.settings;
  const stanzas = [
    ...s.apt.pins.map((p) => `Package: ${p.packages.join(' ')}\nPin: ${p.pin}\nPin-Priority: ${p.priority}\n`),
    ...r.repositories
      .filter((repo) => repo.priority !== undefined)
      .map((repo) => `Package: *\nPin: origin "${hostOf(repo.uri)}"\nPin-Priority: ${repo.priority}\n`),
  ];
  if (stanzas.length === 0) return null;
  return { path: PREFERENCES, mode: '0644', content: stanzas.join('\n'), why: 'apt pinning priorities' };
}

export function repositoriesStep(r: Resolved): { keys: { path: string; blob: Blob; fingerprints: string[]; why: string }[]; files: ImageFile[] } | null {
  const preferences = preferencesFile(r);
  if (r.repositories.length === 0 && preferences === null) return null;
  return {
    keys: r.repositories.map((repo) => ({
      path: repo.keyring,
      blob: repo.key,
      fingerprints: repo.fingerprints,
      why: `signing key of ${repo.name} (${repo.key.source}): ${repo.fingerprints.join(', ')}`,
    })),
    files: [...r.repositories.map((repo) => repositorySources(r, repo)), ...(preferences ? [preferences] : [])],
  };
}

/**
 * Each repository's key in binary form, for gpgv on the build host (it reads no armor):
 * release_date checks the repository's Release files with it before the build.
 */
export function repositoryKeyrings(r: Resolved): { name: string; file: string; blob: Blob; why: string }[] {
  return r.repositories.map((repo) => {
    const binary = isArmored(repo.key.bytes) ? dearmor(Buffer.from(repo.key.bytes).toString('latin1')) : repo.key.bytes;
    return {
      name: repo.name,
      file: `keyring-${repo.name}.gpg`,
      blob: blobOf(`${repo.key.source} (binary)`, binary),
      why: `checks the Release files of ${repo.name}: ${repo.fingerprints.join(', ')}`,
    };
  });
}

/** CA certificates: each becomes <name>.crt where update-ca-certificates looks. */
export function caCertificateFiles(s: Settings): EmbeddedFile[] {
  return s.caCertificates.map((source) => ({ path: caCertificatePath(source), mode: '0644', owner: 'root:root', blob: blob(s.embedded, source) }));
}

export function imageFiles(s: Settings): EmbeddedFile[] {
  return s.files.map((f) => ({ path: f.path, mode: f.mode, owner: f.owner, blob: blob(s.embedded, f.source) }));
}

/** groupadd and useradd command lines, groups first (users may name them). */
export function accountCommands(s: Settings): string[][] {
  const groups = s.groups.map((g) => ['groupadd', ...(g.gid === undefined ? [] : ['--gid', String(g.gid)]), '--', g.name]);
  const users = s.users.map((u) => [
    'useradd',
    '--create-home',
    ...(u.uid === undefined ? [] : ['--uid', String(u.uid)]),
    ...(u.group === undefined ? ['--user-group'] : ['--gid', u.group]),
    ...(u.groups.length > 0 ? ['--groups', u.groups.join(',')] : []),
    '--home-dir',
    u.home ?? `/home/${u.name}`,
    '--shell',
    u.shell ?? '/bin/bash',
    '--',
    u.name,
  ]);
  return [...groups, ...users];
}

export type HookStage = Settings['hooks'][number]['stage'];

export const HOOK_STAGE_WORDS: Record<HookStage, string> = {
  'after-bootstrap': 'after the bootstrap',
  'after-packages': 'after the packages and settings',
  'before-pack': 'just before packing',
};

/** The hooks of one stage, in the config's order, as a step; null where there are none. */
export function hookStep(s: Settings, stage: HookStage): { fn: string; title: string; doc: string[]; commands: Command[] } | null {
  const hooks = s.hooks.filter((h) => h.stage === stage);
  if (hooks.length === 0) return null;
  return {
    fn: `hooks_${stage.replace('-', '_')}`,
    title: `hooks ${stage}`,
    doc: ['Your own hooks for this stage, in the order the config lists them. Each is carried', 'here as it was when generated; its sha256 is checked before it runs.'],
    commands: hooks.map((h) => ({
      kind: 'hook',
      on: h.on,
      blob: blob(s.embedded, h.script),
      where: h.on === 'rootfs' ? 'inside the rootfs (chroot)' : 'on the build host, with the rootfs as $1 and MKIMAGE_ROOTFS',
    })),
  };
}
