// A local signed apt repository that stands in for a company repository: one tiny
// package built with dpkg-deb, indexed with apt-ftparchive, signed (InRelease and
// Release.gpg) with a throwaway gpg key made in a temporary GNUPGHOME, and served over
// http by a small server in this process. Nothing leaves the temporary directory; stop()
// closes the server, ends the gpg agent and removes it all.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { makeTempRoot, must, sh, SYSTEM_PATH, which, type Sh } from './host.js';

/** Commands the repository is made with, and their Debian packages. */
const REPO_TOOLS = [
  ['dpkg-deb', 'dpkg'],
  ['apt-ftparchive', 'apt-utils'],
  ['gpg', 'gnupg'],
  ['gpgconf', 'gpgconf'],
  ['gzip', 'gzip'],
] as const;

/** Missing tools, with the package to install; empty when a repository can be made. */
export function aptRepoProblems(): string[] {
  const missing = REPO_TOOLS.filter(([command]) => !which(command)).map(([command, pkg]) => `${command} (apt: ${pkg})`);
  return missing.length > 0 ? [`missing tools for the local apt repository: ${missing.join(', ')} (sudo bash .ci/deps installs them)`] : [];
}

/** A throwaway OpenPGP signing key in its own GNUPGHOME. */
export interface SigningKey {
  gnupghome: string;
  fingerprint: string;
  /** The public key, ASCII-armored (`.asc`: what apt's Signed-By and the configs read). */
  armored: string;
  /** The public key, binary (`.gpg`). */
  binary: string;
  /** Ends the gpg agent of the key's home. */
  close(): void;
}

/** Make an ed25519 signing key in `dir/gnupg` and export its public half as `dir/<name>.asc` and `.gpg`. */
export function makeSigningKey(dir: string, name = 'repo-key', uid = 'mkimage-gen e2e repository <e2e@mkimage-gen.invalid>'): SigningKey {
  const gnupghome = join(dir, 'gnupg');
  mkdirSync(gnupghome, { recursive: true, mode: 0o700 });
  chmodSync(gnupghome, 0o700);
  const gpg = (args: string[]) => must('gpg', ['--batch', '--no-tty', '--homedir', gnupghome, ...args], { env: gpgEnv(gnupghome) });
  gpg(['--pinentry-mode', 'loopback', '--passphrase', '', '--quick-generate-key', uid, 'ed25519', 'sign', '1d']);
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(gpg(['--with-colons', '--list-keys', uid]))?.[1];
  if (!fingerprint) throw new Error(`gpg made no key for ${uid}`);
  const armored = join(dir, `${name}.asc`);
  const binary = join(dir, `${name}.gpg`);
  writeFileSync(armored, gpg(['--armor', '--export', fingerprint]));
  const exported = spawnSync('gpg', ['--batch', '--homedir', gnupghome, '--export', fingerprint], { env: gpgEnv(gnupghome) });
  if (exported.status !== 0 || exported.stdout.length === 0) throw new Error(`gpg --export failed: ${String(exported.stderr)}`);
  writeFileSync(binary, exported.stdout);
  chmodSync(armored, 0o644);
  chmodSync(binary, 0o644);
  return {
    gnupghome,
    fingerprint,
    armored,
    binary,
    close: () => closeAgent(gnupghome),
  };
}

