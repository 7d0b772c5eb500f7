// End to end: a company image and --result-cache, when the company repository moves.
// A local signed apt repository on 127.0.0.1 (support/apt-repo.ts) is the config's extra
// repository; the image (mmdebstrap minbase, no locales, no import: lean) installs its
// package. Three runs share one result cache and one package cache:
//   1. builds: the records name the repository's Release file (checked with its key, and
//      proven read by the build), its package gets a purl that names the repository, and
//      SOURCE_DATE_EPOCH is the repository's Release date, the newest;
//   2. after the repository publishes a new version: the run says the repository's
//      Release file changed, builds, and the image and its records have the new version;
//   3. nothing changed: the kept build is published, no build runs.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { aptRepoProblems, startAptRepo, type AptRepo } from './support/apt-repo.js';
import { describeE2E, makeTempRoot, prerequisites, removeTree } from './support/host.js';
import { describeRun, renderConfig, runScript, stopScripts, type Finished, type Rendered } from './support/script.js';

const prereq = await prerequisites();
prereq.problems.push(...aptRepoProblems());

const REPO_NAME = 'e2e-company';

interface BuildRecord {
  sourceDateEpoch: number;
  mirrors: string[];
  repositories: { name: string; url: string }[];
  releaseFiles: { url: string; date: string; sha256: string }[];
}

