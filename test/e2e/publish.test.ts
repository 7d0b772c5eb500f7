// End to end: publishing. A registry of the test's own on 127.0.0.1 (TLS, htpasswd
// logins) receives an image the generated script builds, pushes, signs and attests
// (SPDX, CycloneDX, SLSA provenance) with a cosign key pair, offline. cosign verifies
// the signature and each attestation with the public key; `mkimage-gen verify` checks
// them and the attested package lists against the build's manifest, and names what
// differs when a tag is moved to another image, an attestation is signed with another
// key, or an SBOM is changed. A second run of the same build (from --result-cache, so
// no second bootstrap) pushes the same digest. Nothing secret (the key's password, the
// registry password) may show up in the logs, the records or the generated files.
//
// One architecture (amd64): a second one through qemu-user would double the bootstrap
// for what the unit tests already show of the index (the push and attest commands per
// architecture, in the ledger and the dry run).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeE2E, makeTempRoot, must, prerequisites, removeTree, sh } from './support/host.js';
import { Registry, registryProblems, SIGNING_PATH } from './support/registry.js';
import { describeRun, renderConfig, runScript, stopScripts, type Finished, type Rendered } from './support/script.js';

const ROOT = join(import.meta.dirname, '../..');
const KEY_PASSWORD = 'e2e-key-pass-7f3a';
const OTHER_KEY_PASSWORD = 'e2e-other-pass-91c2';
const REGISTRY_USER = 'builder';
const REGISTRY_PASSWORD = 'e2e-registry-pass-5d8e';
const TYPES = ['spdxjson', 'cyclonedx', 'slsaprovenance1'] as const;

const base = await prerequisites();
const prereq = { ...base, problems: [...base.problems, ...registryProblems()] };

