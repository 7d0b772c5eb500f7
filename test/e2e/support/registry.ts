// A registry of the test's own on 127.0.0.1 (docker-registry, the CNCF distribution
// registry): TLS with a certificate made here, htpasswd logins, storage in a temp dir;
// started on a free port and stopped by its process id. Clients trust the certificate
// through SSL_CERT_FILE and log in through one docker-style config.json, which skopeo
// (REGISTRY_AUTH_FILE) and cosign (DOCKER_CONFIG) both read.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { must, SYSTEM_PATH, which } from './host.js';

/** Where .ci/signing-tools unpacks cosign and oras. */
export const SIGNING_PREFIX = process.env.MKIMAGE_E2E_SIGNING_PREFIX ?? '/opt/mkimage-e2e/signing';
export const SIGNING_PATH = `${SIGNING_PREFIX}/usr/bin:${SYSTEM_PATH}`;

/** What the publishing tests need beyond the other e2e tests' tools. */
export function registryProblems(): string[] {
  const problems: string[] = [];
  for (const [command, pkg] of [
    ['docker-registry', 'docker-registry'],
    ['htpasswd', 'apache2-utils'],
    ['openssl', 'openssl'],
    ['skopeo', 'skopeo'],
    ['umoci', 'umoci'],
  ] as const) {
    if (!which(command)) problems.push(`${command} is missing (apt: ${pkg}; sudo bash .ci/deps)`);
  }
  if (!existsSync(`${SIGNING_PREFIX}/usr/bin/cosign`)) problems.push(`cosign is missing under ${SIGNING_PREFIX} (sudo bash .ci/signing-tools)`);
  return problems;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export class Registry {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly child: ChildProcess,
    readonly user: string,
    readonly password: string,
  ) {}

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The environment a client needs: the certificate to trust and the login file. */
  get env(): Record<string, string> {
    return { SSL_CERT_FILE: join(this.dir, 'cert.pem'), DOCKER_CONFIG: join(this.dir, 'auth'), REGISTRY_AUTH_FILE: join(this.dir, 'auth', 'config.json') };
  }

  static async start(dir: string, user: string, password: string): Promise<Registry> {
    mkdirSync(join(dir, 'storage'), { recursive: true });
    mkdirSync(join(dir, 'auth'), { recursive: true });
    must('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ]);
    must('htpasswd', ['-Bbc', join(dir, 'htpasswd'), user, password]);
    const port = await freePort();
    writeFileSync(
      join(dir, 'config.yml'),
      [
        'version: 0.1',
        'log: { level: warn }',
        `storage: { filesystem: { rootdirectory: ${join(dir, 'storage')} } }`,
        `http: { addr: "127.0.0.1:${port}", tls: { certificate: ${join(dir, 'cert.pem')}, key: ${join(dir, 'key.pem')} } }`,
        `auth: { htpasswd: { realm: mkimage-e2e, path: ${join(dir, 'htpasswd')} } }`,
        '',
      ].join('\n'),
    );
    const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore', env: { PATH: SYSTEM_PATH } });
    const registry = new Registry(dir, port, child, user, password);
    // Up once /v2/ answers (401: it wants the login).
    for (let i = 0; ; i++) {
      const probe = await fetch(`https://127.0.0.1:${port}/v2/`).catch((e: Error) => e);
      // node's fetch does not trust the certificate: a TLS error means the port answers.
      if (!(probe instanceof Error) || /certificate|self.signed|SSL|TLS/i.test(String(probe.cause ?? probe.message))) break;
      if (i > 100 || child.exitCode !== null) {
        registry.stop();
        throw new Error(`docker-registry did not start on 127.0.0.1:${port}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    // skopeo login writes the docker-style auths file that cosign reads too.
    must('skopeo', ['login', '--authfile', registry.env.REGISTRY_AUTH_FILE!, '-u', user, '--password-stdin', registry.host], {
      input: password,
      env: { PATH: SYSTEM_PATH, HOME: '/root', ...registry.env },
    });
    return registry;
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.pid !== undefined) this.child.kill('SIGTERM');
  }
}

/**
 * A registry with no TLS and no login on 127.0.0.1, for engines that push to it: dockerd
 * and its BuildKit take loopback registries over plain http by default, where a test's own
 * certificate would have to go into the host's /etc/docker/certs.d.
 */
export async function startPlainRegistry(dir: string): Promise<{ host: string; stop: () => Promise<void> }> {
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const port = await freePort();
  const config = join(dir, 'config.yml');
  writeFileSync(config, ['version: 0.1', 'log: { level: warn }', `storage: { filesystem: { rootdirectory: ${join(dir, 'storage')} } }`, `http: { addr: "127.0.0.1:${port}" }`, ''].join('\n'));
  const child = spawn('docker-registry', ['serve', config], { stdio: 'ignore', env: { PATH: SYSTEM_PATH } });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  for (let i = 0; i < 100 && child.exitCode === null; i++) {
    if (await fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.ok, () => false)) return { host: `127.0.0.1:${port}`, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`docker-registry did not answer on 127.0.0.1:${port}`);
}
