// The output tree's layout, in one place: which files a config writes and where, how
// folders and bake targets are named, and the checks that two things never claim the
// same name. The schema, the plan and the orchestrator all ask this module.
import { basename, extname } from 'node:path';
import { describeInput } from './model/describe.js';
import { ConfigError } from './model/errors.js';
import { FILE_NAME } from './model/formats.js';

/** Where `generate` and `check` write when no config file is named. */
export const DEFAULT_OUT = 'generated';

/** The project file, at the root of what a project renders (see model/project.ts). */
export const PROJECT_FILE = 'mkimage-gen.yaml';

/** One generated file. Relative to the output directory, always with forward slashes. */
export interface OutputFile {
  path: string;
  content: string;
  /** 0o755 for scripts, 0o644 for the rest. */
  mode: number;
}

/** Where an output comes from, as its header says. */
export interface Origin {
  /** How the header names the input: `preset debian-bookworm-ja`, `config site/debian.yaml`. */
  generatedFrom: string;
  /** The command that writes this output again. */
  regenerate: string;
}

/** The files of one config, inside its folder `<config id>/`. */
export const SCRIPT_FILE = 'mkimage.sh';
export const DOCKERFILE = 'Dockerfile';
export const DERIVED_DIR = 'derived';
/** Beside the script: git ignores what a build writes into the script's folder. */
export const IGNORE_FILE = '.gitignore';
/** One bake file at the top of the output tree builds every config's images. */
export const BAKE_FILE = 'docker-bake.hcl';

/**
 * The BuildKit path (plan/buildkit.ts): its Dockerfile beside the script, the ignore file
 * that keeps the build context to the script, and where bake writes the records.
 */
export const BUILDKIT_DOCKERFILE = 'Dockerfile.buildkit';
export const BUILDKIT_IGNORE_FILE = `${BUILDKIT_DOCKERFILE}.dockerignore`;
export const BUILDKIT_RECORDS_DIR = 'buildkit-records';

/** What the script writes beside the tarball for bake: the facts it learned (version, date). */
export const BUILD_VARS_FILE = 'build-vars.hcl';
/** A derived image's files sit in this folder beside its Dockerfile. */
export const DERIVED_FILES_DIR = 'files';

/** Where a derived image's file goes, relative to its Dockerfile: files/<path beside the config>. */
export function derivedFilePath(source: string): string {
  return `${DERIVED_FILES_DIR}/${source}`;
}

/** The bake variable that carries one fact of a config's build (HCL and environment names alike). */
export function bakeVariable(configId: string, fact: 'version' | 'major' | 'date' | 'created'): string {
  return `${bakeVariablePrefix(configId)}${fact}`;
}

/** What every bake variable of one config starts with: two configs must not share it. */
function bakeVariablePrefix(configId: string): string {
  return `mkimage_${configId.replace(/[^A-Za-z0-9_]/g, '_')}_`;
}

/**
 * What a build writes beside its tarball, named after the tarball's stem
 * (rootfs.tar.xz -> rootfs.manifest): the audit records, published with the tarball
 * and listed in its checksum file.
 */
export interface TarballRecords {
  /** The checksum file: the tarball's sum first, then every record's. */
  checksums: string;
  manifest: string;
  spdx: string;
  cyclonedx: string;
  buildRecord: string;
  provenance: string;
}

/** The tarball's name without .tar and its compression suffix. */
export function tarballStem(tarball: string): string {
  return tarball.replace(/\.tar(\.(xz|gz|zst))?$/, '');
}

export function tarballRecords(tarball: string): TarballRecords {
  const stem = tarballStem(tarball);
  return {
    checksums: `${tarball}.sha256`,
    manifest: `${stem}.manifest`,
    spdx: `${stem}.spdx.json`,
    cyclonedx: `${stem}.cdx.json`,
    buildRecord: `${stem}.build.json`,
    provenance: `${stem}.provenance.json`,
  };
}

/** The records in the order the checksum file (and the script's RECORD_FILES) lists them, after the tarball. */
export const RECORD_ORDER = ['manifest', 'spdx', 'cyclonedx', 'buildRecord', 'provenance'] as const;

export function recordFiles(tarball: string): string[] {
  const r = tarballRecords(tarball);
  return RECORD_ORDER.map((kind) => r[kind]);
}

/** output.oci: the OCI image layout (a folder) and the same layout as one archive. */
export const OCI_LAYOUT_DIR = 'oci-layout';
export const OCI_ARCHIVE = 'oci-image.tar';