/** gpgconf --kill all, then wait for the agent (it runs detached) to be gone; SIGKILL if it lingers. */
function closeAgent(gnupghome: string): void {
  sh('gpgconf', ['--homedir', gnupghome, '--kill', 'all'], { env: gpgEnv(gnupghome) });
  const agents = () =>
    readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .filter((n) => {
        try {
          return readFileSync(`/proc/${n}/cmdline`, 'utf8').split('\0').includes(gnupghome);
        } catch {
          return false;
        }
      })
      .map(Number);
  const deadline = Date.now() + 5_000;
  while (agents().length > 0 && Date.now() < deadline) sh('sleep', ['0.05']);
  for (const pid of agents()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

function gpgEnv(gnupghome: string): Record<string, string> {
  return { PATH: SYSTEM_PATH, HOME: gnupghome, GNUPGHOME: gnupghome, LC_ALL: 'C.UTF-8' };
}

/** The package the repository carries. */
export interface RepoPackage {
  name: string;
  version: string;
  /** A file it installs and its content. */
  file: string;
  content: string;
  /** A command it installs (`/usr/bin/<name>`) that prints `content`. */
  command: string;
}

export interface AptRepoOptions {
  /** Label of the temporary directory (`mkimage-e2e-<label>-*`). */
  label?: string;
  suite?: string;
  codename?: string;
  component?: string;
  /** Architectures indexed (the package is `Architecture: all`, so any works). */
  architectures?: string[];
  /**
   * Addresses to serve on, all on one port. Default 127.0.0.1: what the host, and a
   * chroot on it, reach. A container reaches the host at its engine's bridge address
   * (DockerEngine.gateway), so add that for `docker run` or a bake RUN step.
   */
  addresses?: string[];
  /** The Release file's Date; default now. */
  date?: Date;
  package?: Partial<Pick<RepoPackage, 'name' | 'version' | 'content'>>;
}

export interface AptRepo {
  /** The temporary directory (repository tree under `repo/`). */
  root: string;
  /** `http://<first address>:<port>`: the URI for apt sources. */
  url: string;
  /** The URI per served address. */
  urls: Record<string, string>;
  port: number;
  suite: string;
  codename: string;
  component: string;
  architectures: string[];
  origin: string;
  label: string;
  key: SigningKey;
  package: RepoPackage;
  /** Path of the .deb in the tree. */
  deb: string;
  /** One-line apt source for it: `deb [signed-by=<key>] <url> <suite> <component>`. */
  sourcesLine(keyFile?: string, address?: string): string;
  /** Paths the server was asked for, in order (to prove a client really came). */
  readonly requests: string[];
  /**
   * The repository publishes a new version of its package, as a company repository does:
   * the .deb beside the old one, the indexes and Release file made and signed again
   * (Date: `date`). `package.version` and `deb` name the new one.
   */
  publish(version: string, date?: Date): void;
  stop(): Promise<void>;
}

/**
 * What runs if the test process ends before stop() (an uncaught error, a signal): the
 * server would follow on its own (its stdin closes), the gpg agent and the files would not.
 */
const atExit = new Set<() => void>();
const runAtExit = () => {
  for (const cleanup of atExit) cleanup();
};
const onSignal = (signal: NodeJS.Signals) => process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));

function onExit(cleanup: () => void, on: boolean): void {
  const before = atExit.size;
  if (on) atExit.add(cleanup);
  else atExit.delete(cleanup);
  if (before === 0 && atExit.size === 1) {
    process.on('exit', runAtExit);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  } else if (before > 0 && atExit.size === 0) {
    process.off('exit', runAtExit);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, onSignal);
  }
}

/** Build, sign and serve the repository. Always stop() it (afterAll). */
export async function startAptRepo(options: AptRepoOptions = {}): Promise<AptRepo> {
  const root = makeTempRoot(options.label ?? 'apt-repo');
  let server: ServerProcess | undefined;
  let key: SigningKey | undefined;
  try {
    key = makeSigningKey(root);
    const suite = options.suite ?? 'mkimage-e2e';
    const codename = options.codename ?? suite;
    const component = options.component ?? 'main';
    const architectures = options.architectures ?? ['amd64', 'arm64', 'armhf', 'i386'];
    const pkg: RepoPackage = {
      name: options.package?.name ?? 'mkimage-e2e-hello',
      version: options.package?.version ?? '1.0-1',
      content: options.package?.content ?? 'hello from the local signed repository',
      file: '',
      command: '',
    };
    pkg.file = `/usr/share/${pkg.name}/hello.txt`;
    pkg.command = `/usr/bin/${pkg.name}`;
    const repo = join(root, 'repo');
    let deb = buildPackage(root, repo, component, pkg);
    const origin = 'mkimage-gen e2e';
    const label = 'mkimage-gen e2e';
    indexAndSign(repo, { suite, codename, component, architectures, origin, label, date: options.date ?? new Date() }, key);

    const addresses = options.addresses ?? ['127.0.0.1'];
    const requestLog = join(root, 'requests.log');
    server = await startServer(repo, requestLog, addresses);
    const { port } = server;
    const running = server;
    const urls = Object.fromEntries(addresses.map((a) => [a, `http://${a.includes(':') ? `[${a}]` : a}:${port}`]));
    const url = urls[addresses[0]!]!;
    const signingKey = key;
    let stopped: Promise<void> | undefined;
    const emergency = () => {
      running.child.kill('SIGKILL');
      signingKey.close();
      sh('rm', ['-rf', '--', root]);
    };
    onExit(emergency, true);
    return {
      root,
      url,
      urls,
      port,
      suite,
      codename,
      component,
      architectures,
      origin,
      label,
      key: signingKey,
      package: pkg,
      get deb() {
        return deb;
      },
      publish: (version: string, date = new Date()) => {
        pkg.version = version;
        deb = buildPackage(root, repo, component, pkg);
        indexAndSign(repo, { suite, codename, component, architectures, origin, label, date }, signingKey);
      },
      get requests() {
        return existsSync(requestLog) ? readFileSync(requestLog, 'utf8').split('\n').filter(Boolean) : [];
      },
      sourcesLine: (keyFile = signingKey.armored, address = addresses[0]!) =>
        `deb [signed-by=${keyFile}] ${urls[address]} ${suite} ${component}`,
      stop: () => {
        stopped ??= stopServer(running).finally(() => {
          onExit(emergency, false);
          signingKey.close();
          must('rm', ['-rf', '--', root]);
        });
        return stopped;
      },
    };
  } catch (error) {
    await stopServer(server);
    key?.close();
    must('rm', ['-rf', '--', root]);
    throw error;
  }
}

