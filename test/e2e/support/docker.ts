// A throwaway Docker Engine for the end-to-end tests: trixie's dockerd, containerd and
// buildx from the private prefix that .ci/docker-engine fills, started with its own
// data root, exec root, pidfile, unix socket and client config in a temporary directory,
// the vfs storage driver, and a bridge of its own (own name, own free /24) so that two
// engines on one host do not meet. stop() ends dockerd and the containerd it spawned,
// removes the bridge, the firewall rules dockerd added and the whole directory, and
// reports anything that had to be killed. The client is always the prefix's: a
// `docker` elsewhere on the PATH may be anything.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTempRoot, must, prerequisites, removeTree, sh, SYSTEM_PATH, which, type Prerequisites, type Sh } from './host.js';

/** A target as `docker buildx bake --print` shows it. */
export interface BakeTarget {
  context?: string;
  dockerfile?: string;
  tags?: string[];
  args?: Record<string, string>;
  contexts?: Record<string, string>;
}

/** Where .ci/docker-engine unpacks the engine (MKIMAGE_E2E_DOCKER_PREFIX overrides). */
export const DOCKER_PREFIX = process.env.MKIMAGE_E2E_DOCKER_PREFIX ?? '/opt/mkimage-e2e/docker';

/** The binaries of the prefix. */
export interface DockerBinaries {
  prefix: string;
  docker: string;
  dockerd: string;
  containerd: string;
  runc: string;
  buildx: string;
  /** Directories the engine finds containerd, runc, docker-init and docker-proxy in. */
  path: string;
  /** Package -> Debian version, from the prefix's VERSIONS file. */
  versions: Record<string, string>;
}

export function dockerBinaries(prefix = DOCKER_PREFIX): DockerBinaries {
  const versions: Record<string, string> = {};
  const versionsFile = join(prefix, 'VERSIONS');
  if (existsSync(versionsFile)) {
    for (const line of readFileSync(versionsFile, 'utf8').split('\n')) {
      const [name, version] = line.trim().split(/\s+/);
      if (name && version) versions[name] = version;
    }
  }
  return {
    prefix,
    docker: join(prefix, 'usr/bin/docker'),
    dockerd: join(prefix, 'usr/sbin/dockerd'),
    containerd: join(prefix, 'usr/bin/containerd'),
    runc: join(prefix, 'usr/sbin/runc'),
    buildx: join(prefix, 'usr/libexec/docker/cli-plugins/docker-buildx'),
    path: [join(prefix, 'usr/bin'), join(prefix, 'usr/sbin')].join(':'),
    versions,
  };
}

const INSTALL_HINT = 'sudo bash .ci/deps (or sudo bash .ci/docker-engine) installs it';

/** What the client side needs (`docker buildx bake --print`): no root, no daemon. */
export function buildxProblems(bin = dockerBinaries()): string[] {
  const missing = [bin.docker, bin.buildx].filter((file) => !existsSync(file));
  return missing.length > 0 ? [`the Docker client and buildx plugin are missing (${missing.join(', ')}): ${INSTALL_HINT}`] : [];
}

/** What starting an engine needs, beyond the client: root, dockerd and its helpers, iptables and ip. */
export function engineProblems(bin = dockerBinaries()): string[] {
  const problems: string[] = [];
  if (process.platform !== 'linux') return [`Docker Engine needs Linux, this is ${process.platform}`];
  if (process.getuid?.() !== 0) problems.push('not root: dockerd needs it (run the tests with sudo)');
  const missing = [bin.docker, bin.dockerd, bin.containerd, bin.runc, bin.buildx].filter((file) => !existsSync(file));
  if (missing.length > 0) problems.push(`Docker Engine missing in ${bin.prefix} (${missing.join(', ')}): ${INSTALL_HINT}`);
  for (const [command, pkg] of [
    ['iptables', 'iptables'],
    ['ip', 'iproute2'],
  ] as const) {
    if (!which(command)) problems.push(`missing tool: ${command} (apt: ${pkg})`);
  }
  return problems;
}

