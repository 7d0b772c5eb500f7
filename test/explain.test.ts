// explain says what a config builds: the text for people, the JSON with the same facts
// for CI tooling, SOURCE_DATE_EPOCH as the script decides it, and the runtime's sha256,
// compared with another script's on request.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cli } from './helpers/cli.js';
import { DEBIAN } from './helpers/settings.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mkimage-gen-explain-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const explainJson = (args: string[], cwd?: string) => {
  const r = cli(['explain', ...args, '--json'], cwd);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

/** A config beside `dir`, and the script generate writes for it. */
function config(name: string, settings: object): { file: string; script: () => string } {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify(settings));
  return {
    file,
    script: () => {
      const r = cli(['generate', file, '--out', join(dir, 'out'), '-q'], dir);
      expect(r.status, r.stderr).toBe(0);
      return readFileSync(join(dir, 'out', name, 'mkimage.sh'), 'utf8');
    },
  };
}

describe('explain: SOURCE_DATE_EPOCH as the script decides it', () => {
  it("a snapshot config: the snapshot's moment, the EPOCH its script pins", () => {
    const c = config('snap', { ...DEBIAN, snapshot: '20250101T000000Z' });
    const text = cli(['explain', c.file], dir).stdout;
    expect(text).toContain("SOURCE_DATE_EPOCH 1735689600, the snapshot's moment 20250101T000000Z");
    expect(text).not.toContain('newest Release date');
    const json = explainJson([c.file], dir);
    expect(json).toMatchObject({ sourceDateEpoch: 1735689600, sourceDateEpochFrom: 'snapshot', snapshot: '20250101T000000Z' });
    expect(c.script()).toMatch(/^readonly EPOCH=1735689600$/m);
  });

  it('a fixed sourceDateEpoch, and the default: the newest Release date, which the build finds', () => {
    const fixed = config('fixed', { ...DEBIAN, sourceDateEpoch: 1700000000 });
    expect(explainJson([fixed.file], dir)).toMatchObject({ sourceDateEpoch: 1700000000, sourceDateEpochFrom: 'sourceDateEpoch' });
    expect(cli(['explain', fixed.file], dir).stdout).toContain('reproducible: yes (SOURCE_DATE_EPOCH 1700000000)');
    const plain = config('plain', DEBIAN);
    expect(explainJson([plain.file], dir)).toMatchObject({ sourceDateEpoch: null, sourceDateEpochFrom: 'release-files' });
    expect(plain.script()).toMatch(/^readonly EPOCH=''$/m);
  });
});