/** The package tree: the file, a command that prints it, and the control file; then dpkg-deb --build. */
function buildPackage(root: string, repo: string, component: string, pkg: RepoPackage): string {
  const tree = join(root, `pkg-${pkg.version}`);
  mkdirSync(join(tree, 'DEBIAN'), { recursive: true });
  mkdirSync(join(tree, pkg.file, '..'), { recursive: true });
  mkdirSync(join(tree, 'usr/bin'), { recursive: true });
  writeFileSync(join(tree, pkg.file), `${pkg.content}\n`, { mode: 0o644 });
  writeFileSync(join(tree, pkg.command), `#!/bin/sh\ncat ${pkg.file}\n`, { mode: 0o755 });
  writeFileSync(
    join(tree, 'DEBIAN/control'),
    [
      `Package: ${pkg.name}`,
      `Version: ${pkg.version}`,
      'Architecture: all',
      'Maintainer: mkimage-gen e2e <e2e@mkimage-gen.invalid>',
      'Section: misc',
      'Priority: optional',
      'Description: a package from the mkimage-gen end-to-end tests',
      ` Installs ${pkg.file} and ${pkg.command}, which prints it.`,
      '',
    ].join('\n'),
  );
  const pool = join(repo, 'pool', component, pkg.name[0]!, pkg.name);
  mkdirSync(pool, { recursive: true });
  const deb = join(pool, `${pkg.name}_${pkg.version.replace(/^\d+:/, '')}_all.deb`);
  must('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', tree, deb], {
    env: { PATH: SYSTEM_PATH, LC_ALL: 'C.UTF-8', SOURCE_DATE_EPOCH: '1767225600' },
  });
  return deb;
}

interface ReleaseFields {
  suite: string;
  codename: string;
  component: string;
  architectures: string[];
  origin: string;
  label: string;
  date: Date;
}