/** The host's prerequisites (root, tools, a mirror that answers) plus the engine's. */
export async function dockerPrerequisites(): Promise<Prerequisites> {
  const host = await prerequisites();
  return { ...host, problems: [...host.problems, ...engineProblems()] };
}

/** A client config directory where the docker CLI finds the prefix's buildx plugin. */
export function makeDockerConfig(dir: string, bin = dockerBinaries()): string {
  mkdirSync(join(dir, 'cli-plugins'), { recursive: true });
  const link = join(dir, 'cli-plugins', 'docker-buildx');
  if (!existsSync(link)) symlinkSync(bin.buildx, link);
  writeFileSync(join(dir, 'config.json'), '{}\n');
  return dir;
}

export interface DockerRunOptions {
  cwd?: string;
  input?: string;
  /** Milliseconds; default 10 minutes. */
  timeout?: number;
  env?: Record<string, string>;
}

/**
 * `docker buildx bake --print` of a bake file: parses and resolves it without a daemon
 * (DOCKER_HOST points nowhere) and prints the resolved JSON. Runs as any user.
 */
export function bakePrint(file: string, options: DockerRunOptions & { targets?: string[] } = {}): Sh {
  const bin = dockerBinaries();
  const config = makeDockerConfig(mkdtempSync(join(tmpdir(), 'mkimage-bake-print-')), bin);
  try {
    return sh(bin.docker, ['buildx', 'bake', '--print', '-f', file, ...(options.targets ?? [])], {
      cwd: options.cwd ?? process.cwd(),
      timeout: options.timeout ?? 60_000,
      env: {
        PATH: `${bin.path}:${SYSTEM_PATH}`,
        HOME: config,
        LC_ALL: 'C.UTF-8',
        DOCKER_CONFIG: config,
        DOCKER_HOST: `unix://${join(config, 'no-daemon.sock')}`,
        BUILDX_NO_DEFAULT_ATTESTATIONS: '1',
      },
    });
  } finally {
    sh('rm', ['-rf', '--', config]);
  }
}

/** What stop() found and undid. */
export interface StopReport {
  /** Milliseconds from SIGTERM until dockerd was gone. */
  stopMs: number;
  /** Processes still running under the engine's directory after dockerd exited, killed (a leak). */
  killed: string[];
  /** Mounts left under the directory, unmounted (a leak). */
  unmounted: string[];
}

interface NetState {
  ipForward: string;
  forwardPolicy: string | undefined;
  rules: Set<string>;
  chains: Set<string>;
}

const engines = new Set<DockerEngine>();

/** One running dockerd. Make it with DockerEngine.start(); always stop() it (afterAll). */
export class DockerEngine {
  readonly bin: DockerBinaries;
  /** The temporary directory everything lives in. */
  readonly root: string;
  readonly socket: string;
  /** `unix://<socket>`: DOCKER_HOST for anything that talks to this engine. */
  readonly host: string;
  /** The client config directory (buildx plugin, builder state). */
  readonly config: string;
  /** dockerd's own log (stdout and stderr). */
  readonly logFile: string;
  readonly bridge: string;
  /** The bridge's /24, as `a.b.c.0`. */
  readonly subnet: string;
  /**
   * The host's address on the bridge: what a container (a `docker run`, a bake RUN step)
   * reaches the host at, e.g. a repository served with startAptRepo({ addresses: [..., gateway] }).
   */
  readonly gateway: string;
  /**
   * The environment for anything that uses this engine, a generated script's `docker`
   * import step included: the prefix first on PATH, DOCKER_HOST, DOCKER_CONFIG.
   */
  readonly env: Record<string, string>;
  /** Milliseconds from spawning dockerd until it answered /_ping. */
  startMs = 0;
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private net: NetState | undefined;
  private stopped: Promise<StopReport> | undefined;
  /** The tmpfs holding the data root, when start() was asked for one: unmounted by stop(), not a leak. */
  private dataMount: string | undefined;

