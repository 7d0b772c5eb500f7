// A caching proxy in front of the mirror, as ops teams run one: apt-cacher-ng (from
// apt), started on 127.0.0.1 with a free port and its own config, cache and log
// directories under a directory the caller owns, in the foreground so stop() ends it.
// The end-to-end proxy test and the benchmark's warm rebuilds go through it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { SYSTEM_PATH } from './host.js';

/**
 * A port nothing listens on, below 32768: apt-cacher-ng 3.7 reads its Port setting
 * as a signed 16-bit number, so the kernel's ephemeral ports (32768 and up) fail.
 */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port below 32768 for apt-cacher-ng');
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Every regular file under a directory, with its size. */
function filesUnder(dir: string): { path: string; size: number }[] {
  const found: { path: string; size: number }[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    found.push({ path, size: statSync(path).size });
  }
  return found;
}

export class AptCacher {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly cacheDir: string,
    readonly logDir: string,
    private readonly exited: Promise<void>,
  ) {}

  /** The URL a build's `proxy` setting names. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts apt-cacher-ng under `root` (config, cache and logs) and waits until it accepts connections. */
  static async start(root: string): Promise<AptCacher> {
    const dirs = { config: join(root, 'config'), cache: join(root, 'cache'), log: join(root, 'log'), run: join(root, 'run') };
    for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
    // No remapping: requests are cached under the mirror's own host name and path.
    writeFileSync(join(dirs.config, 'acng.conf'), '# written by the mkimage-gen tests\nReportPage: acng-report.html\n');
    const port = await freePort();
    const child = spawn(
      'apt-cacher-ng',
      [
        '-c',
        dirs.config,
        'ForeGround=1',
        `Port=${port}`,
        'BindAddress=127.0.0.1',
        `CacheDir=${dirs.cache}`,
        `LogDir=${dirs.log}`,
        `PidFile=${join(dirs.run, 'pid')}`,
        `SocketPath=${join(dirs.run, 'socket')}`,
        'SupportDir=/usr/lib/apt-cacher-ng',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: SYSTEM_PATH } },
    );
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const cacher = new AptCacher(child, port, dirs.cache, dirs.log, exited);
    // Up to a minute for it to listen; it normally takes a fraction of a second.
    for (let i = 0; i < 600; i++) {
      if (child.exitCode !== null) throw new Error(`apt-cacher-ng exited ${child.exitCode}: ${stderr}`);
      if (await answers(port)) return cacher;
      await new Promise((r) => setTimeout(r, 100));
    }
    await cacher.stop();
    throw new Error(`apt-cacher-ng did not listen on 127.0.0.1:${port}: ${stderr}`);
  }

  /** Files the proxy has cached so far: .debs and index files. */
  cached(): { path: string; size: number }[] {
    return filesUnder(this.cacheDir).filter((f) => !f.path.endsWith('.head'));
  }

  /** Ends the daemon (TERM, then KILL after ten seconds) and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}