/** Packages(.gz) per architecture, a Release over them, InRelease and Release.gpg. */
function indexAndSign(repo: string, r: ReleaseFields, key: SigningKey): void {
  const env = { PATH: SYSTEM_PATH, LC_ALL: 'C.UTF-8' };
  const dist = join(repo, 'dists', r.suite);
  // Paths in Packages are relative to the repository root, so index from there.
  const packages = must('apt-ftparchive', ['packages', 'pool'], { cwd: repo, env });
  for (const arch of r.architectures) {
    const dir = join(dist, r.component, `binary-${arch}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'Packages'), packages);
    must('sh', ['-c', 'gzip -9n < Packages > Packages.gz'], { cwd: dir, env });
  }
  const field = (name: string, value: string) => ['-o', `APT::FTPArchive::Release::${name}=${value}`];
  const release = must(
    'apt-ftparchive',
    [
      ...field('Origin', r.origin),
      ...field('Label', r.label),
      ...field('Suite', r.suite),
      ...field('Codename', r.codename),
      ...field('Architectures', r.architectures.join(' ')),
      ...field('Components', r.component),
      ...field('Date', r.date.toUTCString().replace(/GMT$/, 'UTC')),
      ...field('Description', 'mkimage-gen end-to-end test repository'),
      'release',
      '.',
    ],
    { cwd: dist, env },
  );
  // Written after the walk, so the Release file does not list itself.
  writeFileSync(join(dist, 'Release.new'), release);
  renameSync(join(dist, 'Release.new'), join(dist, 'Release'));
  const gpg = ['--batch', '--no-tty', '--yes', '--homedir', key.gnupghome, '--local-user', key.fingerprint, '--digest-algo', 'SHA512'];
  const gpgOptions = { env: gpgEnv(key.gnupghome) };
  must('gpg', [...gpg, '--clearsign', '--output', join(dist, 'InRelease'), join(dist, 'Release')], gpgOptions);
  must('gpg', [...gpg, '--armor', '--detach-sign', '--output', join(dist, 'Release.gpg'), join(dist, 'Release')], gpgOptions);
}

/**
 * The http server runs in a child process: the tests run apt-get and docker with
 * spawnSync, which blocks this process's event loop, so a server in it could not answer
 * them. It serves the tree (GET and HEAD, nothing outside it, no listings), appends each
 * path asked for to a log, prints its port once it listens on every address, and exits
 * when its stdin closes: if this process dies, the server goes with it.
 */
const SERVER = `
const { createServer } = require('node:http');
const { createReadStream, statSync, appendFileSync } = require('node:fs');
const { join, normalize, sep } = require('node:path');
const [tree, log, ...addresses] = process.argv.slice(1);
const handler = (req, res) => {
  let path;
  try { path = decodeURIComponent((req.url || '/').split('?')[0]); } catch { path = '/'; }
  appendFileSync(log, path + '\\n');
  const file = normalize(join(tree, path));
  let stat;
  try { stat = file.startsWith(tree + sep) ? statSync(file) : undefined; } catch { stat = undefined; }
  if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405); res.end(); return; }
  if (!stat || !stat.isFile()) { res.writeHead(404, { 'Content-Type': 'text/plain' }); res.end('not here\\n'); return; }
  res.writeHead(200, { 'Content-Length': stat.size, 'Last-Modified': stat.mtime.toUTCString(), 'Content-Type': 'application/octet-stream' });
  if (req.method === 'HEAD') res.end(); else createReadStream(file).pipe(res);
};
let port = 0;
const servers = [];
(async () => {
  for (const address of addresses) {
    const server = createServer(handler);
    servers.push(server);
    port = await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => resolve(server.address().port));
    });
  }
  process.stdout.write(JSON.stringify({ port }) + '\\n');
})().catch((error) => { process.stderr.write(String(error) + '\\n'); process.exit(1); });
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
`;

interface ServerProcess {
  child: ChildProcess;
  port: number;
}

function startServer(tree: string, log: string, addresses: readonly string[]): Promise<ServerProcess> {
  writeFileSync(log, '');
  const child = spawn(process.execPath, ['-e', SERVER, tree, log, ...addresses], { stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      const port = (JSON.parse(line) as { port: number }).port;
      resolve({ child, port });
    });
    child.once('exit', (code) => reject(new Error(`the repository server exited (${code}) before it listened: ${stderr}`)));
    child.once('error', reject);
  });
}

function stopServer(server: ServerProcess | undefined): Promise<void> {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    server.child.once('exit', () => resolve());
    server.child.kill('SIGTERM');
  });
}

/**
 * apt on the host with a private directory: its own sources, lists, cache and status,
 * so nothing of the host's apt is read or changed but its apt.conf (a proxy, say).
 * `apt(args)` runs apt-get with it; `download(pkg)` fetches a .deb into `dir/debs`.
 */
export class PrivateApt {
  readonly dir: string;
  readonly options: string[];

  constructor(dir: string, sourcesLines: readonly string[]) {
    this.dir = dir;
    for (const sub of [
      'etc/sources.list.d',
      'etc/preferences.d',
      'etc/trusted.gpg.d',
      'state/lists/partial',
      'cache/archives/partial',
      'debs',
    ]) {
      mkdirSync(join(dir, sub), { recursive: true });
    }
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'state/status'), '');
    writeFileSync(join(dir, 'etc/sources.list'), `${sourcesLines.join('\n')}\n`);
    this.options = [
      '-o',
      `Dir::Etc=${join(dir, 'etc')}`,
      '-o',
      `Dir::State=${join(dir, 'state')}`,
      '-o',
      `Dir::State::status=${join(dir, 'state/status')}`,
      '-o',
      `Dir::Cache=${join(dir, 'cache')}`,
      // The files are ours and root's: no download sandbox user to hand them to.
      '-o',
      'APT::Sandbox::User=root',
      '-o',
      'Acquire::Languages=none',
    ];
  }

  apt(args: readonly string[], cwd = this.dir): Sh {
    return sh('apt-get', [...this.options, ...args], {
      cwd,
      env: { PATH: SYSTEM_PATH, HOME: '/root', LC_ALL: 'C.UTF-8' },
      timeout: 300_000,
    });
  }

  update(): Sh {
    return this.apt(['update']);
  }

  /** `apt-get download <pkg>` into `dir/debs`; the .deb's path, or undefined and the failure. */
  download(pkg: string): { deb?: string; result: Sh } {
    const debs = join(this.dir, 'debs');
    const result = this.apt(['download', pkg], debs);
    const found = sh('find', [debs, '-maxdepth', '1', '-name', `${pkg}_*.deb`])
      .stdout.trim()
      .split('\n')
      .filter(Boolean)[0];
    return found ? { deb: found, result } : { result };
  }

  readFile(relative: string): string {
    return readFileSync(join(this.dir, relative), 'utf8');
  }
}
