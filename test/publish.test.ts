// The publish setting (src/model/publish.ts) and the push step it adds (src/plan/publish.ts,
// templates/steps/push_image.hbs): bad values are refused with the field's path and never
// echo a password; the step's script is golden, shellcheck-clean and carries no secret;
// explain and the dry run list every push, signature and attestation.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planImage, renderImage } from '../src/generate.js';
import { validateSettings, type SettingsInput } from '../src/model/index.js';
import { rootLedger } from '../src/plan/ledger.js';
import { parseReference } from '../src/cli/verify.js';
import { parseManifest } from '../src/manifest.js';
import { cyclonedxPackages, dpkgArch, manifestArch, manifestPackages, packageDifferences, spdxPackages } from '../src/publish/packages.js';
import { cli } from './helpers/cli.js';
import { runAsNobody } from './helpers/dry-run.js';
import { ROOT } from './helpers/presets.js';
import { DEBIAN, problems } from './helpers/settings.js';
import { shellcheckEnv } from './helpers/shellcheck.js';

const FIXTURE = join(ROOT, 'test/fixtures/publish');
const PUBLISHING: SettingsInput = {
  ...DEBIAN,
  output: { oci: true, import: 'none' },
  publish: { repository: 'registry.example.com/infra/debian', key: 'cosign.key' },
};

const withPublish = (publish: object, rest: Partial<SettingsInput> = {}): SettingsInput =>
  ({ ...PUBLISHING, ...rest, publish: { ...PUBLISHING.publish, ...publish } }) as SettingsInput;

function script(input: SettingsInput): string {
  const plan = planImage({ id: 'pub', settings: validateSettings(input, 't'), origin: { generatedFrom: 'test', regenerate: 'test' } });
  return renderImage(plan).find((f) => f.path === 'mkimage.sh')!.content;
}

