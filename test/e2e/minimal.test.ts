// Minimal images, built for real: the three profiles of trixie, and base and cc of
// bookworm (the release distroless's published sizes are of), one after the other with
// one package cache (cc first: static and base take their .debs from it). Each is
// imported into a throwaway podman store and run as the image's USER: a `gcc -static`
// C program in static, a dynamically linked C++ program in cc, a program that opens
// libssl's default trust store in base. The image holds zoneinfo and /etc/services and
// no shell, and its status.d, read as syft's dpkg cataloger reads it, lists exactly the
// SBOM's packages; base's CA bundle is the one the release's own update-ca-certificates
// writes. static is built twice: the same tarball bytes.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainerStore } from './support/containers.js';
import { DOCKER_PREFIX } from './support/docker.js';
import { describeE2E, makeTempRoot, must, prerequisites, removeTree, which } from './support/host.js';
import { unpack } from './support/rootfs.js';
import { describeRun, renderConfig, runScript, stopScripts, type Rendered } from './support/script.js';

type Profile = 'static' | 'base' | 'cc';
interface Case {
  suite: 'trixie' | 'bookworm';
  profile: Profile;
  /** The config's include: unpacked with what they depend on. */
  include?: string[];
}
const CASES: readonly Case[] = [
  { suite: 'trixie', profile: 'cc' },
  { suite: 'trixie', profile: 'static' },
  { suite: 'trixie', profile: 'base' },
  { suite: 'bookworm', profile: 'cc' },
  { suite: 'bookworm', profile: 'base' },
  // libcurl's dependencies come with it (and never debconf or perl): the host's curl runs.
  { suite: 'trixie', profile: 'base', include: ['libcurl4t64'] },
];
const DEBIAN_VERSION = { trixie: '13', bookworm: '12' } as const;
const id = (c: Case) => `${c.suite}-${c.profile}${c.include ? '-include' : ''}`;
const image = (c: Case) => `mkimage-e2e/minimal-${c.profile}${c.include ? '-include' : ''}:${c.suite}`;
const withProfile = (profile: Profile) => CASES.filter((c) => c.profile === profile && !c.include);
const WITH_INCLUDE = CASES.find((c) => c.include)!;
const TRIXIE_STATIC = CASES.find((c) => c.suite === 'trixie' && c.profile === 'static')!;

const prereq = await prerequisites();
const RUNC = join(DOCKER_PREFIX, 'usr/bin/runc');
if (!existsSync(RUNC)) prereq.problems.push(`${RUNC} is missing (.ci/docker-engine installs it)`);
for (const tool of ['gcc', 'g++', 'podman', 'curl']) if (!which(tool)) prereq.problems.push(`${tool} is missing (see .ci/deps)`);
if (!existsSync('/usr/include/openssl/ssl.h')) prereq.problems.push('libssl-dev is missing (see .ci/deps)');

const STATIC_C = `#include <stdio.h>
#include <unistd.h>
int main(void) {
  printf("uid=%d gid=%d\\n", (int)getuid(), (int)getgid());
  printf("services=%s\\n", access("/etc/services", R_OK) == 0 ? "yes" : "no");
  printf("zoneinfo=%s\\n", access("/usr/share/zoneinfo/Asia/Tokyo", R_OK) == 0 ? "yes" : "no");
  printf("sh=%s\\n", access("/bin/sh", F_OK) == 0 ? "yes" : "no");
  return 0;
}
`;

const CC = `#include <iostream>
#include <stdexcept>
#include <string>
int main() {
  try {
    throw std::runtime_error("thrown");
  } catch (const std::exception &e) {
    std::cout << "cc: " << std::string(e.what()) << " and caught" << std::endl;
  }
  return 0;
}
`;

// libssl's default trust store: the file and folder of its OPENSSLDIR, as any client that
// calls SSL_CTX_set_default_verify_paths finds them.
const TLS_C = `#include <stdio.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
int main(void) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx || SSL_CTX_set_default_verify_paths(ctx) != 1) return 2;
  int n = sk_X509_OBJECT_num(X509_STORE_get0_objects(SSL_CTX_get_cert_store(ctx)));
  printf("trusted=%d\\n", n);
  return n > 0 ? 0 : 1;
}
`;