/** Names beside the script that are not the tarball's, with what each is: the tarball must not take them. */
export const RESERVED_NAMES: Readonly<Record<string, string>> = {
  [SCRIPT_FILE]: 'the script itself',
  [DOCKERFILE]: 'the Dockerfile',
  [DERIVED_DIR]: `${DERIVED_DIR}/, the derived images' folder`,
  [BUILD_VARS_FILE]: `${BUILD_VARS_FILE}, the facts of the build that bake reads`,
  [OCI_LAYOUT_DIR]: `${OCI_LAYOUT_DIR}/, the OCI layout's folder`,
  [OCI_ARCHIVE]: `${OCI_ARCHIVE}, the OCI archive`,
  [BUILDKIT_DOCKERFILE]: `${BUILDKIT_DOCKERFILE}, the BuildKit path's Dockerfile`,
  [BUILDKIT_IGNORE_FILE]: `${BUILDKIT_IGNORE_FILE}, what its build context leaves out`,
  [BUILDKIT_RECORDS_DIR]: `${BUILDKIT_RECORDS_DIR}/, where bake writes the BuildKit path's records`,
};
export const RESERVED_FILE_NAMES: readonly string[] = Object.keys(RESERVED_NAMES);

/** The tarball's name when the config names none: rootfs.tar and the compression's suffix. */
export function defaultTarball(compression: 'xz' | 'gzip' | 'zstd' | 'none'): string {
  return `rootfs.tar${{ xz: '.xz', gzip: '.gz', zstd: '.zst', none: '' }[compression]}`;
}

/** Every file a build writes beside its script for one tarball name, each with what it is. */
function tarballOutputs(tarball: string): [string, string][] {
  const r = tarballRecords(tarball);
  return [
    [tarball, 'the tarball'],
    [r.checksums, "the tarball's checksum file"],
    [r.manifest, 'the package manifest this build writes'],
    [r.spdx, 'the SPDX SBOM this build writes'],
    [r.cyclonedx, 'the CycloneDX SBOM this build writes'],
    [r.buildRecord, 'the build record this build writes'],
    [r.provenance, 'the provenance record this build writes'],
  ];
}

