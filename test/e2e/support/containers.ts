// A throwaway container store for podman and buildah: vfs driver (no overlay, no
// daemon), graph and run roots, temp files and the event log all under one temporary
// directory that the tests remove. Unqualified image names never go to a registry:
// the base images come from the store, and the network reaches no registry anyway.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { must, sh, SYSTEM_PATH, type Sh } from './host.js';

export class ContainerStore {
  readonly root: string;
  /** The environment podman and buildah (and the generated script's import step) run with. */
  readonly env: Record<string, string>;

  constructor(root: string) {
    this.root = root;
    for (const dir of ['graph', 'run', 'tmp', 'libpod']) mkdirSync(join(root, dir), { recursive: true });
    const q = (path: string) => JSON.stringify(path);
    writeFileSync(
      join(root, 'storage.conf'),
      `[storage]\ndriver = "vfs"\ngraphroot = ${q(join(root, 'graph'))}\nrunroot = ${q(join(root, 'run'))}\n`,
    );
    writeFileSync(
      join(root, 'containers.conf'),
      [
        '[engine]',
        'events_logger = "file"',
        `events_logfile_path = ${q(join(root, 'events.log'))}`,
        `tmp_dir = ${q(join(root, 'libpod'))}`,
        'cgroup_manager = "cgroupfs"',
        `image_copy_tmp_dir = ${q(join(root, 'tmp'))}`,
        '',
      ].join('\n'),
    );
    writeFileSync(join(root, 'registries.conf'), 'unqualified-search-registries = []\nshort-name-mode = "permissive"\n');
    this.env = {
      CONTAINERS_STORAGE_CONF: join(root, 'storage.conf'),
      CONTAINERS_CONF: join(root, 'containers.conf'),
      CONTAINERS_REGISTRIES_CONF: join(root, 'registries.conf'),
      TMPDIR: join(root, 'tmp'),
    };
  }

  private options() {
    return { env: { PATH: SYSTEM_PATH, HOME: '/root', LC_ALL: 'C.UTF-8', ...this.env } };
  }

  podman(args: readonly string[]): Sh {
    return sh('podman', ['--storage-driver', 'vfs', ...args], this.options());
  }

  buildah(args: readonly string[]): Sh {
    return sh('buildah', ['--storage-driver', 'vfs', ...args], this.options());
  }

  mustPodman(args: readonly string[]): string {
    return must('podman', ['--storage-driver', 'vfs', ...args], this.options());
  }

  mustBuildah(args: readonly string[]): string {
    return must('buildah', ['--storage-driver', 'vfs', ...args], this.options());
  }

  imageExists(ref: string): boolean {
    return this.podman(['image', 'exists', ref]).status === 0;
  }

  /** `buildah bud --isolation chroot`, as the issue asks: no daemon, no user namespace. */
  bud(tag: string, dockerfile: string, context: string): string {
    return this.mustBuildah(['bud', '--isolation', 'chroot', '--pull=never', '--layers=false', '-t', tag, '-f', dockerfile, context]);
  }

  /**
   * Run a shell script in a fresh working container of an image (buildah run, chroot
   * isolation) and return what it printed and its exit status. The output goes to a file
   * in the container, read back through `buildah mount`: buildah's own relay of a short
   * command's stdout once dropped the tail of it here. The container is removed after.
   */
  probe(image: string, script: string): { status: number; output: string } {
    const container = this.mustBuildah(['from', '--pull=never', image]).trim();
    try {
      const file = '/tmp/.mkimage-e2e-probe';
      const run = this.buildah(['run', '--isolation', 'chroot', container, '--', 'sh', '-c', `(${script}) > ${file} 2>&1; echo "$?" > ${file}.status`]);
      if (run.status !== 0) throw new Error(`buildah run failed (${run.status}): ${run.stderr}`);
      const mountpoint = this.mustBuildah(['mount', container]).trim();
      try {
        return {
          status: Number(readFileSync(join(mountpoint, `${file}.status`), 'utf8').trim()),
          output: readFileSync(join(mountpoint, file), 'utf8'),
        };
      } finally {
        this.buildah(['umount', container]);
      }
    } finally {
      this.buildah(['rm', container]);
    }
  }

  /** Working containers left by a failed test are removed; the caller removes the directory. */
  close(): void {
    this.buildah(['rm', '--all']);
  }
}