describeE2E('publishing: push, sign, attest, verify', prereq, (mirrors) => {
  let root = '';
  let registry: Registry;
  let rendered: Rendered;
  let repository = '';
  const runs: Finished[] = [];
  const verifyOutputs: string[] = [];
  const outs = () => [join(root, 'out-1'), join(root, 'out-2')];
  const env = () => ({ ...registry.env, PATH: SIGNING_PATH, HOME: '/root' });
  const tool = (command: string, args: string[], extra: Record<string, string> = {}) => sh(command, args, { env: { ...env(), ...extra } });
  const cosign = (args: string[], extra: Record<string, string> = {}) => tool('cosign', args, extra);
  const published = (out: string) => JSON.parse(readFileSync(join(out, 'published.json'), 'utf8')) as { digest: string; tags: string[]; images: { arch: string; digest: string }[] };
  const verify = (args: string[]) => {
    const run = spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'verify', ...args], { encoding: 'utf8', env: env(), cwd: root });
    verifyOutputs.push(run.stdout, run.stderr);
    return run;
  };
  const started = Date.now();

  beforeAll(async () => {
    root = makeTempRoot('publish');
    registry = await Registry.start(join(root, 'registry'), REGISTRY_USER, REGISTRY_PASSWORD);
    repository = `${registry.host}/e2e/debian`;
    for (const [dir, password] of [['keys', KEY_PASSWORD], ['other-keys', OTHER_KEY_PASSWORD]] as const) {
      must('mkdir', ['-p', join(root, dir)]);
      const made = sh('cosign', ['generate-key-pair'], { cwd: join(root, dir), env: { ...env(), COSIGN_PASSWORD: password } });
      expect(made.status, made.stderr).toBe(0);
    }
    rendered = await renderConfig(join(root, 'config'), 'signed', {
      name: 'mkimage-e2e/signed',
      distro: 'debian',
      suite: 'bookworm',
      backend: 'mmdebstrap',
      mirror: mirrors.mirror,
      securityMirror: mirrors.securityMirror,
      output: { compression: 'gzip', import: 'none', oci: true, tags: ['e2e'] },
      publish: { repository, key: join(root, 'keys', 'cosign.key') },
    });
    // The same build twice: the second run publishes the kept build from --result-cache.
    for (const out of outs()) {
      const work = join(root, `work-${runs.length + 1}`);
      must('mkdir', ['-p', work]);
      const run = await runScript(rendered.script, ['--output-dir', out, '--work-dir', work, '--result-cache', join(root, 'results')], {
        path: SIGNING_PATH,
        env: { ...registry.env, COSIGN_PASSWORD: KEY_PASSWORD },
      });
      runs.push(run);
      console.log(`publish e2e: run ${runs.length} done after ${Math.round((Date.now() - started) / 1000)}s`);
      expect(run.code, describeRun(run)).toBe(0);
    }
  }, 30 * 60_000);

  afterAll(async () => {
    await stopScripts();
    registry?.stop();
    if (root) removeTree(root);
    console.log(`publish e2e: ${Math.round((Date.now() - started) / 1000)}s in all`);
  });

  it('pushes every tag by one digest and records it; a second run of the same build pushes the same digest', () => {
    const [first, second] = outs().map(published);
    expect(first!.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(second!.digest).toBe(first!.digest);
    expect(first!.tags).toEqual(expect.arrayContaining(['bookworm', 'e2e', expect.stringMatching(/^12\.\d+$/)]));
    for (const tag of first!.tags) {
      const raw = tool('skopeo', ['inspect', '--raw', `docker://${repository}:${tag}`]);
      expect(raw.status, raw.stderr).toBe(0);
      expect(`sha256:${must('sha256sum', [], { input: raw.stdout }).split(' ')[0]}`).toBe(first!.digest);
    }
    const inspect = JSON.parse(tool('skopeo', ['inspect', `docker://${repository}:bookworm`]).stdout);
    expect([inspect.Os, inspect.Architecture]).toEqual(['linux', 'amd64']);
    expect(first!.images).toEqual([{ arch: 'amd64', digest: first!.digest }]);
    expect(runs[0]!.stdout).toContain(`mkimage: pushed ${repository}@${first!.digest}`);
  });

  it('cosign verifies the signature and each attestation with the public key; the subject is the pushed digest', () => {
    const { digest } = published(outs()[0]!);
    const pub = join(root, 'keys', 'cosign.pub');
    const signed = cosign(['verify', '--key', pub, '--insecure-ignore-tlog=true', `${repository}:bookworm`]);
    expect(signed.status, signed.stderr).toBe(0);
    expect(signed.stdout).toContain(digest);
    for (const type of TYPES) {
      const run = cosign(['verify-attestation', '--key', pub, '--insecure-ignore-tlog=true', '--type', type, `${repository}@${digest}`]);
      expect(run.status, `${type}: ${run.stderr}`).toBe(0);
      const statement = JSON.parse(Buffer.from(JSON.parse(run.stdout.trim().split('\n')[0]!).payload, 'base64').toString('utf8'));
      expect(statement.subject.map((s: { digest: { sha256: string } }) => `sha256:${s.digest.sha256}`)).toContain(digest);
    }
    // The SPDX predicate is the record the build wrote, unchanged.
    const spdx = cosign(['verify-attestation', '--key', pub, '--insecure-ignore-tlog=true', '--type', 'spdxjson', `${repository}@${digest}`]);
    const predicate = JSON.parse(Buffer.from(JSON.parse(spdx.stdout.trim().split('\n')[0]!).payload, 'base64').toString('utf8')).predicate;
    expect(predicate).toEqual(JSON.parse(readFileSync(join(outs()[0]!, 'rootfs.spdx.json'), 'utf8')));
    // Another key verifies nothing.
    const other = cosign(['verify', '--key', join(root, 'other-keys', 'cosign.pub'), '--insecure-ignore-tlog=true', `${repository}:bookworm`]);
    expect(other.status).not.toBe(0);
  });

  it('mkimage-gen verify passes for the published image, against its manifest and its publish record', () => {
    const run = verify([`${repository}:bookworm`, '--key', join(root, 'keys', 'cosign.pub'), '--manifest', join(outs()[0]!, 'rootfs.manifest'), '--published', join(outs()[0]!, 'published.json')]);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    // One of each: the second push replaced the first one's attestations (cosign attest --replace).
    for (const type of ['spdxjson', 'cyclonedx', 'slsaprovenance1']) expect(run.stdout).toContain(`ok: attestation ${type} of the amd64 image (${published(outs()[0]!).digest}): 1 signed with`);
    expect(run.stdout).toMatch(/^ok: SBOM: the attested SPDX SBOM of the amd64 image lists the \d+ packages of the manifest of the amd64 build$/m);
    expect(run.stdout).toMatch(/^ok: SBOM: the attested CycloneDX SBOM of the amd64 image lists the \d+ packages of the manifest of the amd64 build$/m);
    expect(run.stdout).toMatch(/^verified /m);
  });

  it('tampering: another image under the tag, an attestation with another key, a changed SBOM: verify names each', () => {
    const pub = join(root, 'keys', 'cosign.pub');
    const manifest = join(outs()[0]!, 'rootfs.manifest');
    // Another image: an empty one, pushed under the image's own tag.
    must('umoci', ['init', '--layout', join(root, 'other')]);
    must('umoci', ['new', '--image', `${join(root, 'other')}:t`]);
    const pushed = tool('skopeo', ['copy', '--quiet', '--digestfile', join(root, 'other.digest'), `oci:${join(root, 'other')}:t`, `docker://${repository}:bookworm`]);
    expect(pushed.status, pushed.stderr).toBe(0);
    const other = readFileSync(join(root, 'other.digest'), 'utf8').trim();

    const moved = verify([`${repository}:bookworm`, '--key', pub, '--manifest', manifest, '--published', join(outs()[0]!, 'published.json')]);
    expect(moved.status).toBe(1);
    expect(moved.stderr).toContain(`mismatch: digest: ${repository}:bookworm names ${other}, but the build published ${published(outs()[0]!).digest}: the tag was moved to another image`);
    expect(moved.stderr).toMatch(/mismatch: signature: .* has no signature that .* verifies/);

    // Signed with the right key, but its SPDX attestation with another one.
    const signed = cosign(['sign', '--yes', '--key', join(root, 'keys', 'cosign.key'), '--tlog-upload=false', `${repository}@${other}`], { COSIGN_PASSWORD: KEY_PASSWORD });
    expect(signed.status, signed.stderr).toBe(0);
    const foreign = cosign(
      ['attest', '--yes', '--key', join(root, 'other-keys', 'cosign.key'), '--tlog-upload=false', '--type', 'spdxjson', '--predicate', join(outs()[0]!, 'rootfs.spdx.json'), `${repository}@${other}`],
      { COSIGN_PASSWORD: OTHER_KEY_PASSWORD },
    );
    expect(foreign.status, foreign.stderr).toBe(0);
    const byOther = verify([`${repository}@${other}`, '--key', pub, '--type', 'spdx', '--manifest', manifest]);
    expect(byOther.status).toBe(1);
    expect(byOther.stdout).toContain(`ok: signature: ${repository}@${other} is signed with`);
    expect(byOther.stderr).toContain(`mismatch: attestation spdxjson of the amd64 image (${other}): none is signed with ${pub}`);

    // An SBOM with a package taken out, attested with the right key.
    const spdx = JSON.parse(readFileSync(join(outs()[0]!, 'rootfs.spdx.json'), 'utf8'));
    const dropped = spdx.packages.find((p: { name: string }) => p.name === 'bash');
    spdx.packages = spdx.packages.filter((p: { name: string }) => p.name !== 'bash');
    writeFileSync(join(root, 'changed.spdx.json'), JSON.stringify(spdx));
    const changed = cosign(
      ['attest', '--yes', '--key', join(root, 'keys', 'cosign.key'), '--tlog-upload=false', '--type', 'spdxjson', '--predicate', join(root, 'changed.spdx.json'), `${repository}@${other}`],
      { COSIGN_PASSWORD: KEY_PASSWORD },
    );
    expect(changed.status, changed.stderr).toBe(0);
    const sbom = verify([`${repository}@${other}`, '--key', pub, '--type', 'spdx', '--manifest', manifest]);
    expect(sbom.status).toBe(1);
    expect(sbom.stderr).toContain(
      `mismatch: SBOM: the attested SPDX SBOM of the amd64 image differs from the manifest of the amd64 build: only in the manifest of the amd64 build: bash ${dropped.versionInfo} amd64`,
    );
  });

  it('leaves no secret in the logs, the records, the generated files or verify output', () => {
    const secrets = [KEY_PASSWORD, OTHER_KEY_PASSWORD, REGISTRY_PASSWORD, Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASSWORD}`).toString('base64')];
    const texts: { where: string; text: string }[] = [
      ...runs.flatMap((run, i) => [
        { where: `run ${i + 1} stdout`, text: run.stdout },
        { where: `run ${i + 1} stderr`, text: run.stderr },
      ]),
      ...verifyOutputs.map((text, i) => ({ where: `verify output ${i}`, text })),
    ];
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? walk(path) : [path];
      });
    // The generated files, and everything the runs wrote beside them (records, layout, publish record).
    for (const file of [...walk(rendered.dir), ...outs().flatMap(walk)]) texts.push({ where: file, text: readFileSync(file).toString('latin1') });
    expect(texts.length).toBeGreaterThan(10);
    for (const { where, text } of texts) {
      for (const secret of secrets) expect(text.includes(secret), `${where} holds a secret`).toBe(false);
    }
    // The check can fail: the login file itself holds the registry password.
    expect(readFileSync(registry.env.REGISTRY_AUTH_FILE!, 'utf8')).toContain(secrets[3]);
  });
});
