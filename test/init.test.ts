// init starts a project: a neutral image by default (no locales, UTC), the mirrors in the
// project file's defaults where one edit changes every config, any preset one flag away
// with every file it names, and nothing written anywhere but new paths inside the project.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeNewFiles } from '../src/io/new-files.js';
import { OutputError } from '../src/io/output-error.js';
import { cli } from './helpers/cli.js';
import { hashTree } from './helpers/hash-tree.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mkimage-gen-init-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const read = (path: string) => readFileSync(join(dir, path), 'utf8');
const script = (id: string) => read(`images/${id}/mkimage.sh`);

function generate(): void {
  const r = cli(['generate', '-q'], dir);
  expect(r.status, r.stderr).toBe(0);
}

describe('init', () => {
  it('starts from a neutral image: no locales, UTC, the mirrors in the project file only', () => {
    const r = cli(['init'], dir);
    expect(r.status, r.stderr).toBe(0);
    const config = parse(read('configs/debian-trixie.yaml'));
    expect(config).toEqual({ name: 'local/debian', distro: 'debian', suite: 'trixie' });
    const project = parse(read('mkimage-gen.yaml'));
    expect(project.defaults).toEqual({ debian: { mirror: expect.stringMatching(/^http:\/\//), securityMirror: expect.stringMatching(/^http:\/\//) } });
    generate();
    expect(script('debian-trixie')).toMatch(/^readonly TIMEZONE=''$/m);
    expect(script('debian-trixie')).toMatch(/^readonly -a LOCALES=\(\)$/m);
    expect(script('debian-trixie')).toMatch(/^readonly DEFAULT_LOCALE=''$/m);
  });

  it("a company mirror set in the project file's defaults is the mirror of every Debian config, and not of an Ubuntu one", () => {
    expect(cli(['init'], dir).status).toBe(0);
    writeFileSync(join(dir, 'configs/noble.yaml'), cli(['presets', '--show', 'ubuntu-noble-ja']).stdout);
    const project = join(dir, 'mkimage-gen.yaml');
    const text = readFileSync(project, 'utf8');
    const { mirror, securityMirror } = parse(text).defaults.debian;
    writeFileSync(project, text.replace(mirror, 'http://mirror.company.example/debian').replace(securityMirror, 'http://mirror.company.example/debian-security'));
    generate();
    const trixie = script('debian-trixie');
    expect(trixie).toMatch(/^readonly -A MIRRORS=\(\[amd64\]=http:\/\/mirror\.company\.example\/debian\)$/m);
    expect(trixie).toContain('http://mirror.company.example/debian-security/dists/trixie-security');
    expect(script('noble')).not.toContain('mirror.company.example');
    // defaults.ubuntu is the Ubuntu configs' mirror where they name none.
    writeFileSync(project, `${readFileSync(project, 'utf8')}  ubuntu:\n    mirror: http://mirror.company.example/ubuntu\n`);
    writeFileSync(join(dir, 'configs/noble.yaml'), read('configs/noble.yaml').replace(/^mirror: .*\n/m, ''));
    generate();
    expect(script('noble')).toMatch(/^readonly -A MIRRORS=\(\[amd64\]=http:\/\/mirror\.company\.example\/ubuntu\)$/m);
  });

  it('the ja image is one flag away, or one argument', () => {
    expect(cli(['init', '--preset', 'debian-bookworm-ja'], dir).status).toBe(0);
    const config = parse(read('configs/debian-bookworm-ja.yaml'));
    expect(config).toMatchObject({ suite: 'bookworm', timezone: 'Asia/Tokyo', locales: { generate: ['ja_JP.UTF-8', 'ja_JP.EUC-JP'], default: 'ja_JP.UTF-8' } });
    expect(config.mirror).toBeUndefined();
    const other = mkdtempSync(join(tmpdir(), 'mkimage-gen-init-'));
    try {
      expect(cli(['init', 'debian-bookworm-ja'], other).status).toBe(0);
      for (const file of ['mkimage-gen.yaml', 'configs/debian-bookworm-ja.yaml']) expect(readFileSync(join(other, file), 'utf8')).toBe(read(file));
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
    const both = cli(['init', 'debian-trixie', '--preset', 'debian-bookworm-ja', '--dir', 'x'], dir);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('name one preset');
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('copies every file a preset names, so the first generate works', () => {
    const r = cli(['init', 'debian-trixie-company'], dir);
    expect(r.status, r.stderr).toBe(0);
    for (const file of ['apt-key.asc', 'root-ca.pem', 'motd', 'harden.sh', 'record-packages.sh', 'app/index.html']) {
      expect(r.stdout).toContain(`wrote  configs/company/${file}\n`);
      expect(readFileSync(join(dir, 'configs/company', file))).toEqual(readFileSync(join(import.meta.dirname, '../src/presets/files/company', file)));
    }
    generate();
    expect(cli(['check'], dir).status).toBe(0);
  });
});

describe('init writes all or nothing, inside the project, never through a link', () => {
  it('a configs symlink to a folder outside the project: exit 2, nothing written there or here', () => {
    const outside = mkdtempSync(join(tmpdir(), 'mkimage-gen-outside-'));
    try {
      symlinkSync(outside, join(dir, 'configs'));
      const r = cli(['init'], dir);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('configs is a symbolic link: init writes only inside the project, never through a link');
      expect(readdirSync(outside)).toEqual([]);
      expect(readdirSync(dir)).toEqual(['configs']);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('a dangling symlink where init writes: exit 2 with a message, no trace, nothing written', () => {
    symlinkSync(join(dir, 'nowhere'), join(dir, 'mkimage-gen.yaml'));
    const r = cli(['init'], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'mkimage-gen: bad input in init:\n  - mkimage-gen.yaml is a symbolic link: init writes only inside the project, never through a link; remove it or choose another --dir\n',
    );
    expect(readdirSync(dir)).toEqual(['mkimage-gen.yaml']);
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
  });

  it('a FIFO or a file in the way: exit 2 at once, nothing written', () => {
    mkdirSync(join(dir, 'configs'));
    execFileSync('mkfifo', [join(dir, 'configs/debian-trixie.yaml')]);
    const before = hashTree(dir);
    const fifo = cli(['init'], dir);
    expect(fifo.status).toBe(2);
    expect(fifo.stderr).toContain('configs/debian-trixie.yaml exists already (a FIFO)');
    expect(hashTree(dir)).toEqual(before);
    rmSync(join(dir, 'configs'), { recursive: true });
    writeFileSync(join(dir, 'configs'), 'a file\n');
    const file = cli(['init'], dir);
    expect(file.status).toBe(2);
    expect(file.stderr).toContain('configs is a file, not a folder');
    expect(readdirSync(dir)).toEqual(['configs']);
  });

  it('a write that fails part way takes back every file and folder it made', () => {
    const files = [
      { path: 'one.yaml', content: 'one\n' },
      { path: 'a/b', content: 'a file where the next one needs a folder\n' },
      { path: 'a/b/c.yaml', content: 'never written\n' },
    ];
    expect(() => writeNewFiles(join(dir, 'new/project'), 'new/project', files)).toThrow(OutputError);
    expect(readdirSync(dir)).toEqual([]);
  });
});