describe('the publish setting', () => {
  it('takes a registry repository with a port, a key file or a KMS reference', () => {
    expect(problems(PUBLISHING)).toEqual([]);
    expect(problems(withPublish({ repository: 'localhost:5000/debian' }))).toEqual([]);
    expect(problems(withPublish({ repository: '127.0.0.1:5000/infra/debian', key: 'awskms:///alias/images' }))).toEqual([]);
    expect(problems(withPublish({ key: '/etc/keys/cosign.key', attestations: ['spdx'] }))).toEqual([]);
    // No push without a repository: a project default can hold the key and the attestations.
    expect(problems({ ...DEBIAN, publish: { key: 'cosign.key' } })).toEqual([]);
    expect(problems(withPublish({ sign: false, attestations: [], key: undefined }))).toEqual([]);
  });

  it.each([
    ['https://registry.example.com/infra/debian', 'has a scheme'],
    ['registry.example.com/infra/debian:bookworm', 'names a tag'],
    ['registry.example.com/infra/debian@sha256:' + 'a'.repeat(64), 'names a digest'],
    ['infra/debian', 'does not start with a registry host'],
    ['debian', 'does not start with a registry host'],
    ['registry.example.com/Infra/Debian', 'lowercase path components'],
    ['registry.example.com:99999/debian', 'port must be from 1 to 65535'],
    ['registry.example.com/', 'lowercase path components'],
  ])('refuses the repository %s', (repository, message) => {
    const found = problems(withPublish({ repository }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^publish\.repository: /);
    expect(found[0]).toContain(message);
  });

  it.each(['user:s3cret-pass@registry.example.com/infra/debian', 'https://user:s3cret-pass@registry.example.com/infra/debian'])(
    'refuses credentials in the repository %s without echoing them',
    (repository) => {
      const found = problems(withPublish({ repository }));
      expect(found.join('\n')).toContain('carries credentials');
      expect(found.join('\n')).not.toContain('s3cret');
    },
  );

  it.each([
    [{ key: 'cosign.pub' }, 'publish.key', 'is a public key'],
    [{ key: 'sftp://keys/cosign.key' }, 'publish.key', 'neither a key file nor a KMS reference'],
    [{ key: 'hashivault://user:s3cret@vault/key' }, 'publish.key', 'carries credentials'],
    [{ key: '../keys/cosign.key' }, 'publish.key', 'cannot go up'],
    [{ key: undefined }, 'publish.key', 'required to sign'],
    [{ sign: false }, 'publish.attestations', 'set sign: true'],
    [{ attestations: ['spdx', 'sbom'] }, 'publish.attestations[1]', 'expected one of spdx, cyclonedx, provenance'],
    [{ attestations: ['spdx', 'spdx'] }, 'publish.attestations[1]', 'listed twice'],
    [{ password: 'x' }, 'publish', 'unknown key "password"'],
  ])('refuses %j', (publish, field, message) => {
    const found = problems(withPublish(publish));
    expect(found.some((p) => p.startsWith(`${field}: `) && p.includes(message)), found.join('\n')).toBe(true);
    expect(found.join('\n')).not.toContain('s3cret');
  });

  it('needs the OCI layout, which is what the script pushes', () => {
    const found = problems(withPublish({}, { output: { import: 'docker' } }));
    expect(found).toEqual([expect.stringMatching(/^publish\.repository: .*set output\.oci: true/)]);
  });

  it('exits 2 with the field path through the CLI, and writes nothing', () => {
    const run = cli(['generate', join(ROOT, 'test/fixtures/bad/bad-publish-tag.yaml'), '--out', '/nonexistent/out']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('publish.repository');
  });
});

describe('the push step', () => {
  it('renders the fixture config exactly as committed (golden: regenerate with generate publish.yaml --out generated)', () => {
    const run = cli(['check', 'publish.yaml', '--out', 'generated'], FIXTURE);
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });

  it('is only in configs that name a repository, after the OCI layout, with skopeo and cosign in the preflight', () => {
    const pushing = script(PUBLISHING);
    const calls = [...pushing.matchAll(/^ +step \S+ .* ([a-z_]+)$/gm)].map((m) => m[1]);
    expect(calls.slice(-2)).toEqual(['oci_image', 'push_image']);
    expect(pushing).toContain("require_tool skopeo skopeo\n");
    expect(pushing).toContain("require_tool cosign cosign\n");
    const quiet = script({ ...DEBIAN, output: { oci: true }, publish: { key: 'cosign.key' } });
    expect(quiet).not.toContain('push_image');
    expect(quiet).not.toContain('cosign');
    const unsigned = script(withPublish({ sign: false, attestations: [], key: undefined }));
    expect(unsigned).toContain('skopeo copy');
    expect(unsigned).not.toContain('require_tool cosign');
    expect(unsigned).not.toMatch(/^\s+run cosign/m);
  });

  it('is shellcheck-clean, for one architecture and several', () => {
    // The golden fixture has two architectures and a key file; this one a KMS key.
    const golden = readFileSync(join(FIXTURE, 'generated/publish/mkimage.sh'), 'utf8');
    for (const text of [golden, script(withPublish({ key: 'gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k' }))]) {
      const run = spawnSync('shellcheck', ['-'], { input: text, encoding: 'utf8', env: shellcheckEnv() });
      expect(run.status, run.stdout).toBe(0);
    }
  }, 240_000);

  it('holds no credential and never reads the key password but to check it is set', () => {
    const text = readFileSync(join(FIXTURE, 'generated/publish/mkimage.sh'), 'utf8');
    const uses = text.split('\n').filter((line) => line.includes('COSIGN_PASSWORD') && !line.trimStart().startsWith('#'));
    expect(uses).toEqual([expect.stringMatching(/^ +\[\[ -n \$\{COSIGN_PASSWORD\+set\} \]\] \|\| die "COSIGN_PASSWORD is not set: /)]);
    expect(text).not.toMatch(/--password|--registry-token|--creds|auth\.json\b(?!,)|-u [a-z]/);
  });

  it('lists the pushes, the signature and each attestation in the root ledger, as the dry run prints them', () => {
    const settings = validateSettings(withPublish({}, { arch: ['amd64', 'arm64'] }), 't');
    const plan = planImage({ id: 'pub', settings, origin: { generatedFrom: 'test', regenerate: 'test' } });
    const ledger = rootLedger(plan.script, plan.resolved).filter((e) => e.step === 'push_image');
    const lines = ledger.map((e) => e.what);
    expect(lines.filter((l) => l.startsWith('skopeo copy'))).toHaveLength(3);
    expect(lines.filter((l) => l.startsWith('cosign sign'))).toEqual([
      "cosign sign --yes --key $SCRIPT_DIR/cosign.key --tlog-upload=false --recursive 'registry.example.com/infra/debian@<digest>'",
    ]);
    for (const type of ['spdxjson', 'cyclonedx', 'slsaprovenance1']) {
      expect(lines.filter((l) => l.startsWith('cosign attest') && l.includes(`--type ${type} `))).toHaveLength(2);
    }
    const dry = runAsNobody(renderImage(plan).find((f) => f.path === 'mkimage.sh')!.content, ['--dry-run', '--output-dir', '/O', '--work-dir', '/W']);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("+ cosign attest --yes --key ");
    expect(dry.stdout).toMatch(/\+ skopeo copy --quiet --all --preserve-digests --digestfile \S+ oci:\/O\/oci-layout:bookworm docker:\/\/registry\.example\.com\/infra\/debian:bookworm\n/);
    expect(dry.stdout).toContain('+ write /O/.partial-published.json');
  });

  it('explain lists them too', () => {
    const run = cli(['explain', join(FIXTURE, 'publish.yaml')]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/push_image +run +skopeo copy .* docker:\/\/registry\.example\.com\/infra\/debian:bookworm/);
    expect(run.stdout).toMatch(/push_image +run +cosign sign /);
    expect(run.stdout).toContain('Publish: every tag to registry.example.com/infra/debian, by digest');
    expect(run.stdout).toContain('  attested: spdxjson, cyclonedx, slsaprovenance1');
  });
});

describe('verify', () => {
  const spdx = (packages: { name: string; version: string; arch: string }[]) => ({
    spdxVersion: 'SPDX-2.3',
    packages: [
      { SPDXID: 'SPDXRef-Image', name: 'local/test', versionInfo: 'bookworm' },
      ...packages.map((p) => ({
        name: p.name,
        versionInfo: p.version,
        externalRefs: [{ referenceType: 'purl', referenceLocator: `pkg:deb/debian/${p.name}@${encodeURIComponent(p.version)}?arch=${p.arch}&distro=debian-12` }],
      })),
    ],
  });
  const manifest = parseManifest('base-files\t12.4+deb12u8\tamd64\tbase-files\t12.4+deb12u8\ntzdata\t2024b-0+deb12u1\tall\ttzdata\t2024b-0+deb12u1\n');

  it('reads the package lists of both SBOMs and of a manifest alike, and names what differs', () => {
    if ('problem' in manifest) throw new Error(manifest.problem);
    const fromManifest = manifestPackages(manifest.lines);
    const same = spdx([
      { name: 'tzdata', version: '2024b-0+deb12u1', arch: 'all' },
      { name: 'base-files', version: '12.4+deb12u8', arch: 'amd64' },
    ]);
    expect(spdxPackages(same)).toEqual(fromManifest);
    const cdx = { bomFormat: 'CycloneDX', components: [{ name: 'base-files', version: '12.4+deb12u8', purl: 'pkg:deb/debian/base-files@12.4%2Bdeb12u8?arch=amd64' }] };
    const partial = cyclonedxPackages(cdx);
    expect(partial).toEqual(['base-files 12.4+deb12u8 amd64']);
    expect(packageDifferences(partial as string[], fromManifest, 'the SBOM', 'the manifest')).toEqual(['only in the manifest: tzdata 2024b-0+deb12u1 all']);
    expect(manifestArch(manifest.lines)).toBe('amd64');
    expect(spdxPackages({ nope: 1 })).toEqual({ problem: 'not an SPDX document (no packages)' });
  });

  it('maps OCI platforms back to dpkg architectures', () => {
    expect(dpkgArch({ architecture: 'arm', variant: 'v7' })).toBe('armhf');
    expect(dpkgArch({ architecture: 'arm', variant: 'v5' })).toBe('armel');
    expect(dpkgArch({ architecture: 'ppc64le' })).toBe('ppc64el');
    expect(dpkgArch({ architecture: 'amd64' })).toBe('amd64');
  });

  it.each([
    ['registry.example.com/infra/debian:bookworm', { repository: 'registry.example.com/infra/debian', tag: 'bookworm' }],
    ['localhost:5000/debian@sha256:' + 'a'.repeat(64), { repository: 'localhost:5000/debian', digest: 'sha256:' + 'a'.repeat(64) }],
  ])('takes %s', (ref, parsed) => {
    expect(parseReference(ref)).toEqual({ tag: undefined, digest: undefined, ...parsed });
  });

  it.each([
    ['registry.example.com/infra/debian', 'name a tag or a digest'],
    ['debian:bookworm', 'not a registry repository'],
    ['registry.example.com/debian@sha256:abc', 'not a sha256 digest'],
  ])('refuses %s', (ref, message) => {
    const parsed = parseReference(ref);
    expect('problem' in parsed && parsed.problem).toContain(message);
  });

  it('exits 2 on bad input, naming each problem, before it reads any registry', () => {
    const run = cli(['verify', 'debian:bookworm', '--key', '/nonexistent/cosign.pub', '--manifest', '/nonexistent/rootfs.manifest']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('image: "debian" is not a registry repository');
    expect(run.stderr).toContain('--key: "/nonexistent/cosign.pub" does not exist');
    expect(run.stderr).toContain('--manifest: /nonexistent/rootfs.manifest: no such file');
    const missing = cli(['verify', 'registry.example.com/debian:bookworm']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('Missing required argument: key');
  });
});