describeE2E('end-to-end: --result-cache rebuilds when a company repository publishes a new version', prereq, (mirrors) => {
  let root = '';
  let repo: AptRepo | undefined;
  let rendered: Rendered;
  const runs: Finished[] = [];
  const records: { record: BuildRecord; manifest: string; cdx: { components: { name: string; version: string; purl: string }[] } }[] = [];
  const dates: Date[] = [];
  const seconds: string[] = [];

  /** One run of the script with the shared caches; its records are read when it succeeded. */
  async function run(label: string): Promise<Finished> {
    const began = performance.now();
    const result = await runScript(rendered.script, [
      '--work-dir',
      join(root, 'work'),
      '--result-cache',
      join(root, 'results'),
      '--package-cache',
      join(root, 'packages'),
    ]);
    seconds.push(`${label} ${((performance.now() - began) / 1000).toFixed(1)}s`);
    runs.push(result);
    if (result.code === 0) {
      const read = (name: string) => readFileSync(join(rendered.dir, name), 'utf8');
      records.push({ record: JSON.parse(read('rootfs.build.json')), manifest: read('rootfs.manifest'), cdx: JSON.parse(read('rootfs.cdx.json')) });
    }
    return result;
  }

  beforeAll(async () => {
    root = makeTempRoot('result-cache');
    // Whole seconds: a Release file's Date has no more.
    dates.push(new Date(Math.floor(Date.now() / 1000) * 1000));
    repo = await startAptRepo({ label: 'result-cache-repo', date: dates[0] });
    // The repository's key beside the config, as a user has it.
    const config = join(root, 'config');
    mkdirSync(join(config, 'keys'), { recursive: true });
    copyFileSync(repo.key.armored, join(config, 'keys/company.asc'));
    rendered = await renderConfig(config, 'company', {
      name: 'mkimage-e2e/result-cache',
      distro: 'debian',
      suite: 'bookworm',
      backend: 'mmdebstrap',
      variant: 'minbase',
      mirror: mirrors.mirror,
      securityMirror: mirrors.securityMirror,
      repositories: [{ name: REPO_NAME, url: repo.url, suites: [repo.suite], components: [repo.component], key: 'keys/company.asc', packages: [repo.package.name] }],
      output: { compression: 'zstd', import: 'none' },
    });
    await run('first build');
    if (runs[0]!.code !== 0) return;
    // The repository publishes 1.1-1, a little later.
    dates.push(new Date(dates[0]!.getTime() + 60_000));
    repo.publish('1.1-1', dates[1]);
    await run('rebuild after the repository moved');
    if (runs[1]!.code !== 0) return;
    await run('same inputs again');
  }, 900_000);

  afterAll(async () => {
    await stopScripts();
    await repo?.stop();
    if (root) expect(removeTree(root), 'mounts left behind').toEqual([]);
    console.log(`e2e result-cache: ${seconds.join(', ')}`);
  });

  const succeeded = (i: number) => {
    const result = runs[i];
    if (!result) throw new Error(`run ${i + 1} did not happen`);
    expect(result.code, describeRun(result)).toBe(0);
    return result;
  };
  const releaseUrl = () => `${repo!.url}/dists/${repo!.suite}/InRelease`;

  it("the first build's records name the repository, its Release file and its mirror; SOURCE_DATE_EPOCH is that file's Date, the newest", () => {
    succeeded(0);
    const { record } = records[0]!;
    expect(record.repositories).toEqual([{ name: REPO_NAME, url: repo!.url }]);
    expect(record.mirrors).toContain(repo!.url);
    const file = record.releaseFiles.find((f) => f.url === releaseUrl());
    expect(file, JSON.stringify(record.releaseFiles)).toBeDefined();
    expect(Date.parse(file!.date)).toBe(dates[0]!.getTime());
    expect(record.sourceDateEpoch).toBe(dates[0]!.getTime() / 1000);
    // The distro's too, each checked and read.
    expect(record.releaseFiles.map((f) => f.url)).toContain(`${mirrors.mirror}/dists/bookworm/InRelease`);
    const vars = readFileSync(join(rendered.dir, 'build-vars.hcl'), 'utf8');
    expect(vars).toContain(`mkimage_company_date = "${dates[0]!.toISOString().slice(0, 10).replaceAll('-', '')}"`);
  });

  it("names the repository's package as the repository's, never as Debian's", () => {
    succeeded(0);
    expect(records[0]!.manifest).toMatch(new RegExp(`^${repo!.package.name}\\t1\\.0-1\\tall\\t`, 'm'));
    const component = records[0]!.cdx.components.find((c) => c.name === repo!.package.name)!;
    expect(component.purl).toBe(`pkg:deb/${REPO_NAME}/${repo!.package.name}@1.0-1?arch=all&repository_url=${encodeURIComponent(repo!.url).replaceAll('%3A', ':')}`);
    const debian = records[0]!.cdx.components.find((c) => c.name === 'dpkg')!;
    expect(debian.purl).toMatch(/^pkg:deb\/debian\/dpkg@[^?]+\?arch=amd64&distro=debian-12$/);
  });

  it("after the repository publishes a new version, the next run names the changed Release file, builds, and has the new version", () => {
    const second = succeeded(1);
    expect(second.stderr).toContain(`the kept build of amd64 came from other inputs (changed: release ${releaseUrl()}): building it`);
    expect(second.started.some((title) => title.startsWith('mmdebstrap'))).toBe(true);
    const { record, manifest } = records[1]!;
    expect(manifest).toMatch(new RegExp(`^${repo!.package.name}\\t1\\.1-1\\tall\\t`, 'm'));
    const file = record.releaseFiles.find((f) => f.url === releaseUrl())!;
    expect(Date.parse(file.date)).toBe(dates[1]!.getTime());
    expect(file.sha256).not.toBe(records[0]!.record.releaseFiles.find((f) => f.url === releaseUrl())!.sha256);
    expect(record.sourceDateEpoch).toBe(dates[1]!.getTime() / 1000);
  });

  it('with nothing changed, the third run publishes the kept build without building', () => {
    const third = succeeded(2);
    expect(third.stderr).toContain('mkimage: amd64: published the build kept in');
    expect(third.started.filter((title) => title.startsWith('mmdebstrap'))).toEqual([]);
    expect(records[2]!.manifest).toBe(records[1]!.manifest);
    expect(JSON.stringify(records[2]!.record)).toBe(JSON.stringify(records[1]!.record));
  });
});