/** dpkg status paragraphs as syft's dpkg cataloger reads status.d: every file there is a status file; name@version each. */
function statusDPackages(rootfs: string): string[] {
  const dir = join(rootfs, 'var/lib/dpkg/status.d');
  const found: string[] = [];
  for (const file of readdirSync(dir).sort()) {
    // syft reads <pkg>.md5sums beside an entry as its file list, not as a package.
    if (file.endsWith('.md5sums')) continue;
    for (const paragraph of readFileSync(join(dir, file), 'utf8').split(/\n\s*\n/)) {
      const field = (name: string) => new RegExp(`^${name}: *(.*)$`, 'm').exec(paragraph)?.[1];
      const name = field('Package');
      if (name === undefined) continue;
      expect(field('Status') ?? 'install ok installed').toBe('install ok installed');
      found.push(`${name}@${field('Version')}`);
    }
  }
  return found.sort();
}

describeE2E('minimal images (profile static, base, cc)', prereq, (mirrors) => {
  let root = '';
  let store: ContainerStore;
  const rendered = new Map<string, Rendered>();
  const seconds = new Map<string, number>();
  const progs: Record<string, string> = {};

  beforeAll(async () => {
    root = makeTempRoot('minimal');
    store = new ContainerStore(join(root, 'store'));
    const src = (name: string, text: string) => {
      writeFileSync(join(root, name), text);
      return join(root, name);
    };
    progs.static = join(root, 'hello-static');
    must('gcc', ['-static', '-O2', '-o', progs.static, src('hello.c', STATIC_C)]);
    progs.cc = join(root, 'hello-cc');
    must('g++', ['-O2', '-o', progs.cc, src('hello.cc', CC)]);
    progs.curl = which('curl')!;
    progs.base = join(root, 'tls');
    must('gcc', ['-O2', '-o', progs.base, src('tls.c', TLS_C), '-lssl', '-lcrypto']);
    const cache = join(root, 'package-cache');
    for (const c of CASES) {
      const r = await renderConfig(join(root, id(c)), id(c), {
        name: image(c).split(':')[0]!,
        distro: 'debian',
        suite: c.suite,
        backend: 'mmdebstrap',
        profile: c.profile,
        ...(c.include ? { include: c.include } : {}),
        mirror: mirrors.mirror,
        securityMirror: mirrors.securityMirror,
        output: { compression: 'none', import: 'podman' },
      });
      rendered.set(id(c), r);
      const started = Date.now();
      const run = await runScript(r.script, ['--package-cache', cache, '--work-dir', root], { env: store.env });
      seconds.set(id(c), (Date.now() - started) / 1000);
      if (run.code !== 0) throw new Error(`${id(c)}: ${describeRun(run)}`);
    }
    console.log(`e2e minimal: build seconds ${CASES.map((c) => `${id(c)} ${seconds.get(id(c))!.toFixed(0)}`).join(', ')}`);
  }, 3_600_000);

  afterAll(async () => {
    await stopScripts();
    if (root) removeTree(root);
  });

  // runc of the Docker bundle (crun refuses this host's hybrid cgroups), and limits under
  // the host's own hard limits (podman's defaults may be above them).
  const RUN = ['--runtime', RUNC, 'run', '--rm', '--network', 'none', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
  const podmanRun = (c: Case, prog: string) => store.podman([...RUN, '-v', `${progs[prog]}:/prog:ro`, image(c), '/prog']);

  it('static runs a gcc -static program as 65532, with /etc/services and zoneinfo, and no /bin/sh', () => {
    const run = podmanRun(TRIXIE_STATIC, 'static');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe('uid=65532 gid=65532\nservices=yes\nzoneinfo=yes\nsh=no\n');
  });

  it.each(withProfile('cc').map((c) => [id(c), c] as const))('%s runs a dynamically linked C++ program (libstdc++, libgcc_s unwinding) as 65532', (_id, c) => {
    const run = podmanRun(c, 'cc');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe('cc: thrown and caught\n');
    const who = podmanRun(c, 'static');
    expect(who.stdout).toContain('uid=65532 gid=65532\nservices=yes\nzoneinfo=yes\nsh=no\n');
  });

  it.each(withProfile('base').map((c) => [id(c), c] as const))("%s: libssl's default trust store finds the CA bundle, the one the release's update-ca-certificates writes", (_id, c) => {
    const run = podmanRun(c, 'base');
    expect(run.status, run.stderr + run.stdout).toBe(0);
    expect(Number(/trusted=(\d+)/.exec(run.stdout)?.[1])).toBeGreaterThan(100);
    // The release's own ca-certificates: its update-ca-certificates, run on its certificates in
    // the order its postinst lists them in a new /etc/ca-certificates.conf (sorted, as --default does).
    const r = rendered.get(id(c))!;
    const version = readFileSync(join(r.dir, 'rootfs.manifest'), 'utf8').split('\n').find((l) => l.startsWith('ca-certificates\t'))!.split('\t')[1]!;
    const deb = join(root, 'package-cache', `ca-certificates_${version.replace(/:/g, '%3a')}_all.deb`);
    const pkg = join(root, `${id(c)}-ca-certificates`);
    must('dpkg-deb', ['-x', deb, pkg]);
    must('mkdir', ['-p', join(pkg, 'etc/ssl/certs')]);
    const certs = join(pkg, 'usr/share/ca-certificates');
    const real = spawnSync('sh', [join(pkg, 'usr/sbin/update-ca-certificates'), '--default', '--certsconf', '/dev/null', '--certsdir', certs, '--localcertsdir', join(pkg, 'none'), '--etccertsdir', join(pkg, 'etc/ssl/certs'), '--hooksdir', ''], {
      encoding: 'utf8',
      env: { ...process.env, LC_ALL: 'C' },
    });
    expect(real.status, real.stderr).toBe(0);
    const bundle = must('tar', ['-xOf', join(r.dir, 'rootfs.tar'), './etc/ssl/certs/ca-certificates.crt']);
    expect(bundle.length).toBeGreaterThan(100_000);
    expect(bundle).toBe(readFileSync(join(pkg, 'etc/ssl/certs/ca-certificates.crt'), 'utf8'));
  });

  it("include: libcurl comes with what it loads, so the host's curl runs; nothing of debconf or perl comes along", () => {
    const run = store.podman([...RUN, '-v', `${progs.curl}:/prog:ro`, image(WITH_INCLUDE), '/prog', '--version']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^curl \S+ .* libcurl\//);
    const packages = readFileSync(join(rendered.get(id(WITH_INCLUDE))!.dir, 'rootfs.manifest'), 'utf8').split('\n').map((l) => l.split('\t')[0]);
    expect(packages).toEqual(expect.arrayContaining(['libcurl4t64', 'libnghttp2-14', 'libssl3t64']));
    for (const never of ['debconf', 'perl-base', 'dpkg', 'dash', 'bash']) expect(packages).not.toContain(never);
  });

  it('no image has a shell; each has USER 65532:65532 and no CMD', () => {
    for (const c of CASES) {
      const sh = store.podman([...RUN, image(c), '/bin/sh', '-c', 'true']);
      expect(sh.status, `${id(c)}: /bin/sh ran`).not.toBe(0);
      // It fails for want of the shell, not for anything else.
      expect(sh.stderr, id(c)).toMatch(/\/bin\/sh.*no such file/i);
      const config = JSON.parse(store.mustPodman(['image', 'inspect', '--format', '{{json .Config}}', image(c)])) as { User?: string; Cmd?: string[] };
      expect(config.User).toBe('65532:65532');
      expect(config.Cmd ?? []).toEqual([]);
    }
  });

  describe.each(CASES.map((c) => [id(c), c] as const))('%s: files and records', (_id, c) => {
    it('holds the profile files, no dpkg, apt or docs, and status.d lists exactly the SBOM packages', () => {
      const r = rendered.get(id(c))!;
      const tarball = join(r.dir, 'rootfs.tar');
      const names = must('tar', ['-tf', tarball]).trimEnd().split('\n');
      for (const want of ['./etc/services', './etc/ssl/certs/ca-certificates.crt', './etc/os-release', './etc/passwd', './home/nonroot/', './usr/share/zoneinfo/UTC']) {
        expect(names.some((n) => n === want || n === want.replace(/\/$/, '')), `${want} missing`).toBe(true);
      }
      for (const banned of [/^\.\/usr\/bin\/(sh|bash|dash|dpkg|apt)$/, /^\.\/usr\/share\/man\//, /^\.\/var\/lib\/dpkg\/status$/, /^\.\/usr\/share\/doc\/[^/]+\/(?!copyright$)[^/]+$/]) {
        expect(names.filter((n) => banned.test(n)), `${banned}`).toEqual([]);
      }
      const rootfs = unpack(tarball, join(root, `${id(c)}-rootfs`));
      expect(statSync(join(rootfs, 'tmp')).mode & 0o7777).toBe(0o1777);
      expect(statSync(join(rootfs, 'home/nonroot')).uid).toBe(65532);
      expect(readFileSync(join(rootfs, 'etc/passwd'), 'utf8')).toContain('nonroot:x:65532:65532:');
      const fromStatusD = statusDPackages(rootfs);
      const cdx = JSON.parse(readFileSync(join(r.dir, 'rootfs.cdx.json'), 'utf8')) as { components: { name: string; version: string; purl: string }[] };
      const sbom = cdx.components.filter((c) => c.purl?.startsWith('pkg:deb/')).map((c) => `${c.name}@${c.version}`).sort();
      expect(fromStatusD).toEqual(sbom);
      expect(fromStatusD.map((p) => p.split('@')[0])).toContain('base-files');
      for (const component of cdx.components.filter((x) => x.purl?.startsWith('pkg:deb/'))) expect(component.purl).toMatch(new RegExp(`^pkg:deb/debian/[^@]+@[^?]+\\?arch=[a-z0-9]+&distro=debian-${DEBIAN_VERSION[c.suite]}$`));
      const manifest = readFileSync(join(r.dir, 'rootfs.manifest'), 'utf8').trimEnd().split('\n').map((l) => l.split('\t').slice(0, 2).join('@')).sort();
      expect(manifest).toEqual(fromStatusD);
      // Each package keeps its copyright.
      for (const p of fromStatusD) expect(statSync(join(rootfs, 'usr/share/doc', p.split('@')[0]!, 'copyright')).isFile()).toBe(true);
      // podman counts the layer's tar stream; docker images counts its regular files' bytes, each inode once.
      const tarSize = Number(store.mustPodman(['image', 'inspect', '--format', '{{.Size}}', image(c)]).trim());
      const inodes = new Map(must('find', [rootfs, '-type', 'f', '-printf', '%i %s\\n']).trimEnd().split('\n').map((l) => l.split(' ') as [string, string]));
      const fileBytes = [...inodes.values()].reduce((sum, size) => sum + Number(size), 0);
      const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
      console.log(`e2e minimal: ${id(c)} ${mb(fileBytes)} as docker images counts it (${mb(tarSize)} as podman does), ${fromStatusD.length} packages, built in ${seconds.get(id(c))!.toFixed(0)}s`);
    });
  });

  it('static twice: the same tarball bytes', async () => {
    const r = rendered.get(id(TRIXIE_STATIC))!;
    const first = must('sha256sum', [join(r.dir, 'rootfs.tar')]).split(' ')[0];
    const out = join(root, 'static-again');
    const started = Date.now();
    const run = await runScript(r.script, ['--package-cache', join(root, 'package-cache'), '--work-dir', root, '--output-dir', out], { env: store.env });
    expect(run.code, describeRun(run)).toBe(0);
    console.log(`e2e minimal: static again in ${((Date.now() - started) / 1000).toFixed(0)}s`);
    expect(must('sha256sum', [join(out, 'rootfs.tar')]).split(' ')[0]).toBe(first);
  }, 900_000);
});
