// `mkimage-gen verify <image> --key cosign.pub`: before an image is used, check in the
// registry that its digest is signed with the key, that each architecture's image has
// the attestations the script attaches (signed with the same key, about that digest),
// and that the attested SBOMs list the packages of the build's manifest. cosign checks
// the signatures, skopeo reads the registry; both read the usual login files.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readRegularFile, refusalText } from '../io/regular-file.js';
import { delimiter, join } from 'node:path';
import { parseManifest } from '../manifest.js';
import { ConfigError } from '../model/errors.js';
import { COSIGN_TYPES, KMS_SCHEMES, REGISTRY_REPOSITORY, type Attestation } from '../model/publish.js';
import { cyclonedxPackages, dpkgArch, manifestArch, manifestPackages, packageDifferences, spdxPackages, type PackageKey } from '../publish/packages.js';

/** A manifest or publish record of any image stays far below this. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

export interface VerifyArgs {
  image: string;
  key: string;
  manifest?: string[];
  published?: string;
  type?: string[];
}

interface Image {
  arch: string;
  digest: string;
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const CHECKS = 'signature, attestations, SBOM packages';

/** repository[:tag][@digest], split; the problem where it is not one. */
export function parseReference(ref: string): { repository: string; tag?: string; digest?: string } | { problem: string } {
  const at = ref.indexOf('@');
  const digest = at < 0 ? undefined : ref.slice(at + 1);
  const named = at < 0 ? ref : ref.slice(0, at);
  const colon = named.lastIndexOf(':');
  const tagged = colon > named.lastIndexOf('/');
  const repository = tagged ? named.slice(0, colon) : named;
  const tag = tagged ? named.slice(colon + 1) : undefined;
  if (!REGISTRY_REPOSITORY.test(repository)) return { problem: `${JSON.stringify(repository)} is not a registry repository host[:port]/path (e.g. registry.example.com/infra/debian:bookworm)` };
  if (tag !== undefined && !TAG.test(tag)) return { problem: `${JSON.stringify(tag)} is not a tag` };
  if (digest !== undefined && !DIGEST.test(digest)) return { problem: `${JSON.stringify(digest)} is not a sha256 digest (sha256:<64 hex digits>)` };
  if (tag === undefined && digest === undefined) return { problem: 'name a tag or a digest: repository:tag or repository@sha256:...' };
  return { repository, tag, digest };
}

/** A command on PATH, or undefined. */
function onPath(command: string): string | undefined {
  return (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, command)).find((p) => existsSync(p));
}

function tool(command: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { status: run.status, stdout: run.stdout ?? '', stderr: run.stderr ?? run.error?.message ?? '' };
}

/** cosign's own reason, in one line: its last error line. */
function reason(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('WARNING'));
  return (lines.find((l) => l.startsWith('Error:')) ?? lines.at(-1) ?? 'no reason given').replace(/^Error: /, '');
}

interface Statement {
  subject?: { digest?: { sha256?: string } }[];
  predicateType?: string;
  predicate?: unknown;
}

/** The in-toto statements cosign verified: one DSSE envelope per output line. */
function statements(stdout: string): Statement[] {
  const out: Statement[] = [];
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const envelope = JSON.parse(line) as { payload?: string };
    out.push(JSON.parse(Buffer.from(envelope.payload ?? '', 'base64').toString('utf8')) as Statement);
  }
  return out;
}

