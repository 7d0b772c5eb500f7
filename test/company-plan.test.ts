// What a company adds to its image: keys and their fingerprints, repositories, pins,
// embedded files checked by their sha256, hooks, accounts, labels and the tag set that
// the import and bake share, as generate plans and renders them (test/e2e/company.test.ts
// builds the image).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planImage, renderImage } from '../src/generate.js';
import { validateSettings, type SettingsInput } from '../src/model/index.js';
import { keyFingerprints } from '../src/model/openpgp.js';
import { APT_OPTIONS, type Command } from '../src/plan/commands.js';
import { partMarkers } from '../src/render/runtime.js';
import { DEBIAN } from './helpers/settings.js';

/** The runtime's helpers for commands and for files in the rootfs, and its checks: the parts as the script holds them. */
function helperParts(script: string): string {
  return ['commands', 'rootfs', 'checks']
    .map((name) => {
      const { start, end } = partMarkers(name);
      return script.slice(script.indexOf(`\n${start}`) + 1, script.indexOf(`\n${end}\n`));
    })
    .join('\n');
}

/** The chroot commands of a command list, as lines. */
const chrootLines = (commands: readonly Command[] | null) => (commands ?? []).flatMap((c) => (c.kind === 'chroot' ? [c.argv.join(' ')] : []));

const origin = { generatedFrom: 'test', regenerate: 'test' };
let gnupg: string;
let armored: Buffer;
let binary: Buffer;

const gpg = (...args: string[]) => {
  const r = spawnSync('gpg', ['--homedir', gnupg, '--batch', ...args]);
  if (r.status !== 0) throw new Error(`gpg ${args.join(' ')}: ${r.stderr.toString()}`);
  return r.stdout;
};

beforeAll(() => {
  gnupg = mkdtempSync(join(tmpdir(), 'mkimage-gen-gpg-'));
  gpg('--passphrase', '', '--quick-gen-key', 'Throwaway test key <test@example.com>', 'rsa2048', 'sign', 'never');
  armored = gpg('--armor', '--export');
  binary = gpg('--export');
}, 60_000);
afterAll(() => rmSync(gnupg, { recursive: true, force: true }));