  private constructor(root: string, bin: DockerBinaries) {
    this.bin = bin;
    this.root = root;
    this.socket = join(root, 'docker.sock');
    this.host = `unix://${this.socket}`;
    this.config = makeDockerConfig(join(root, 'client'), bin);
    this.logFile = join(root, 'dockerd.log');
    this.bridge = `mke2e${randomBytes(4).toString('hex')}`;
    this.subnet = freeSubnet();
    this.gateway = this.subnet.replace(/\.0$/, '.1');
    this.env = {
      PATH: `${bin.path}:${SYSTEM_PATH}`,
      HOME: '/root',
      LC_ALL: 'C.UTF-8',
      DOCKER_HOST: this.host,
      DOCKER_CONFIG: this.config,
      BUILDX_NO_DEFAULT_ATTESTATIONS: '1',
    };
  }

  /**
   * Start a dockerd in a fresh `mkimage-e2e-<label>-*` directory and wait until it
   * answers. If it does not, everything is stopped and removed before this throws.
   */
  static async start(options: { label?: string; timeoutMs?: number; dataInMemory?: string } = {}): Promise<DockerEngine> {
    const engine = new DockerEngine(makeTempRoot(options.label ?? 'docker'), dockerBinaries());
    if (engines.size === 0) watchExit(true);
    engines.add(engine);
    try {
      if (options.dataInMemory !== undefined) engine.mountDataInMemory(options.dataInMemory);
      await engine.launch(options.timeoutMs ?? 60_000);
    } catch (error) {
      await engine.stop();
      throw error;
    }
    return engine;
  }