describe('explain --json holds every fact the text prints', () => {
  it('the company preset: repositories with fingerprints, pins, files, users, hooks, derived images, bake group', () => {
    const text = cli(['explain', 'debian-trixie-company']).stdout;
    const facts = text.slice(0, text.indexOf('Root ledger:'));
    const json = explainJson(['debian-trixie-company']);
    // Every fingerprint, sha256, absolute path and image reference of the text is in the JSON,
    // without the ledger, the command list and the file list (which repeat some of them).
    const { ledger: _l, commands: _c, files: _f, ...rest } = json;
    const flat = JSON.stringify(rest);
    const tokens = facts.match(/\b[0-9A-F]{40}\b|\b[0-9a-f]{64}\b|(?<=[\s(])\/[\w./+-]+|\b[\w.-]+\/[\w.-]+:[\w.<>-]+(?: [\w<>]+)*/g) ?? [];
    expect(tokens.length).toBeGreaterThan(15);
    for (const token of tokens) expect(flat, token).toContain(token.replace(/[.,]$/, ''));
    expect(json.repositories).toEqual([
      expect.objectContaining({
        name: 'company',
        url: 'https://apt.example.com/debian',
        key: expect.objectContaining({ source: 'company/apt-key.asc', path: '/etc/apt/keyrings/company.asc' }),
        fingerprints: ['00E6D8CE87E5E7F83552CCC0B0169CFF97331885'],
        pinned: true,
        priority: 600,
      }),
    ]);
    expect(json.aptPreferences.content).toContain('Pin: release n=trixie-backports');
    expect(json.imageFiles.map((f: { kind: string; path: string }) => `${f.kind} ${f.path}`)).toEqual([
      'ca-certificate /usr/local/share/ca-certificates/root-ca.crt',
      'file /etc/motd',
    ]);
    expect(json.users).toEqual([expect.objectContaining({ name: 'app', uid: 10001, home: '/srv/app', shell: '/usr/sbin/nologin' })]);
    expect(json.groups).toEqual([{ name: 'app', gid: 10001 }]);
    expect(json.hooks.map((h: { stage: string; script: string; on: string }) => `${h.stage} ${h.script} ${h.on}`)).toEqual([
      'after-packages company/harden.sh rootfs',
      'before-pack company/record-packages.sh host',
    ]);
    expect(json.derived).toEqual([
      expect.objectContaining({
        name: 'local/company-app',
        bakeTarget: 'debian-trixie-company-company-app',
        tags: ['local/company-app:trixie', 'local/company-app:python3'],
        user: 'app',
        cmd: ['python3', '-m', 'http.server', '8080'],
      }),
    ]);
    expect(json.bake).toEqual({ group: 'debian-trixie-company', targets: ['debian-trixie-company-base', 'debian-trixie-company-company-app'] });
    expect(json.buildTags.map((t: { fact: string }) => t.fact)).toEqual(['version', 'major', 'date']);
    expect(text).toContain('fingerprint 00E6D8CE87E5E7F83552CCC0B0169CFF97331885 (pinned)');
  });
});

describe('the runtime: its sha256 in the header, and explain --compare', () => {
  it("names the runtime's parts with the sha256 of their text, which the header's sed command reproduces", () => {
    const script = config('a', DEBIAN).script();
    const claims = [...script.matchAll(/^# {3}([a-z-]+) sha256:([0-9a-f]{64})$/gm)].map((m) => [m[1]!, m[2]!] as const);
    expect(claims.map(([name]) => name)).toEqual(['runtime', 'runtime-buildkit']);
    const json = explainJson([join(dir, 'a.yaml')], dir);
    expect(json.runtime).toEqual(claims.map(([name, sha256]) => ({ name, sha256 })));
    // A reviewer needs nothing of ours to check it: the lines between the markers, hashed.
    writeFileSync(join(dir, 'copy.sh'), script);
    for (const [name, sha256] of claims) {
      const sed = `sed -n '/^# ---- ${name}: /,/^# ---- end of ${name} ----$/p' copy.sh | sha256sum`;
      const out = spawnSync('bash', ['-c', sed], { cwd: dir, encoding: 'utf8' });
      expect(out.stdout.split(' ')[0]).toBe(sha256);
    }
  });

  it('two configs share it: --compare says the same, for a preset, a config and a generated script', () => {
    const a = config('a', DEBIAN);
    const b = config('b', { ...DEBIAN, suite: 'trixie', backend: 'mmdebstrap', locales: { generate: ['ja_JP.UTF-8'] } });
    b.script();
    for (const other of ['ubuntu-noble-ja', b.file, join(dir, 'out/b/mkimage.sh')]) {
      const json = explainJson([a.file, '--compare', other], dir);
      expect(json.compare, other).toMatchObject({ with: other, same: true });
      expect(cli(['explain', a.file, '--compare', other], dir).stdout).toContain(`Compared with ${other}: the same runtime`);
    }
  });

  it('--compare finds a script whose runtime was edited, or that another mkimage-gen wrote', () => {
    const a = config('a', DEBIAN);
    const script = a.script();
    const sha = /^# {3}runtime sha256:([0-9a-f]{64})$/m.exec(script)![1]!;
    // Edited: the header still claims the approved sha256; the text no longer hashes to it.
    writeFileSync(join(dir, 'edited.sh'), script.replace(/^DRY_RUN=0$/m, 'DRY_RUN=1'));
    const edited = explainJson([a.file, '--compare', 'edited.sh'], dir).compare;
    expect(edited.same).toBe(false);
    expect(edited.parts[0]).toMatchObject({ name: 'runtime', claimed: sha, same: false });
    expect(edited.parts[0].actual).not.toBe(sha);
    expect(cli(['explain', a.file, '--compare', 'edited.sh'], dir).stdout).toContain(`runtime: edited there: its header says sha256:${sha}`);
    // Another runtime, honestly declared: it differs.
    const other = script.replace(/^DRY_RUN=0$/m, 'DRY_RUN=1');
    const otherSha = edited.parts[0].actual as string;
    writeFileSync(join(dir, 'other.sh'), other.replace(`runtime sha256:${sha}`, `runtime sha256:${otherSha}`));
    expect(cli(['explain', a.file, '--compare', 'other.sh'], dir).stdout).toContain(`runtime: differs: sha256:${otherSha} there`);
    // A script without a runtime block.
    writeFileSync(join(dir, 'none.sh'), '#!/bin/sh\necho hi\n');
    expect(explainJson([a.file, '--compare', 'none.sh'], dir).compare).toMatchObject({ same: false, parts: [
        { name: 'runtime', actual: null, claimed: null },
        { name: 'runtime-buildkit', actual: null, claimed: null },
      ],
    });
  });

  it('--compare with a folder or a missing file is bad input', () => {
    const a = config('a', DEBIAN);
    expect(cli(['explain', a.file, '--compare', dir], dir)).toMatchObject({ status: 2 });
    expect(cli(['explain', a.file, '--compare', 'missing.sh'], dir)).toMatchObject({ status: 2 });
  });
});