function showKeys(bytes: Buffer): string[] {
  const r = spawnSync('gpg', ['--homedir', gnupg, '--batch', '--show-keys', '--with-colons'], { input: bytes });
  // The fpr line right after each pub line is the primary key's.
  const lines = r.stdout.toString().split('\n');
  return lines.flatMap((line, i) => (line.startsWith('pub:') ? [lines[i + 1]!.split(':')[9]!] : []));
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

function company(changes: Partial<SettingsInput> = {}): SettingsInput {
  return {
    ...DEBIAN,
    repositories: [{ name: 'company', url: 'http://apt.example.com/debian', suites: ['bookworm'], key: 'key.asc', priority: 600, packages: ['company-tools'] }],
    caCertificates: ['ca.pem'],
    files: [{ source: 'motd', path: '/etc/motd', owner: 'app:app', mode: '0640' }],
    hooks: [{ stage: 'after-packages', script: 'hook.sh' }, { stage: 'before-pack', script: 'host.sh', on: 'host' }],
    groups: [{ name: 'app', gid: 10001 }],
    users: [{ name: 'app', uid: 10001, group: 'app', groups: ['staff'] }],
    include: ['curl=7.88.1-10+deb12u8', 'less'],
    apt: { backports: true, pins: [{ packages: ['nginx'], pin: 'release n=bookworm-backports', priority: 900 }] },
    embedded: {
      'key.asc': b64(armored),
      'ca.pem': b64('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'),
      motd: b64('hello\n'),
      'hook.sh': b64("#!/bin/sh\necho 'hook ran'\n"),
      'host.sh': b64('#!/bin/sh\nls "$1"\n'),
    },
    ...changes,
  };
}

const render = (input: SettingsInput) => {
  const plan = planImage({ id: 'company', settings: validateSettings(input, 'test'), origin });
  return { plan, files: renderImage(plan) };
};
const file = (files: { path: string; content: string }[], path: string) => files.find((f) => f.path === path)!.content;

describe('OpenPGP fingerprints', () => {
  it('match gpg --show-keys for the armored and the binary export', () => {
    const expected = showKeys(binary);
    expect(expected).toHaveLength(1);
    expect(expected[0]).toMatch(/^[0-9A-F]{40}$/);
    expect(keyFingerprints(armored)).toEqual(expected);
    expect(keyFingerprints(binary)).toEqual(expected);
  });

  it('refuse what is not a key', () => {
    expect(() => keyFingerprints(Buffer.from('hello\n'))).toThrow();
    expect(() => keyFingerprints(binary.subarray(0, binary.length - 10))).toThrow(/past the end/);
    // A five-byte length cut short: refused as a truncated header, not a RangeError.
    expect(() => keyFingerprints(Uint8Array.from([192, 255, 0]))).toThrow(/truncated packet header/);
  });
});

describe('key and CA files hold public material only', () => {
  const problems = (input: SettingsInput): string[] => {
    try {
      validateSettings(input, 'test');
      return [];
    } catch (error) {
      return [...(error as { problems: string[] }).problems];
    }
  };
  const withKey = (key: Buffer) => company({ embedded: { ...company().embedded!, 'key.asc': b64(key) } });
  const withCa = (pem: string) => company({ embedded: { ...company().embedded!, 'ca.pem': b64(pem) } });

  it('a secret key export, armored or binary, alone or after the public key, is refused naming it', () => {
    const armoredSecret = gpg('--armor', '--export-secret-keys');
    const binarySecret = gpg('--export-secret-keys');
    const publicFirst = armored.toString('latin1').split('\n').length;
    const cases: [Buffer, string][] = [
      [armoredSecret, '-----BEGIN PGP PRIVATE KEY BLOCK----- at line 1'],
      [Buffer.concat([armored, armoredSecret]), `-----BEGIN PGP PRIVATE KEY BLOCK----- at line ${publicFirst}`],
      [binarySecret, 'a Secret-Key packet (OpenPGP tag 5)'],
      [Buffer.concat([binary, binarySecret]), 'a Secret-Key packet (OpenPGP tag 5)'],
    ];
    for (const [key, named] of cases) {
      const found = problems(withKey(key));
      expect(found).toEqual([
        `repositories[0].key: "key.asc" holds a private key (${named}): a signing key file holds the public key only (gpg --export [--armor]); keep the private key out of the config and the image`,
      ]);
      // Nothing of the secret reaches the message.
      expect(found.join('\n')).not.toMatch(/[A-Za-z0-9+/]{40}/);
    }
    expect(problems(withKey(armored))).toEqual([]);
    expect(problems(withKey(binary))).toEqual([]);
  });

  it('a CA file with a private key of any PEM kind is refused naming the block', () => {
    const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    for (const kind of ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'DSA PRIVATE KEY', 'OPENSSH PRIVATE KEY']) {
      expect(problems(withCa(`${cert}-----BEGIN ${kind}-----\nbm90IGEga2V5\n-----END ${kind}-----\n`))).toEqual([
        `caCertificates[0]: "ca.pem" holds a private key (-----BEGIN ${kind}----- at line 4): give the certificate only; the CA's private key must never reach the image`,
      ]);
    }
    expect(problems(withCa(cert))).toEqual([]);
  });
});

