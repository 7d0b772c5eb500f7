// Reading an apt source as apt does, from archives made and signed here and served on
// 127.0.0.1: the signature checked with the host's gpgv against the given keyring,
// indices checked against the Release file's SHA256 (by hash where offered), .xz and
// .gz read, and every failure an error that names the source.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveError } from '../src/archive/errors.js';
import { newestSnapshot, timestampOf } from '../src/archive/snapshot.js';
import { readSource, type SourceSpec } from '../src/archive/source.js';
import { verifier, type Keyring } from '../src/archive/verify.js';
import { makeSigningKey, type SigningKey } from './e2e/support/apt-repo.js';
import { makeTempRoot } from './e2e/support/host.js';
import { serveArchive, stanza, writeSuite, type ArchiveServer } from './helpers/archive-server.js';

let root: string;
let key: SigningKey;
let other: SigningKey;
let server: ArchiveServer;

const PACKAGES = stanza({ Package: 'hello', Version: '2.10-3', Architecture: 'amd64', Source: 'hello (2.10-3)', Depends: 'libc6 (>= 2.34)' }) +
  stanza({ Package: 'tzdata', Version: '2025b-0+deb12u1', Architecture: 'all', Priority: 'required' });

beforeAll(async () => {
  root = makeTempRoot('archive-fetch');
  key = makeSigningKey(join(root, 'key'));
  other = makeSigningKey(join(root, 'other'), 'other-key', 'someone else <other@mkimage-gen.invalid>');
  writeSuite(join(root, 'www'), key, { tree: 'good', suite: 'bookworm', packages: { main: PACKAGES } });
  writeSuite(join(root, 'www'), key, { tree: 'gz', suite: 'bookworm', packages: { main: PACKAGES }, forms: ['gz'] });
  writeSuite(join(root, 'www'), key, { tree: 'hash', suite: 'bookworm', packages: { main: PACKAGES }, acquireByHash: true });
  writeSuite(join(root, 'www'), key, { tree: 'expired', suite: 'bookworm', packages: { main: PACKAGES }, validUntil: new Date(Date.now() - 86_400_000) });
  const detached = writeSuite(join(root, 'www'), key, { tree: 'detached', suite: 'bookworm', packages: { main: PACKAGES } });
  rmSync(join(detached, 'InRelease'));
  const tampered = writeSuite(join(root, 'www'), key, { tree: 'tampered', suite: 'bookworm', packages: { main: PACKAGES } });
  writeFileSync(join(tampered, 'InRelease'), readFileSync(join(tampered, 'InRelease'), 'utf8').replace('Suite: bookworm', 'Suite: bookwork'));
  const corrupt = writeSuite(join(root, 'www'), key, { tree: 'corrupt', suite: 'bookworm', packages: { main: PACKAGES } });
  for (const f of ['Packages.xz', 'Packages.gz']) writeFileSync(join(corrupt, 'main/binary-amd64', f), 'not what was signed');
  for (const t of ['20250101T000000Z', '20250301T060000Z']) writeSuite(join(root, 'www'), key, { tree: `archive/debian/${t}`, suite: 'bookworm', packages: { main: PACKAGES } });
  server = await serveArchive(join(root, 'www'), ['archive/debian'], ['good']);
});

afterAll(async () => {
  await server?.stop();
  key?.close();
  other?.close();
  rmSync(root, { recursive: true, force: true });
});

const spec = (tree: string, extra: Partial<SourceSpec> = {}): SourceSpec => ({
  uri: `${server.url}/${tree}`,
  suite: 'bookworm',
  components: ['main'],
  arch: 'amd64',
  label: 'bookworm',
  security: false,
  ignoreValidUntil: false,
  ...extra,
});

async function read(tree: string, keyring: Keyring[] = [{ path: key.binary }], extra: Partial<SourceSpec> = {}, only?: 'gpgv' | 'sqv') {
  const verify = await verifier(keyring, only);
  try {
    return await readSource(spec(tree, extra), verify);
  } finally {
    await verify.close();
  }
}

const fails = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ArchiveError);
  return (error as Error).message;
};