/** Check the command line and the files it names; bad input is a ConfigError (exit 2). */
function usage(argv: VerifyArgs) {
  const problems: string[] = [];
  const ref = parseReference(argv.image);
  if ('problem' in ref) problems.push(`image: ${ref.problem}`);
  const kms = KMS_SCHEMES.some((s) => argv.key.startsWith(s));
  if (!kms && !existsSync(argv.key)) problems.push(`--key: ${JSON.stringify(argv.key)} does not exist (the public key, e.g. cosign.pub, or a KMS reference)`);
  const types = (argv.type ?? Object.keys(COSIGN_TYPES)) as Attestation[];
  for (const t of types) if (!(t in COSIGN_TYPES)) problems.push(`--type: expected spdx, cyclonedx or provenance, got ${JSON.stringify(t)}`);
  const manifests = new Map<string, PackageKey[]>();
  for (const path of argv.manifest ?? []) {
    const read = readRegularFile(path, { maxBytes: MAX_RECORD_BYTES, follow: true });
    if (!read.ok) {
      problems.push(`--manifest: ${path}: ${refusalText(read.refused, 'a package manifest')}`);
      continue;
    }
    const text = read.bytes.toString('utf8');
    const parsed = parseManifest(text);
    if ('problem' in parsed) {
      problems.push(`--manifest: ${JSON.stringify(path)} is not a package manifest: ${parsed.problem}`);
      continue;
    }
    const arch = manifestArch(parsed.lines);
    if (arch === undefined) problems.push(`--manifest: ${JSON.stringify(path)} names no single architecture`);
    else if (manifests.has(arch)) problems.push(`--manifest: two manifests for ${arch}`);
    else manifests.set(arch, manifestPackages(parsed.lines));
  }
  let published: { digest?: string; images?: Image[] } | undefined;
  if (argv.published !== undefined) {
    try {
      const read = readRegularFile(argv.published, { maxBytes: MAX_RECORD_BYTES, follow: true });
      if (!read.ok) throw new Error(refusalText(read.refused, 'a publish record'));
      published = JSON.parse(read.bytes.toString('utf8')) as typeof published;
      if (typeof published?.digest !== 'string' || !DIGEST.test(published.digest)) problems.push(`--published: ${JSON.stringify(argv.published)} names no digest`);
    } catch (error) {
      problems.push(`--published: cannot read ${JSON.stringify(argv.published)} as a publish record: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  for (const command of ['cosign', 'skopeo']) {
    if (!onPath(command)) problems.push(`${command} is missing: install the ${command} package`);
  }
  if (problems.length > 0 || 'problem' in ref) throw new ConfigError('the command line', problems);
  return { ref, types, manifests, published };
}

/** Verify; print what was checked; 0 when everything matches, 1 with each difference named. */
export function verify(argv: VerifyArgs): number {
  const { ref, types, manifests, published } = usage(argv);
  const ok: string[] = [];
  const bad: string[] = [];
  const name = `${ref.repository}${ref.tag ? `:${ref.tag}` : ''}`;

  // What the reference names now, by digest: everything below is checked on that digest.
  const raw = tool('skopeo', ['inspect', '--raw', `docker://${argv.image}`]);
  if (raw.status !== 0) {
    process.stderr.write(`mkimage-gen verify: cannot read ${argv.image} from the registry: ${reason(raw.stderr)}\n`);
    return 1;
  }
  const digest = `sha256:${createHash('sha256').update(raw.stdout).digest('hex')}`;
  const at = (d: string) => `${ref.repository}@${d}`;
  if (published?.digest !== undefined && published.digest !== digest) {
    bad.push(`digest: ${name} names ${digest}, but the build published ${published.digest}: the tag was moved to another image`);
  } else if (published?.digest !== undefined) {
    ok.push(`digest: ${name} names ${digest}, as published`);
  }
  const top = JSON.parse(raw.stdout) as { mediaType?: string; manifests?: { digest: string; platform?: { architecture?: string; variant?: string } }[] };
  let images: Image[];
  if (Array.isArray(top.manifests)) {
    images = top.manifests.filter((m) => m.platform?.architecture !== 'unknown').map((m) => ({ arch: dpkgArch(m.platform ?? {}), digest: m.digest }));
  } else {
    const config = tool('skopeo', ['inspect', '--config', `docker://${at(digest)}`]);
    const platform = config.status === 0 ? (JSON.parse(config.stdout) as { architecture?: string; variant?: string }) : {};
    images = [{ arch: dpkgArch(platform), digest }];
  }

  const signed = tool('cosign', ['verify', '--key', argv.key, '--insecure-ignore-tlog=true', at(digest)]);
  if (signed.status === 0) ok.push(`signature: ${at(digest)} is signed with ${argv.key}`);
  else bad.push(`signature: ${name} (${digest}) has no signature that ${argv.key} verifies: it is another image than the one signed, or it was signed with another key (cosign: ${reason(signed.stderr)})`);

  for (const image of images) {
    const lists: { what: string; packages: PackageKey[] }[] = [];
    for (const t of types) {
      const type = COSIGN_TYPES[t];
      const run = tool('cosign', ['verify-attestation', '--key', argv.key, '--insecure-ignore-tlog=true', '--type', type, at(image.digest)]);
      if (run.status !== 0) {
        bad.push(`attestation ${type} of the ${image.arch} image (${image.digest}): none is signed with ${argv.key}: it is missing, or was signed with another key (cosign: ${reason(run.stderr)})`);
        continue;
      }
      const found = statements(run.stdout);
      for (const s of found) {
        if (!s.subject?.some((subject) => `sha256:${subject.digest?.sha256}` === image.digest)) {
          bad.push(`attestation ${type} of the ${image.arch} image: its subject is not ${image.digest}`);
        }
      }
      ok.push(`attestation ${type} of the ${image.arch} image (${image.digest}): ${found.length} signed with ${argv.key}`);
      if (t === 'provenance') continue;
      for (const [i, s] of found.entries()) {
        const packages = t === 'spdx' ? spdxPackages(s.predicate) : cyclonedxPackages(s.predicate);
        const what = `the attested ${t === 'spdx' ? 'SPDX' : 'CycloneDX'} SBOM${found.length > 1 ? ` #${i + 1}` : ''} of the ${image.arch} image`;
        if ('problem' in packages) bad.push(`${what}: ${packages.problem}`);
        else lists.push({ what, packages });
      }
    }
    // The attested package lists against the build's manifest, or else against each other.
    const expected = manifests.get(image.arch);
    const reference = expected !== undefined ? { what: `the manifest of the ${image.arch} build`, packages: expected } : lists[0];
    for (const list of lists) {
      if (!reference || list === reference) continue;
      const diff = packageDifferences(list.packages, reference.packages, list.what, reference.what);
      if (diff.length > 0) bad.push(`SBOM: ${list.what} differs from ${reference.what}: ${diff.join('; ')}`);
      else ok.push(`SBOM: ${list.what} lists the ${list.packages.length} packages of ${reference.what}`);
    }
    if (expected === undefined && manifests.size > 0) bad.push(`SBOM: no --manifest for the ${image.arch} image`);
  }
  for (const arch of manifests.keys()) {
    if (!images.some((i) => i.arch === arch)) bad.push(`platforms: ${name} has no ${arch} image, and a manifest for it was given`);
  }

  for (const line of ok) process.stdout.write(`ok: ${line}\n`);
  for (const line of bad) process.stderr.write(`mismatch: ${line}\n`);
  process.stdout.write(bad.length === 0 ? `verified ${name} (${digest}): ${CHECKS}\n` : '');
  if (bad.length > 0) process.stderr.write(`mkimage-gen verify: ${name} does not verify (${bad.length} problem${bad.length === 1 ? '' : 's'})\n`);
  return bad.length === 0 ? 0 : 1;
}