describe('key pins', () => {
  const pinned = (fingerprint: string | string[]) =>
    company({ repositories: [{ ...company().repositories![0]!, fingerprint: fingerprint as string }] });

  it('a fingerprint as gpg prints it (grouped, any case) pins the key; explain says pinned', () => {
    const fpr = showKeys(binary)[0]!;
    const grouped = fpr.toLowerCase().replace(/(.{4})/g, '$1 ').trim();
    const s = validateSettings(pinned(grouped), 'test');
    expect(s.repositories[0]!.fingerprint).toEqual([fpr]);
    expect(validateSettings(pinned([fpr]), 'test').repositories[0]!.fingerprint).toEqual([fpr]);
  });

  it('generate refuses a key file whose key is not the pinned one, naming the field and both fingerprints', () => {
    const fpr = showKeys(binary)[0]!;
    const other = `${fpr.slice(0, 39)}${fpr.endsWith('0') ? '1' : '0'}`;
    let message = '';
    try {
      validateSettings(pinned(other), 'test');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('repositories[0].fingerprint');
    expect(message).toContain(fpr);
    expect(message).toContain(other);
  });

  it('refuses what is not a fingerprint', () => {
    for (const bad of ['ABCD', 'G'.repeat(40), `${'A'.repeat(40)};`, 'A'.repeat(41), [], [42]]) {
      expect(() => validateSettings(pinned(bad as string), 'test'), JSON.stringify(bad)).toThrow(/repositories\[0\]\.fingerprint(\[0\])?: .*(is not an OpenPGP fingerprint|>=1 items)/);
    }
  });

  /** The script's own check_key call for the first key, run by bash with the host's gpg on `key`. */
  function checkKey(script: string, key: Buffer, edit: (line: string) => string = (line) => line) {
    const rootfs = mkdtempSync(join(tmpdir(), 'mkimage-gen-key-'));
    try {
      const runtime = helperParts(script);
      const call = edit(script.split('\n').find((line) => line.startsWith('  check_key '))!);
      mkdirSync(join(rootfs, 'etc/apt/keyrings'), { recursive: true });
      writeFileSync(join(rootfs, 'etc/apt/keyrings/company.asc'), key);
      const program = ['set -Eeuo pipefail', 'export LC_ALL=C', 'DRY_RUN=0', `ROOTFS=${rootfs}`, runtime, call].join('\n');
      return spawnSync('bash', ['-c', program], { encoding: 'utf8' });
    } finally {
      rmSync(rootfs, { recursive: true, force: true });
    }
  }

  it('the script checks the key with the host\'s gpg before apt trusts it, and needs gpg', () => {
    const script = file(render(pinned(showKeys(binary)[0]!)).files, 'mkimage.sh');
    expect(script).toContain('  require_tool gpg gpg\n');
    // The path in the image: check_key resolves it inside the rootfs itself.
    expect(script).toContain(`  check_key /etc/apt/keyrings/company.asc ${showKeys(binary)[0]}\n`);
    const ok = checkKey(script, armored);
    expect(ok.status, ok.stderr).toBe(0);
    // The script edited: another fingerprint where the pin was, or another key where the key was.
    const edited = checkKey(script, armored, (line) => line.replace(/[0-9A-F]{40}$/, 'A'.repeat(40)));
    expect(edited.status).not.toBe(0);
    expect(edited.stderr).toContain(`gpg reads the key fingerprints '${showKeys(binary)[0]}', not '${'A'.repeat(40)}'`);
    const swapped = checkKey(script, Buffer.from('-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n'));
    expect(swapped.status).not.toBe(0);
    expect(swapped.stderr).toContain("gpg reads the key fingerprints 'none'");
  });
});

describe('extra repositories, pins and packages', () => {
  it('puts the key in /etc/apt/keyrings, names it by Signed-By, and pins its host', () => {
    const { plan, files } = render(company());
    const repo = plan.resolved.repositories[0]!;
    expect(repo.keyring).toBe('/etc/apt/keyrings/company.asc');
    expect(repo.fingerprints).toEqual(showKeys(binary));
    const script = file(files, 'mkimage.sh');
    expect(script).toContain('deb [signed-by=/etc/apt/keyrings/company.asc] http://apt.example.com/debian bookworm main\n');
    expect(script).toContain('Pin: origin "apt.example.com"\nPin-Priority: 600\n');
    expect(script).toContain('Package: nginx\nPin: release n=bookworm-backports\nPin-Priority: 900\n');
    expect(plan.resolved.sources.map((s) => s.suite)).toContain('bookworm-backports');
  });

  it('a binary key becomes .gpg; deb822 sources say Signed-By', () => {
    const { plan, files } = render(company({ suite: 'trixie', embedded: { ...company().embedded!, 'key.asc': b64(binary) } }));
    expect(plan.resolved.repositories[0]!.keyring).toBe('/etc/apt/keyrings/company.gpg');
    expect(file(files, 'mkimage.sh')).toContain('URIs: http://apt.example.com/debian\nSuites: bookworm\nComponents: main\nSigned-By: /etc/apt/keyrings/company.gpg\n');
  });

  it('pins go to apt-get, not debootstrap; the repository packages too; ca-certificates is bootstrapped', () => {
    const { plan } = render(company());
    expect(plan.resolved.include).toEqual(['iproute2', 'less', 'ca-certificates']);
    expect(plan.resolved.aptInstall).toEqual(['curl=7.88.1-10+deb12u8', 'company-tools']);
    const step = plan.script.steps.find((s) => s.fn === 'install_packages')!;
    expect(chrootLines(step.commands)).toEqual([`apt-get ${APT_OPTIONS.join(' ')} install --no-install-recommends --allow-downgrades curl=7.88.1-10+deb12u8 company-tools`]);
    const fns = plan.script.steps.map((s) => s.fn);
    // CA first (apt may need it for https), users before the files they own, hooks before finalize.
    expect(fns.indexOf('ca_certificates')).toBeLessThan(fns.indexOf('apt_sources'));
    expect(fns.indexOf('apt_upgrade')).toBeLessThan(fns.indexOf('install_packages'));
    expect(fns.indexOf('accounts')).toBeLessThan(fns.indexOf('image_files'));
    expect(fns.indexOf('hooks_before_pack')).toBe(fns.indexOf('finalize') - 1);
  });

  it('mmdebstrap runs them in its hooks, and updates its lists for the new repository', () => {
    const { plan } = render(company({ backend: 'mmdebstrap', include: ['less'] }));
    const step = plan.script.steps.find((s) => s.fn === 'install_packages')!;
    expect(step.stage).toBe('customize');
    expect(chrootLines(step.commands)).toEqual(['apt-get update', `apt-get ${APT_OPTIONS.join(' ')} install --no-install-recommends company-tools`]);
  });
});

describe('embedded files and hooks', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'mkimage-gen-embedded-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** Run the script's unpack_embedded on one of its here-documents, as bash would. */
  function unpack(script: string, sha: string, tamper: boolean) {
    const helpers = helperParts(script);
    const line = script.split('\n').findIndex((l) => l.includes(sha) && l.includes("<< '"));
    const fence = /<< '([A-Z0-9_]+)'/.exec(script.split('\n')[line]!)![1]!;
    const lines = script.split('\n');
    const end = lines.indexOf(fence, line);
    let body = lines.slice(line + 1, end).join('\n');
    if (tamper) body = body.replace('hook ran', 'hook ran; id');
    const program = `set -euo pipefail\nDRY_RUN=0\n${helpers}\nunpack_embedded "$1" ${sha} text << '${fence}'\n${body}\n${fence}\n`;
    return spawnSync('bash', ['-c', program, 'bash', join(work, 'out')], { encoding: 'utf8' });
  }

  it('carries each as a fenced here-document whose sha256 the script checks before use', () => {
    const { plan, files } = render(company());
    const script = file(files, 'mkimage.sh');
    const hook = plan.script.steps.find((s) => s.fn === 'hooks_after_packages')!.commands![0]!;
    const { sha256, body } = (hook as Extract<Command, { kind: 'hook' }>).blob;
    expect(body).toBe("#!/bin/sh\necho 'hook ran'\n");
    const ok = unpack(script, sha256, false);
    expect(ok.status, ok.stderr).toBe(0);
    expect(readFileSync(join(work, 'out'), 'utf8')).toBe(body);
    const changed = unpack(script, sha256, true);
    expect(changed.status).not.toBe(0);
    expect(changed.stderr).toContain('the script was changed after it was generated');
  });

  it('binary content goes in as base64', () => {
    const { plan } = render(company({ embedded: { ...company().embedded!, motd: b64(Buffer.from([0, 1, 2, 255])) } }));
    const motd = plan.script.steps.find((s) => s.fn === 'image_files')!.commands![0] as Extract<Command, { kind: 'embedded' }>;
    expect(motd.blob).toMatchObject({ encoding: 'base64', body: 'AAEC/w==\n' });
  });

  it('users and groups with the ids given; hooks inside the rootfs and on the host', () => {
    const { files } = render(company());
    const script = file(files, 'mkimage.sh');
    expect(script).toContain('in_chroot groupadd --gid 10001 -- app\n');
    expect(script).toContain('in_chroot useradd --create-home --uid 10001 --gid app --groups staff --home-dir /home/app --shell /bin/bash -- app\n');
    expect(script).toMatch(/run_hook rootfs [0-9a-f]{64} text << 'MKIMAGE_EMBEDDED_/);
    expect(script).toMatch(/run_hook host [0-9a-f]{64} text << 'MKIMAGE_EMBEDDED_/);
  });
});

describe('labels and tags', () => {
  const derived = {
    name: 'local/app',
    packages: ['python3'],
    env: { PYTHONUNBUFFERED: 1, DEBUG: false },
    cmd: ['python3', '-m', 'http.server', '8080'],
    entrypoint: ['tini', '--'],
    user: 'app',
    workdir: '/srv/app',
    expose: [8080, '53/udp'],
    labels: { 'com.example.service': 'app' },
    tags: ['py'],
    files: [{ source: 'motd', path: '/srv/app/motd', owner: 'app:app' }],
  };

  it('a derived image is a real image: env as text, copies, user, workdir, ports, entrypoint, cmd, labels', () => {
    const { files } = render(company({ derived: [derived] as SettingsInput['derived'] }));
    const dockerfile = file(files, 'derived/app/Dockerfile');
    expect(dockerfile).toContain('ENV DEBUG="false"\nENV PYTHONUNBUFFERED="1"\n');
    expect(dockerfile).toContain('COPY --chmod=0644 --chown=app:app ["files/motd", "/srv/app/motd"]\n');
    expect(dockerfile).toContain('WORKDIR /srv/app\nEXPOSE 8080\nEXPOSE 53/udp\nUSER app\nENTRYPOINT ["tini", "--"]\nCMD ["python3", "-m", "http.server", "8080"]\n');
    expect(dockerfile).toContain('LABEL org.opencontainers.image.base.name="local/test:bookworm"\n');
    expect(dockerfile).toContain('LABEL org.opencontainers.image.created=$MKIMAGE_CREATED\n');
    expect(file(files, 'derived/app/files/motd')).toBe('hello\n');
  });

  it('the base Dockerfile and the import say the same labels', () => {
    const { plan, files } = render(company({ output: { labels: { 'com.example.team': 'platform' }, source: 'https://git.example.com/x' } }));
    const dockerfile = file(files, 'Dockerfile');
    const changes = (plan.script.steps.find((s) => s.fn === 'import_image')!.data as { platforms: { changes: string[] }[] }).platforms[0]!.changes;
    for (const line of dockerfile.split('\n').filter((l) => l.startsWith('LABEL ') && !l.includes('$'))) {
      expect(changes).toContain(line);
    }
    // title, source and the team's label, and the six that name the records beside the tarball.
    expect(changes.filter((c) => c.startsWith('LABEL '))).toHaveLength(3 + 6);
  });

  it('the script and bake make the same tag set from the same switches', () => {
    const { plan } = render(company({ output: { releaseTags: { major: false } } }));
    const arrays = Object.fromEntries(plan.script.arrays.map((a) => [a.name, a.values]));
    // The script fills in these forms; no major tag, as bake makes none.
    expect(arrays.RELEASE_TAG_FORMS).toEqual(['<version>', 'bookworm-<date>']);
    const base = plan.bakeTargets[0]!;
    expect(base.tags).toEqual(['local/test:bookworm']);
    expect(base.buildTags).toEqual([
      { prefix: 'local/test:', variable: 'mkimage_company_version' },
      { prefix: 'local/test:bookworm-', variable: 'mkimage_company_date' },
    ]);
    // The script writes the very variables bake reads, named once in TypeScript.
    expect(arrays.BAKE_VARIABLES).toEqual(['mkimage_company_version', 'mkimage_company_major', 'mkimage_company_date', 'mkimage_company_created']);
    expect(arrays.BAKE_VARIABLES).toEqual(expect.arrayContaining(base.buildTags.map((t) => t.variable)));
  });
});
