// The infra-repo loop, as a user runs it: init, generate, commit, check in CI. The
// outputs must not depend on how the command was called, a run over some configs must
// leave the others alone, and a bad command line must touch nothing.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { hashTree } from './helpers/hash-tree.js';
import { ROOT } from './helpers/presets.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mkimage-gen-project-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const git = (args: string[], cwd = dir) => {
  const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};

/** A project from init, with a second config from another preset. */
function initProject(): void {
  expect(cli(['init'], dir).status).toBe(0);
  const noble = cli(['presets', '--show', 'ubuntu-noble-ja']);
  expect(noble.status, noble.stderr).toBe(0);
  writeFileSync(join(dir, 'configs/noble.yaml'), noble.stdout);
}

describe('a project in a git repo', () => {
  beforeEach(() => {
    git(['init', '-q']);
    initProject();
  });

  it('init, generate, commit: check passes however it is called', () => {
    const gen = cli(['generate'], dir);
    expect(gen.status, gen.stderr).toBe(0);
    expect(gen.stdout).toContain('images/noble/mkimage.sh');
    git(['add', '-A']);
    git(['commit', '-q', '-m', 'images']);
    mkdirSync(join(dir, 'sub/deeper'), { recursive: true });
    const calls: [string[], string][] = [
      [['check'], dir],
      [['check', 'configs/noble.yaml', 'configs/debian-trixie.yaml'], dir],
      [['check', 'configs/debian-trixie.yaml', 'configs/noble.yaml'], dir],
      [['check', join(dir, 'configs/noble.yaml'), join(dir, 'configs/debian-trixie.yaml')], dir],
      [['check'], join(dir, 'sub/deeper')],
      [['check', '../../configs/noble.yaml'], join(dir, 'sub/deeper')],
      [['generate', '--quiet', 'configs/noble.yaml'], dir],
      [['generate', '--quiet'], join(dir, 'sub')],
    ];
    for (const [args, cwd] of calls) {
      const r = cli(args, cwd);
      expect(r.status, `${args.join(' ')} in ${cwd}: ${r.stderr}`).toBe(0);
    }
    // No call above changed a byte of what was committed.
    expect(git(['status', '--porcelain'])).toBe('');
  });

  it('a changed config or a hand-edited output: check exits 1, and --diff shows the change', () => {
    expect(cli(['generate', '-q'], dir).status).toBe(0);
    const config = join(dir, 'configs/noble.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('timezone: Asia/Tokyo', 'timezone: Europe/Berlin'));
    const r = cli(['check', '--diff'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/stale +images\/noble\/mkimage\.sh/);
    expect(r.stdout).toContain('--- a/noble/mkimage.sh');
    expect(r.stdout).toMatch(/^-readonly TIMEZONE=Asia\/Tokyo$/m);
    expect(r.stdout).toMatch(/^\+readonly TIMEZONE=Europe\/Berlin$/m);

    expect(cli(['generate', '-q'], dir).status).toBe(0);
    const script = join(dir, 'images/noble/mkimage.sh');
    writeFileSync(script, readFileSync(script, 'utf8').replace('set -Eeuo pipefail', 'set -e'));
    const edited = cli(['check', '--diff'], dir);
    expect(edited.status).toBe(1);
    expect(edited.stdout).toMatch(/^-set -e$/m);
    expect(edited.stdout).toMatch(/^\+set -Eeuo pipefail$/m);
    const asJson = cli(['check', '--json'], dir);
    expect(asJson.status).toBe(1);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ upToDate: false, stale: ['noble/mkimage.sh'], missing: [], orphaned: [] });
  });

  it('shared settings in the project file sit under every config; a config\'s own value wins', () => {
    const project = join(dir, 'mkimage-gen.yaml');
    writeFileSync(project, readFileSync(project, 'utf8').replace('defaults:\n', 'defaults:\n  proxy: http://proxy.example:3128\n  timezone: Europe/Berlin\n'));
    expect(cli(['generate', '-q'], dir).status).toBe(0);
    const noble = readFileSync(join(dir, 'images/noble/mkimage.sh'), 'utf8');
    expect(noble).toMatch(/^readonly TIMEZONE=Asia\/Tokyo$/m);
    expect(noble).toMatch(/^readonly PROXY=http:\/\/proxy.example:3128$/m);
    const trixie = readFileSync(join(dir, 'images/debian-trixie/mkimage.sh'), 'utf8');
    expect(trixie).toMatch(/^readonly TIMEZONE=Europe\/Berlin$/m);
    expect(trixie).toMatch(/^readonly PROXY=http:\/\/proxy.example:3128$/m);
  });

  it('generating one config leaves the others\' outputs; dropping a config removes its outputs on the next full run', () => {
    expect(cli(['generate', '-q'], dir).status).toBe(0);
    const before = hashTree(join(dir, 'images'));
    const config = join(dir, 'configs/noble.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('timezone: Asia/Tokyo', 'timezone: Europe/Berlin'));
    expect(cli(['generate', '-q', 'configs/noble.yaml'], dir).status).toBe(0);
    const after = hashTree(join(dir, 'images'));
    for (const [path, hash] of Object.entries(before)) {
      if (!path.startsWith('noble/')) expect(after[path], path).toBe(hash);
    }
    expect(after['noble/mkimage.sh']).not.toBe(before['noble/mkimage.sh']);

    rmSync(config);
    const check = cli(['check'], dir);
    expect(check.status).toBe(1);
    expect(check.stderr).toMatch(/orphaned +images\/noble\/mkimage\.sh/);
    expect(cli(['generate', '-q'], dir).status).toBe(0);
    expect(existsSync(join(dir, 'images/noble'))).toBe(false);
    expect(existsSync(join(dir, 'images/debian-trixie/mkimage.sh'))).toBe(true);
  });

  it('a config the project does not list is refused, and nothing is written', () => {
    writeFileSync(join(dir, 'stray.yaml'), readFileSync(join(dir, 'configs/noble.yaml')));
    const r = cli(['generate', 'stray.yaml'], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('is not one of the configs mkimage-gen.yaml lists');
    expect(existsSync(join(dir, 'images'))).toBe(false);
  });

  it('init refuses to overwrite', () => {
    const before = hashTree(dir);
    const r = cli(['init'], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('exists already');
    expect(hashTree(dir)).toEqual(before);
  });
});

describe('config files without a project file', () => {
  beforeEach(() => {
    mkdirSync(join(dir, 'site'));
    for (const [file, preset] of [
      ['trixie.yaml', 'debian-trixie-ja'],
      ['noble.yaml', 'ubuntu-noble-ja'],
    ]) {
      writeFileSync(join(dir, 'site', file!), cli(['presets', '--show', preset!]).stdout);
    }
  });

  it('give the same bytes whatever the order, spelling or working directory', () => {
    expect(cli(['generate', '-q', 'site/trixie.yaml', 'site/noble.yaml', '--out', 'images'], dir).status).toBe(0);
    const first = hashTree(join(dir, 'images'));
    const header = readFileSync(join(dir, 'images/noble/mkimage.sh'), 'utf8').split('\n').slice(1, 3).join('\n');
    expect(header).toBe(
      '# Code generated by mkimage-gen from config site/noble.yaml. DO NOT EDIT.\n# Regenerate with: mkimage-gen generate site/noble.yaml --out images',
    );
    for (const [args, cwd] of [
      [['check', 'site/noble.yaml', 'site/trixie.yaml', '--out', 'images'], dir],
      [['check', join(dir, 'site/trixie.yaml'), join(dir, 'site/noble.yaml'), '--out', join(dir, 'images')], dir],
      [['check', 'trixie.yaml', 'noble.yaml', '--out', '../images'], join(dir, 'site')],
    ] as const) {
      const r = cli([...args], cwd);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    expect(cli(['generate', '-q', 'noble.yaml', 'trixie.yaml', '--out', '../images'], join(dir, 'site')).status).toBe(0);
    expect(hashTree(join(dir, 'images'))).toEqual(first);
  });

  it('generating one config removes none of the others\' files', () => {
    expect(cli(['generate', '-q', 'site/trixie.yaml', 'site/noble.yaml', '--out', 'images'], dir).status).toBe(0);
    const before = hashTree(join(dir, 'images'));
    expect(cli(['generate', '-q', 'site/noble.yaml', '--out', 'images'], dir).status).toBe(0);
    const after = hashTree(join(dir, 'images'));
    for (const path of Object.keys(before).filter((p) => p.startsWith('trixie/'))) expect(after[path], path).toBe(before[path]);
  });
});

describe('nothing happens before the whole command line is valid', () => {
  const commands: string[][] = [
    ['generate'],
    ['generate', 'site.yaml', '--out', 'out'],
    ['check'],
    ['explain', 'debian-bookworm-ja'],
    ['presets'],
    ['releases'],
    ['init'],
    ['schema'],
  ];

  it.each(commands.map((c) => [c.join(' '), c] as const))('%s with an unknown flag exits 2 and changes nothing', (_name, args) => {
    writeFileSync(join(dir, 'site.yaml'), cli(['presets', '--show', 'debian-bookworm-ja']).stdout);
    mkdirSync(join(dir, 'generated/old'), { recursive: true });
    writeFileSync(join(dir, 'generated/old/mkimage.sh'), '#!/bin/sh\n# Code generated by mkimage-gen from preset old. DO NOT EDIT.\n');
    const before = hashTree(dir);
    const r = cli([...args, '--bogus'], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Unknown argument: bogus');
    expect(hashTree(dir)).toEqual(before);
  });

  it('a typo\'d option name is refused the same way', () => {
    const before = hashTree(dir);
    const r = cli(['generate', '--ouut', 'images'], dir);
    expect(r.status).toBe(2);
    expect(hashTree(dir)).toEqual(before);
  });

  it('--version prints the version once and exits 0', () => {
    const r = cli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}\n`);
  });

  it('--help names the exit codes', () => {
    expect(cli(['--help']).stdout).toMatch(/Exit codes: 0 ok; 1 check found drift.*2 bad input/s);
  });
});

describe('output to a closed pipe', () => {
  it('explain | head -1, 50 times: exit 0, never a trace', { timeout: 300_000 }, () => {
    const once = `set -o pipefail; node ${JSON.stringify(`${ROOT}/dist/cli/main.js`)} explain debian-trixie-ja | head -1 > /dev/null`;
    const script = `seq 50 | xargs -P 4 -I{} bash -c ${JSON.stringify(once)}`;
    const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('JSON for CI tooling', () => {
  it('explain, presets and releases print JSON', () => {
    const explain = JSON.parse(cli(['explain', 'debian-trixie-ja-slim', '--json']).stdout);
    expect(explain).toMatchObject({ id: 'debian-trixie-ja-slim', image: 'local/debian-ja-slim:trixie', backend: 'mmdebstrap' });
    expect(explain.steps.map((s: { function: string }) => s.function)).toContain('slim');
    expect(explain.commands.some((c: string) => c.startsWith('+ env'))).toBe(true);
    // The root ledger, in run order: the mmdebstrap call before the hook's chroot commands.
    const kinds = explain.ledger.map((e: { kind: string }) => e.kind);
    expect(kinds).toContain('chroot');
    expect(explain.ledger.findIndex((e: { what: string }) => e.what.includes(' mmdebstrap '))).toBeLessThan(kinds.indexOf('chroot'));
    expect(explain.configSha256).toMatch(/^[0-9a-f]{64}$/);
    const presets = JSON.parse(cli(['presets', '--json']).stdout);
    expect(presets.map((p: { id: string }) => p.id)).toContain('debian-bookworm-ja');
    const releases = JSON.parse(cli(['releases', '--json']).stdout);
    expect(releases).toContainEqual(expect.objectContaining({ distro: 'debian', codename: 'wheezy', securitySuite: 'wheezy/updates' }));
  });

  it('an unknown suite says what kind of release is missing', () => {
    writeFileSync(join(dir, 'oracular.yaml'), cli(['presets', '--show', 'ubuntu-noble-ja']).stdout.replace('suite: noble', 'suite: oracular'));
    const r = cli(['generate', 'oracular.yaml', '--out', 'out'], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('LTS releases only (interim releases are not in the table)');
    expect(r.stderr).toContain('mkimage-gen releases');
  });
});