  /**
   * The data root on a tmpfs of at most `size` (e.g. `12g`): vfs copies a whole layer for
   * every step, which memory does in a moment and a disk does not, and removing the images
   * at stop() is an unmount instead of deleting many copies of a rootfs.
   */
  private mountDataInMemory(size: string): void {
    this.dataMount = join(this.root, 'data');
    mkdirSync(this.dataMount);
    must('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0710`, 'mkimage-e2e-docker', this.dataMount]);
  }

  private async launch(timeoutMs: number): Promise<void> {
    this.net = netState();
    must('ip', ['link', 'add', 'name', this.bridge, 'type', 'bridge']);
    must('ip', ['addr', 'add', `${this.gateway}/24`, 'dev', this.bridge]);
    must('ip', ['link', 'set', this.bridge, 'up']);
    const daemonConfig = join(this.root, 'daemon.json');
    // Everything is said by flags; an empty file of our own keeps /etc/docker/daemon.json out.
    writeFileSync(daemonConfig, '{}\n');
    mkdirSync(join(this.root, 'tmp'), { recursive: true });
    const log = openSync(this.logFile, 'a');
    const started = Date.now();
    try {
      this.child = spawn(
        this.bin.dockerd,
        [
          '--config-file',
          daemonConfig,
          '--data-root',
          join(this.root, 'data'),
          '--exec-root',
          join(this.root, 'exec'),
          '--pidfile',
          join(this.root, 'docker.pid'),
          '--host',
          this.host,
          '--storage-driver',
          'vfs',
          '--bridge',
          this.bridge,
        ],
        { detached: true, stdio: ['ignore', log, log], env: { ...this.env, TMPDIR: join(this.root, 'tmp') } },
      );
    } finally {
      closeSync(log);
    }
    const child = this.child;
    this.exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    child.once('error', () => undefined);
    const deadline = started + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`dockerd exited (${child.exitCode ?? child.signalCode}) before it answered:\n${this.logTail()}`);
      }
      if (await ping(this.socket)) break;
      if (Date.now() > deadline) throw new Error(`dockerd did not answer on ${this.socket} within ${timeoutMs} ms:\n${this.logTail()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.startMs = Date.now() - started;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The last lines of dockerd's log, for error messages. */
  logTail(lines = 40): string {
    if (!existsSync(this.logFile)) return '(no log)';
    return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  }

  /** Run the prefix's docker client against this engine; never throws. */
  docker(args: readonly string[], options: DockerRunOptions = {}): Sh {
    return sh(this.bin.docker, args, {
      cwd: options.cwd ?? this.root,
      timeout: options.timeout ?? 600_000,
      env: { ...this.env, ...options.env },
      ...(options.input !== undefined ? { input: options.input } : {}),
    });
  }

  /** Like docker(), but a non-zero exit throws with both streams; returns stdout. */
  mustDocker(args: readonly string[], options: DockerRunOptions = {}): string {
    const result = this.docker(args, options);
    if (result.status !== 0) {
      throw new Error(`docker ${args.join(' ')} exited ${result.status}\n${result.stdout}\n${result.stderr}`.trim());
    }
    return result.stdout;
  }

  /**
   * `docker buildx bake -f <file> [-f <file>...] [targets]` with plain progress, through the engine's
   * own BuildKit (the default `docker` driver: built images land in the engine's image
   * store, where `docker run` finds them). `set` entries become `--set`.
   */
  bake(file: string | readonly string[], options: DockerRunOptions & { targets?: string[]; set?: string[] } = {}): Sh {
    const args = ['buildx', 'bake', '--progress', 'plain', ...(typeof file === 'string' ? [file] : file).flatMap((f) => ['-f', f])];
    for (const value of options.set ?? []) args.push('--set', value);
    args.push(...(options.targets ?? []));
    return this.docker(args, options);
  }

  /** bake() that must succeed; returns the build log (BuildKit writes it to stderr). */
  mustBake(file: string | readonly string[], options: DockerRunOptions & { targets?: string[]; set?: string[] } = {}): string {
    const result = this.bake(file, options);
    if (result.status !== 0) {
      throw new Error(`docker buildx bake -f ${typeof file === 'string' ? file : file.join(' -f ')} exited ${result.status}\n${result.stderr.split('\n').slice(-60).join('\n')}`);
    }
    return result.stderr;
  }

  /**
   * `docker buildx bake --print -f <file>...` (no build): the targets as bake resolves
   * them, variables from the files and the environment applied.
   */
  bakePrint(files: readonly string[], options: DockerRunOptions = {}): Record<string, BakeTarget> {
    const printed = JSON.parse(this.mustDocker(['buildx', 'bake', '--print', ...files.flatMap((f) => ['-f', f])], options)) as {
      target?: Record<string, BakeTarget>;
    };
    return printed.target ?? {};
  }

  /** `docker import` of a rootfs tarball as `ref`; returns the image id. */
  importTarball(tarball: string, ref: string, changes: readonly string[] = []): string {
    return this.mustDocker(['import', ...changes.flatMap((c) => ['--change', c]), tarball, ref]).trim();
  }

  /** `docker run --rm [options] image command...`; never throws. */
  run(image: string, command: readonly string[], options: DockerRunOptions & { runArgs?: string[] } = {}): Sh {
    return this.docker(['run', '--rm', ...(options.runArgs ?? []), image, ...command], options);
  }

  /** `docker run --rm image sh -c script`, which must exit 0; returns stdout. */
  mustRun(image: string, script: string, options: DockerRunOptions & { runArgs?: string[] } = {}): string {
    const result = this.run(image, ['sh', '-c', script], options);
    if (result.status !== 0)
      throw new Error(`docker run ${image} sh -c '${script}' exited ${result.status}\n${result.stdout}\n${result.stderr}`.trim());
    return result.stdout;
  }

  imageExists(ref: string): boolean {
    return this.docker(['image', 'inspect', ref]).status === 0;
  }

  /** `docker image inspect` of one image, parsed. */
  inspect(ref: string): Record<string, unknown> {
    return (JSON.parse(this.mustDocker(['image', 'inspect', ref])) as Record<string, unknown>[])[0]!;
  }

  /**
   * Stop dockerd (SIGTERM, SIGKILL after `graceMs`), kill whatever still runs under the
   * engine's directory (containerd, shims: reported), unmount and remove the directory,
   * delete the bridge and the firewall rules dockerd added, and put back ip_forward and
   * the FORWARD policy when no other dockerd runs. Safe to call twice and after a failed start.
   */
  stop(graceMs = 30_000): Promise<StopReport> {
    this.stopped ??= this.shutdown(graceMs).finally(() => this.forget());
    return this.stopped;
  }

  /** Unmount the data root's tmpfs; a mount still under it keeps it busy, and removeTree reports both. */
  private unmountData(): void {
    if (this.dataMount !== undefined && sh('umount', [this.dataMount]).status === 0) this.dataMount = undefined;
  }

  private forget(): void {
    if (engines.delete(this) && engines.size === 0) watchExit(false);
  }

  /** stop() without the event loop, for the exit and signal handlers. */
  stopSync(graceMs = 20_000): void {
    if (this.stopped) return;
    const child = this.child;
    const running = () => child?.pid !== undefined && existsSync(`/proc/${child.pid}`) && !isZombie(child.pid);
    if (child?.pid !== undefined && running()) {
      signalGroup(child.pid, 'SIGTERM');
      const deadline = Date.now() + graceMs;
      while (running() && Date.now() < deadline) sleepSync(100);
      if (running()) signalGroup(child.pid, 'SIGKILL');
    }
    const deadline = Date.now() + 5_000;
    while (pidsUnder(this.root).length > 0 && Date.now() < deadline) sleepSync(100);
    for (const p of pidsUnder(this.root)) signalGroup(p.pid, 'SIGKILL');
    cleanNetwork(this.bridge, this.subnet, this.net);
    this.unmountData();
    removeTree(this.root);
    this.stopped = Promise.resolve({ stopMs: 0, killed: [], unmounted: [] });
    this.forget();
  }

  private async shutdown(graceMs: number): Promise<StopReport> {
    const began = Date.now();
    const child = this.child;
    if (child?.pid !== undefined && this.exited && child.exitCode === null && child.signalCode === null) {
      signalGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    const stopMs = Date.now() - began;
    const killed = await killUnder(this.root);
    cleanNetwork(this.bridge, this.subnet, this.net);
    this.unmountData();
    const unmounted = removeTree(this.root);
    return { stopMs, killed, unmounted };
  }
}

/** Stop every engine this process started and that still runs (a test that failed half-way). */
export async function stopAllEngines(): Promise<void> {
  await Promise.all([...engines].map((engine) => engine.stop()));
}

/**
 * The last resort, when the test process ends without stop() (an uncaught error, a
 * signal): the same stop, synchronously. Signal handlers exist only while an engine runs.
 */
function stopAllSync(): void {
  for (const engine of engines) engine.stopSync();
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
// process.exit runs the exit listeners: this one, and the apt repository's.
const onSignal = (signal: NodeJS.Signals) => process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));

function watchExit(on: boolean): void {
  if (on) {
    process.on('exit', stopAllSync);
    for (const signal of SIGNALS) process.on(signal, onSignal);
  } else {
    process.off('exit', stopAllSync);
    for (const signal of SIGNALS) process.off(signal, onSignal);
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
    } catch {
      // gone
    }
  }
}

function isZombie(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/** Processes whose command line names the directory (containerd and its shims name their sockets). */
function pidsUnder(dir: string): Array<{ pid: number; what: string }> {
  const found: Array<{ pid: number; what: string }> = [];
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n) && Number(n) !== process.pid)) {
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (cmdline.includes(`${dir}/`)) {
        const comm = readFileSync(`/proc/${name}/comm`, 'utf8').trim();
        found.push({ pid: Number(name), what: `${name} ${comm}: ${cmdline.slice(0, 160)}` });
      }
    } catch {
      // gone
    }
  }
  return found;
}

async function killUnder(dir: string): Promise<string[]> {
  // containerd leaves on its own shortly after dockerd: give it a moment before it counts as a leak.
  const deadline = Date.now() + 10_000;
  let left = pidsUnder(dir);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = pidsUnder(dir);
  }
  for (const p of left) signalGroup(p.pid, 'SIGKILL');
  const killDeadline = Date.now() + 5_000;
  while (pidsUnder(dir).length > 0 && Date.now() < killDeadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return left.map((p) => p.what);
}

/** Every running dockerd on the host, by process name (an exited one not yet reaped does not count). */
export function dockerdPids(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (readFileSync(`/proc/${name}/comm`, 'utf8').trim() === 'dockerd' && !isZombie(Number(name))) pids.push(Number(name));
    } catch {
      // gone
    }
  }
  return pids;
}

/** A /24 in 10.213.0.0/16 that no address or route of the host uses. */
function freeSubnet(): string {
  const used = sh('ip', ['-o', '-4', 'addr', 'show']).stdout + sh('ip', ['-4', 'route', 'show']).stdout;
  const start = randomBytes(1)[0]!;
  for (let i = 0; i < 256; i += 1) {
    const octet = (start + i) % 256;
    const net = `10.213.${octet}.`;
    if (!used.includes(net)) return `${net}0`;
  }
  throw new Error('no free /24 in 10.213.0.0/16 for the engine bridge');
}

const TABLES = ['filter', 'nat'] as const;

function iptablesSave(table: string): string {
  return sh('iptables-save', ['-t', table]).stdout;
}

function netState(): NetState {
  const rules = new Set<string>();
  const chains = new Set<string>();
  let forwardPolicy: string | undefined;
  for (const table of TABLES) {
    for (const line of iptablesSave(table).split('\n')) {
      if (line.startsWith('-A ')) rules.add(`${table} ${line}`);
      const chain = /^:(\S+) (\S+)/.exec(line);
      if (chain) {
        chains.add(`${table} ${chain[1]}`);
        if (table === 'filter' && chain[1] === 'FORWARD') forwardPolicy = chain[2];
      }
    }
  }
  return { ipForward: readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(), forwardPolicy, rules, chains };
}

/** `-A CHAIN args` as iptables-save prints it, split into arguments (double quotes kept together). */
function ruleArgs(rule: string): string[] {
  return (rule.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? []).map((word) => (word.startsWith('"') ? word.slice(1, -1) : word));
}

/**
 * Undo what dockerd did to the host's network: the rules that name this engine's bridge
 * or subnet always; and, when no other dockerd runs any more, every rule and chain that
 * was not there before it started, ip_forward and the FORWARD policy.
 */
function cleanNetwork(bridge: string, subnet: string, before: NetState | undefined): void {
  const prefix = subnet.replace(/\.0$/, '.');
  const alone = dockerdPids().length === 0;
  for (const table of TABLES) {
    for (const line of iptablesSave(table).split('\n')) {
      if (!line.startsWith('-A ')) continue;
      const ours = new RegExp(`(^|\\s)${bridge}(\\s|$)`).test(line) || line.includes(prefix);
      const added = before !== undefined && !before.rules.has(`${table} ${line}`);
      if (ours || (alone && added)) sh('iptables', ['-t', table, '-D', ...ruleArgs(line).slice(1)]);
    }
    if (alone && before) {
      const chains = iptablesSave(table)
        .split('\n')
        .map((line) => /^:(\S+) /.exec(line)?.[1])
        .filter((chain): chain is string => chain !== undefined && !before.chains.has(`${table} ${chain}`));
      for (const chain of chains) sh('iptables', ['-t', table, '-F', chain]);
      for (const chain of chains) sh('iptables', ['-t', table, '-X', chain]);
    }
  }
  if (alone && before) {
    if (before.forwardPolicy && before.forwardPolicy !== '-') sh('iptables', ['-t', 'filter', '-P', 'FORWARD', before.forwardPolicy]);
    writeFileSync('/proc/sys/net/ipv4/ip_forward', `${before.ipForward}\n`);
  }
  if (existsSync(`/sys/class/net/${bridge}`)) sh('ip', ['link', 'delete', bridge]);
}