/** Why `name` cannot be the tarball's name: it is one the build needs beside the script; or undefined. */
export function reservedNameProblem(name: string): string | undefined {
  const what = RESERVED_NAMES[name];
  return what && `${describeInput(name)} is the name of ${what}, beside the tarball: choose another name (e.g. rootfs.tar.xz)`;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The tarball's file name (FILE_NAME) and none of the reserved names: a pattern, so the JSON Schema says it too. */
export const TARBALL_NAME = new RegExp(`^(?!(?:${RESERVED_FILE_NAMES.map(escapeRegExp).join('|')})$)${FILE_NAME.source.slice(1)}`);

/**
 * Where the names of the files a build writes clash with what lies beside the script:
 * the tarball of an architecture (`tokens`), its checksum file or a record taking a
 * reserved name (the name itself is TARBALL_NAME's to refuse), or the expected manifest
 * (`expect`) being one of the files the build writes. Each says the field, the name and
 * what it would overwrite.
 */
export function buildFileClashes(tarball: string, tokens: readonly string[], expect?: string): { field: 'tarball' | 'expect'; message: string }[] {
  const several = tokens.length > 1;
  const clashes: { field: 'tarball' | 'expect'; message: string }[] = [];
  const written = new Map<string, string>(Object.entries(RESERVED_NAMES));
  for (const token of tokens) {
    for (const [name, what] of tarballOutputs(several ? archFileName(tarball, token) : tarball)) {
      const reserved = RESERVED_NAMES[name];
      if (reserved !== undefined && name !== tarball) {
        clashes.push({ field: 'tarball', message: `${describeInput(tarball)} would overwrite ${reserved} with ${what} (${name}): choose another name (e.g. rootfs.tar.xz)` });
      }
      written.set(name, what);
    }
  }
  if (expect !== undefined) {
    for (const token of tokens) {
      const name = several ? archSiblingName(expect, token) : expect;
      const what = written.get(name);
      if (what !== undefined) {
        clashes.push({ field: 'expect', message: `${describeInput(name)} is ${what}: keep the expected manifest under another name (e.g. expected.manifest)` });
      }
    }
  }
  return clashes;
}

/**
 * One architecture's tarball when a config builds several: the architecture's token
 * before the first `.tar` (rootfs.tar.zst -> rootfs-arm64.tar.zst), else at the end.
 */
export function archFileName(name: string, token: string): string {
  const at = name.indexOf('.tar');
  return at > 0 ? `${name.slice(0, at)}-${token}${name.slice(at)}` : `${name}-${token}`;
}

/** A per-architecture name of a file the config names: expected.manifest -> expected-arm64.manifest. */
export function archSiblingName(name: string, token: string): string {
  const dot = name.lastIndexOf('.');
  return dot > name.lastIndexOf('/') + 1 ? `${name.slice(0, dot)}-${token}${name.slice(dot)}` : `${name}-${token}`;
}

/** A per-architecture tag: bookworm -> bookworm-arm64. */
export function archTag(tag: string, token: string): string {
  return `${tag}-${token}`;
}

/** The last part of an image repository (local/debian-ja -> debian-ja). */
export function lastPathComponent(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/** A derived image lives in derived/<last part of its name>/, relative to its config's folder. */
export function derivedFolder(imageName: string): string {
  return `${DERIVED_DIR}/${lastPathComponent(imageName)}`;
}

/** A bake target name (buildx allows [a-zA-Z0-9_-]): anything else becomes _, as buildx does for compose. */
export function bakeTargetName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

/**
 * Bake names of one config: a group named after the config holds its base target
 * `<config>-base` and a target `<config>-<last name part>` per derived image, so
 * `docker buildx bake <config>` builds that config's images and no other's.
 */
export function configGroup(configId: string): string {
  return bakeTargetName(configId);
}
export const BASE_TARGET_SUFFIX = 'base';
export function baseTarget(configId: string): string {
  return bakeTargetName(`${configId}-${BASE_TARGET_SUFFIX}`);
}
export function derivedTarget(configId: string, imageName: string): string {
  return bakeTargetName(`${configId}-${lastPathComponent(imageName)}`);
}

/**
 * The BuildKit path's bake names: `<config>-buildkit-base`, `<config>-buildkit-records`,
 * `<config>-buildkit-<last name part>` per derived image, in the group `<config>-buildkit`;
 * the group `buildkit` holds them all. The host path's names keep their meaning.
 */
export const BUILDKIT_GROUP = 'buildkit';
export function buildkitGroup(configId: string): string {
  return bakeTargetName(`${configId}-${BUILDKIT_GROUP}`);
}
export function buildkitTarget(configId: string, what: string): string {
  return bakeTargetName(`${configId}-${BUILDKIT_GROUP}-${lastPathComponent(what)}`);
}

/** A config file's name without extension names its output folder and bake target. */
const CONFIG_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** The config id of a file, or a ConfigError naming it as `shown`. */
export function configId(path: string, shown: string): string {
  const id = basename(path, extname(path));
  if (!CONFIG_ID.test(id)) {
    throw new ConfigError(shown, [
      `the file name ${describeInput(id)} names the output folder: use letters, digits, ".", "_" and "-", starting with a letter or digit (e.g. debian-ja.yaml)`,
    ]);
  }
  // The folder would take the name of the bake file at the top of the output tree.
  if (id === BAKE_FILE) throw new ConfigError(shown, [`the file name ${describeInput(id)} names the output folder, and ${BAKE_FILE} is the bake file's: rename the config`]);
  return id;
}

/**
 * Derived images that would share a folder: for each later one, the index of the first.
 * (Two images named a/web and b/web both write derived/web/.)
 */
export function sharedDerivedFolders(names: readonly string[]): { index: number; first: number; folder: string }[] {
  const folders = names.map(derivedFolder);
  return folders.flatMap((folder, index) => {
    const first = folders.indexOf(folder);
    return first === index ? [] : [{ index, first, folder }];
  });
}

/** What the orchestrator knows of each config when it checks the whole set. */
export interface LayoutEntry {
  id: string;
  origin: Origin;
  /** Every image reference its bake targets tag. */
  tags: readonly string[];
  /** Its bake targets and its group: one namespace in the bake file. */
  targets: readonly string[];
}

/**
 * The whole set's clashes: two configs in one folder, two bake targets with one name,
 * two images with one tag. Each would make one output overwrite another.
 */
export function checkLayout(entries: readonly LayoutEntry[]): void {
  const problems: string[] = [];
  const claim = (seen: Map<string, string>, key: string, owner: string, what: (other: string) => string) => {
    const other = seen.get(key);
    if (other === undefined) seen.set(key, owner);
    else if (other !== owner) problems.push(what(other));
  };
  const folders = new Map<string, string>();
  const targets = new Map<string, string>();
  const tags = new Map<string, string>();
  for (const entry of entries) {
    const owner = entry.origin.generatedFrom;
    claim(folders, entry.id, owner, (other) => `${owner} would write ${entry.id}/, as ${other} does: rename one file`);
    for (const target of entry.targets) {
      claim(targets, target, owner, (other) => `${owner} and ${other} would both name the bake target or group "${target}": rename a config file or a derived image`);
    }
    const prefix = bakeVariablePrefix(entry.id);
    claim(targets, `${prefix}*`, owner, (other) => `${owner} and ${other} would share the bake variables ${prefix}*: rename one file`);
    for (const tag of entry.tags) {
      claim(tags, tag, owner, (other) => `${owner} and ${other} would both tag ${describeInput(tag)}: give one another name or suite`);
    }
  }
  if (problems.length > 0) throw new ConfigError(`${entries.length} configs`, problems);
}
