// The OCI layout the script writes (output.oci), made for real by its own oci_image
// function from two small tarballs, then read by umoci and skopeo, the tools users read
// it with: the tags the import gives (version, major, dated), each architecture's own
// tags so umoci can take one platform, a history entry, the version and created labels,
// and each architecture's labels naming its own records.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planImage, renderImage } from '../src/generate.js';
import { validateSettings } from '../src/model/index.js';
import { DEBIAN } from './helpers/settings.js';

const work = mkdtempSync(join(tmpdir(), 'mkimage-gen-oci-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const EPOCH = 1748736000; // 2025-06-01T00:00:00Z
const settings = validateSettings({ ...DEBIAN, arch: ['amd64', 'arm64'], output: { oci: true, compression: 'gzip', import: 'none', tags: ['ja'] } }, 't');
const script = renderImage(planImage({ id: 't', settings, origin: { generatedFrom: 'test', regenerate: 'test' } })).find((f) => f.path === 'mkimage.sh')!.content;
const layout = join(work, 'out', 'oci-layout');
const tool = (command: string, args: string[]) => spawnSync(command, args, { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: work } });

beforeAll(() => {
  writeFileSync(join(work, 'lib.sh'), script.slice(0, script.lastIndexOf('main "$@"')));
  mkdirSync(join(work, 'out'));
  for (const arch of ['amd64', 'arm64']) {
    const tree = join(work, `tree-${arch}`);
    mkdirSync(join(tree, 'etc'), { recursive: true });
    writeFileSync(join(tree, 'etc/arch'), `${arch}\n`);
    const tar = spawnSync('sh', ['-c', 'tar --numeric-owner -C "$1" -c . | gzip -n > "$2"', 'sh', tree, join(work, 'out', `rootfs-${arch}.tar.gz`)]);
    expect(tar.status).toBe(0);
  }
  const run = spawnSync(
    'bash',
    ['-c', `source "$1/lib.sh"; trap - EXIT; set -e; DRY_RUN=0 WORK_DIR=$1 OUTPUT_DIR=$1/out RELEASE_VERSION=12.9; export SOURCE_DATE_EPOCH=${EPOCH}; build_facts; oci_image`, 'test', work],
    { encoding: 'utf8', input: '', env: { PATH: process.env.PATH } },
  );
  expect(run.status, run.stderr).toBe(0);
});

describe('the OCI layout of a two-architecture build', () => {
  const index = () => JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { mediaType: string; platform?: { architecture: string }; annotations: Record<string, string> }[] };
  const refs = () => index().manifests.map((m) => m.annotations['org.opencontainers.image.ref.name']);

  it('has the tags the import and bake give: suite, extra, version, major and dated', () => {
    expect(refs()).toEqual(expect.arrayContaining(['bookworm', 'ja', '12.9', '12', 'bookworm-20250601']));
    for (const ref of ['bookworm', '12', 'bookworm-20250601']) {
      expect(index().manifests.find((m) => m.annotations['org.opencontainers.image.ref.name'] === ref)?.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    }
  });

  it("names each architecture's image by its own tags, so umoci (one platform per tag) can take it", () => {
    const arm64 = index().manifests.find((m) => m.annotations['org.opencontainers.image.ref.name'] === 'bookworm-arm64');
    expect(arm64).toMatchObject({ mediaType: 'application/vnd.oci.image.manifest.v1+json', platform: { architecture: 'arm64' } });
    expect(refs()).toEqual(expect.arrayContaining(['12.9-amd64', '12-arm64', 'bookworm-20250601-arm64', 'ja-amd64']));
    const listed = tool('umoci', ['ls', '--layout', layout]);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout.split('\n')).toEqual(expect.arrayContaining(['bookworm-arm64', 'bookworm-amd64']));
    const stat = tool('umoci', ['stat', '--json', '--image', `${layout}:bookworm-arm64`]);
    expect(stat.status, stat.stderr).toBe(0);
    // One history entry, for the one layer, at SOURCE_DATE_EPOCH.
    const history = JSON.parse(stat.stdout).history as { created: string; created_by: string; layer: unknown }[];
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ created: '2025-06-01T00:00:00Z', created_by: expect.stringContaining('rootfs-arm64.tar.gz') });
  });

  it('labels each image with its version, its created time and its own records (no literal <arch>)', () => {
    for (const arch of ['amd64', 'arm64']) {
      const inspect = tool('skopeo', ['inspect', `oci:${layout}:bookworm-${arch}`]);
      expect(inspect.status, inspect.stderr).toBe(0);
      const { Labels, Architecture } = JSON.parse(inspect.stdout) as { Labels: Record<string, string>; Architecture: string };
      expect(Architecture).toBe(arch);
      expect(Labels).toMatchObject({
        'org.opencontainers.image.version': '12.9',
        'org.opencontainers.image.created': '2025-06-01T00:00:00Z',
        'mkimage-gen.manifest': `rootfs-${arch}.manifest`,
        'mkimage-gen.build-record': `rootfs-${arch}.build.json`,
        'mkimage-gen.checksums': `rootfs-${arch}.tar.gz.sha256`,
      });
      expect(JSON.stringify(Labels)).not.toContain('<arch>');
    }
  });
});