describe('reading a source', () => {
  it('checks the InRelease signature, then reads the index the Release file lists', async () => {
    const source = await read('good');
    expect(source.releaseUrl).toBe(`${server.url}/good/dists/bookworm/InRelease`);
    expect(source.release.suite).toBe('bookworm');
    expect(source.indices[0]!.packages.map((p) => `${p.name} ${p.version} ${p.source} ${p.sourceVersion}`)).toEqual([
      'hello 2.10-3 hello 2.10-3',
      'tzdata 2025b-0+deb12u1 tzdata 2025b-0+deb12u1',
    ]);
    expect(source.indices[0]!.packages[0]!.depends).toEqual([[{ name: 'libc6', relation: '>=', version: '2.34' }]]);
  });

  it('takes the key as the config gives it (armored) as well as a keyring file', async () => {
    const source = await read('good', [{ name: 'company', bytes: readFileSync(key.armored) }]);
    expect(source.indices[0]!.packages).toHaveLength(2);
  });

  it('reads gzip where no xz is offered, Release with Release.gpg where there is no InRelease, and indices by hash', async () => {
    expect((await read('gz')).indices[0]!.packages).toHaveLength(2);
    expect((await read('detached')).releaseUrl).toBe(`${server.url}/detached/dists/bookworm/Release`);
    // By hash, the index that matches the Release file is read even when the plain path has moved on.
    const dir = join(root, 'www/hash/dists/bookworm/main/binary-amd64');
    for (const f of ['Packages.xz', 'Packages.gz']) writeFileSync(join(dir, f), 'a newer index than the Release file');
    expect((await read('hash')).indices[0]!.packages).toHaveLength(2);
  });

  it('refuses a Release file changed after signing, or signed by another key, naming it', async () => {
    expect(await fails(read('tampered'))).toMatch(new RegExp(`^bad signature on ${server.url}/tampered/dists/bookworm/InRelease: .*BADSIG`));
    expect(await fails(read('good', [{ path: other.binary }]))).toMatch(/^bad signature on .*\/good\/dists\/bookworm\/InRelease: not signed by a trusted key/);
  });

  it('refuses an index whose checksum is not the one the Release file lists, naming it', async () => {
    expect(await fails(read('corrupt'))).toMatch(new RegExp(`^corrupt index ${server.url}/corrupt/dists/bookworm/main/binary-amd64/Packages\\.(xz|gz): .* but the Release file lists`));
  });

  it('names a mirror that does not answer, a suite it does not have, and an expired Release file', async () => {
    expect(await fails(read('good', undefined, { uri: 'http://127.0.0.1:1/debian' }))).toBe(
      'cannot reach http://127.0.0.1:1/debian/dists/bookworm/InRelease: connection refused',
    );
    expect(await fails(read('good', undefined, { suite: 'trixie' }))).toBe(`no Release file at ${server.url}/good/dists/trixie/: is trixie a suite of ${server.url}/good?`);
    expect(await fails(read('expired'))).toMatch(/\/expired\/dists\/bookworm\/InRelease expired on .* \(Valid-Until\)/);
    expect((await read('expired', undefined, { ignoreValidUntil: true })).indices).toHaveLength(1);
  });

  it('checks with sqv where gpgv is missing (Release and Release.gpg: sqv reads detached signatures)', async () => {
    const source = await read('good', [{ path: key.binary }, { name: 'company', bytes: readFileSync(other.armored) }], {}, 'sqv');
    expect(source.releaseUrl).toBe(`${server.url}/good/dists/bookworm/Release`);
    expect(source.indices[0]!.packages).toHaveLength(2);
    expect(await fails(read('good', [{ path: other.binary }], {}, 'sqv'))).toMatch(/^bad signature on .*\/good\/dists\/bookworm\/Release: sqv: /);
    const release = join(root, 'www/tampered/dists/bookworm/Release');
    writeFileSync(release, readFileSync(release, 'utf8').replace('Suite: bookworm', 'Suite: bookwork'));
    expect(await fails(read('tampered', undefined, {}, 'sqv'))).toMatch(/^bad signature on .*\/tampered\/dists\/bookworm\/Release: sqv: /);
  });

  it('names a keyring that is missing, and the package that installs it', async () => {
    expect(await fails(verifier([{ path: join(root, 'nowhere.gpg'), pkg: 'debian-archive-keyring' }]))).toBe(
      `the keyring ${join(root, 'nowhere.gpg')} is missing: install the debian-archive-keyring package`,
    );
  });
});

describe('the newest snapshot', () => {
  it('follows the redirect a moment between snapshots gets to the snapshot before it', async () => {
    expect(await newestSnapshot(`${server.url}/archive/debian`, new Date('2025-02-01T00:00:00Z'))).toBe('20250101T000000Z');
    expect(await newestSnapshot(`${server.url}/archive/debian`, new Date())).toBe('20250301T060000Z');
  });

  it('takes the moment asked for where the service serves any moment itself', async () => {
    const now = new Date('2026-01-02T03:04:05Z');
    expect(timestampOf(now)).toBe('20260102T030405Z');
    expect(await newestSnapshot(`${server.url}/good`, now)).toBe('20260102T030405Z');
  });
});
