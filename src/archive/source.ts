// One apt source as apt reads it: the suite's InRelease (or Release and Release.gpg),
// its signature checked, then each component's Packages index for the architecture,
// checked against the SHA256 the Release file lists before it is parsed.
import { createHash } from 'node:crypto';
import { decompress, preferredCompressions, SUFFIX } from './decompress.js';
import { ArchiveError } from './errors.js';
import { get } from './http.js';
import { parsePackages, type PackageVersion } from './packages.js';
import { parseRelease, type Release } from './release.js';
import type { Verifier } from './verify.js';

export interface SourceSpec {
  uri: string;
  suite: string;
  components: string[];
  arch: string;
  /** How reports name it: `bookworm-security`, or `company (stable)`. */
  label: string;
  /** The release's security suite: its updates are marked as such. */
  security: boolean;
  /** Old Release files are expected (a snapshot, an archived release): Valid-Until is not checked. */
  ignoreValidUntil: boolean;
}

export interface ReadSource {
  spec: SourceSpec;
  release: Release;
  /** Where the Release file came from. */
  releaseUrl: string;
  /** Each component's package versions (apt pins can name the component). */
  indices: { component: string; packages: PackageVersion[] }[];
  /** Components or architectures the Release file does not list (apt skips them with a notice). */
  notes: string[];
}

const trim = (uri: string) => uri.replace(/\/+$/, '');

export function distsUrl(uri: string, suite: string): string {
  return `${trim(uri)}/dists/${suite}/`;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function fetchRelease(spec: SourceSpec, verify: Verifier, now: Date): Promise<{ release: Release; url: string }> {
  const base = distsUrl(spec.uri, spec.suite);
  let text: string | undefined;
  let url = `${base}InRelease`;
  if (verify.inline) {
    const inRelease = await get(url);
    if (inRelease.status === 200) text = await verify.inline(inRelease.body, url);
    else if (inRelease.status !== 404) throw new ArchiveError(`cannot read ${url}: the server answered ${inRelease.status}`);
  }
  if (text === undefined) {
    url = `${base}Release`;
    const release = await get(url);
    if (release.status === 404) throw new ArchiveError(`no Release file at ${base}: is ${spec.suite} a suite of ${spec.uri}?`);
    if (release.status !== 200) throw new ArchiveError(`cannot read ${url}: the server answered ${release.status}`);
    const signature = await get(`${url}.gpg`);
    if (signature.status !== 200) throw new ArchiveError(`bad signature on ${url}: the Release file is not signed (${url}.gpg answered ${signature.status})`);
    text = await verify.detached(release.body, signature.body, url);
  }
  const release = parseRelease(text);
  if (release.files.size === 0) throw new ArchiveError(`${url} lists no SHA256 checksums: its indices cannot be checked`);
  if (!spec.ignoreValidUntil && release.validUntil !== undefined && release.validUntil < now) {
    throw new ArchiveError(`${url} expired on ${release.validUntil.toISOString()} (Valid-Until): the mirror is out of date`);
  }
  return { release, url };
}

/** The Packages index of one component and architecture, checked and parsed; undefined where the Release file lists none. */
async function fetchIndex(spec: SourceSpec, release: Release, dir: string): Promise<PackageVersion[] | undefined> {
  const base = distsUrl(spec.uri, spec.suite);
  for (const compression of preferredCompressions()) {
    const path = `${dir}Packages${SUFFIX[compression]}`;
    const entry = release.files.get(path);
    if (entry === undefined) continue;
    const plain = `${base}${path}`;
    const slash = path.lastIndexOf('/');
    const byHash = `${base}${path.slice(0, slash + 1)}by-hash/SHA256/${entry.sha256}`;
    let response = release.acquireByHash ? await get(byHash) : undefined;
    if (response === undefined || response.status === 404) response = await get(plain);
    // Debian lists uncompressed indices it does not serve: try the next form.
    if (response.status === 404) continue;
    if (response.status !== 200) throw new ArchiveError(`cannot read ${plain}: the server answered ${response.status}`);
    const got = sha256(response.body);
    if (response.body.length !== entry.size || got !== entry.sha256) {
      throw new ArchiveError(
        `corrupt index ${plain}: ${response.body.length} bytes with SHA256 ${got}, but the Release file lists ${entry.size} bytes with SHA256 ${entry.sha256}`,
      );
    }
    const text = await decompress(response.body, compression, plain);
    const uncompressed = release.files.get(`${dir}Packages`);
    if (compression !== 'none' && uncompressed !== undefined && sha256(text) !== uncompressed.sha256) {
      throw new ArchiveError(`corrupt index ${plain}: its content does not match the SHA256 the Release file lists for ${dir}Packages`);
    }
    // latin1 decodes fastest, and the fields read are ASCII (names, versions, relations).
    return parsePackages(text.toString('latin1'));
  }
  if ([...release.files.keys()].some((p) => p.startsWith(`${dir}Packages`))) {
    throw new ArchiveError(`cannot read ${base}${dir}Packages: no form the Release file lists is served`);
  }
  return undefined;
}

/** Read a source: its Release file, verified, and the Packages of each component for the architecture (and `all` where separate). */
export async function readSource(spec: SourceSpec, verify: Verifier, now = new Date()): Promise<ReadSource> {
  const { release, url } = await fetchRelease(spec, verify, now);
  const notes: string[] = [];
  const indices: ReadSource['indices'] = [];
  const arches = [spec.arch, ...(release.architectures.includes('all') && !release.allInEachArch ? ['all'] : [])];
  for (const component of spec.components) {
    const packages: PackageVersion[] = [];
    let found = false;
    for (const arch of arches) {
      const index = await fetchIndex(spec, release, `${component}/binary-${arch}/`);
      if (index === undefined) continue;
      found = true;
      packages.push(...(arch === 'all' ? index.filter((p) => p.arch === 'all') : index));
    }
    if (found) indices.push({ component, packages });
    else notes.push(`${url} lists no ${component} index for ${spec.arch}: apt skips it too`);
  }
  return { spec, release, releaseUrl: url, indices, notes };
}
