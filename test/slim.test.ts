import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { render } from '../src/index.js';
import { planSlim } from '../src/plan/slim.js';
import { DEBIAN, settings } from './helpers/settings.js';

const JA = { generate: ['ja_JP.UTF-8', 'ja_JP.EUC-JP'], default: 'ja_JP.UTF-8' };

/** The generated script of a slim config. */
function slimScript(locales: { generate: string[] }): string {
  return render({ ...DEBIAN, backend: 'mmdebstrap', slim: true, locales }).find((f) => f.path === 'mkimage.sh')!.content;
}

/** One shell function of a generated script, as it stands there. */
function shellFunction(script: string, name: string): string {
  const match = new RegExp(`^${name}\\(\\) \\{\\n[\\s\\S]*?\\n\\}\\n`, 'm').exec(script);
  if (!match) throw new Error(`${name} is not in the script`);
  return match[0];
}

/** A step function with the helpers it resolves rootfs paths through. */
const withRootfsPaths = (script: string, name: string) =>
  ['die', 'rootfs_resolve', 'rootfs_dir', 'rootfs_writable', name].map((fn) => shellFunction(script, fn)).join('').replace('die() {', 'log() { printf "%s\\n" "$*" >&2; }\ndie() {');

const temp: string[] = [];
afterAll(() => temp.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/**
 * A rootfs with a few locale sources shaped like glibc's: ja_JP has its own collation and
 * copies the LC_CTYPE of i18n, whose LC_COLLATE copies iso14651_t1 (and that the big table).
 */
function i18nTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'slim-i18n-'));
  temp.push(root);
  const locales = join(root, 'usr/share/i18n/locales');
  const charmaps = join(root, 'usr/share/i18n/charmaps');
  mkdirSync(locales, { recursive: true });
  mkdirSync(charmaps, { recursive: true });
  const sources: Record<string, string> = {
    ja_JP: 'LC_IDENTIFICATION\ncategory "i18n:2012";LC_COLLATE\nEND LC_IDENTIFICATION\nLC_CTYPE\ncopy "i18n"\ntranslit_start\ninclude "translit_combining";""\ntranslit_end\nEND LC_CTYPE\nLC_COLLATE\norder_start forward\n<U0000>\norder_end\nEND LC_COLLATE\nLC_PAPER\ncopy "i18n"\nEND LC_PAPER\n',
    en_US: 'LC_CTYPE\ncopy "i18n"\nEND LC_CTYPE\nLC_COLLATE\ncopy "iso14651_t1"\nEND LC_COLLATE\n',
    i18n: 'LC_CTYPE\ncopy "i18n_ctype"\ntranslit_start\ninclude "translit_neutral";""\ntranslit_end\nEND LC_CTYPE\nLC_COLLATE\ncopy "iso14651_t1"\nEND LC_COLLATE\nLC_PAPER\nheight 297\nEND LC_PAPER\n',
    i18n_ctype: 'LC_CTYPE\nupper <U0041>\nEND LC_CTYPE\n',
    translit_neutral: '% include "translit_commented_out";""\nLC_CTYPE\ninclude "translit_wide";""\nEND LC_CTYPE\n',
    translit_wide: 'LC_CTYPE\nEND LC_CTYPE\n',
    translit_combining: 'LC_CTYPE\nEND LC_CTYPE\n',
    translit_commented_out: 'LC_CTYPE\nEND LC_CTYPE\n',
    iso14651_t1: 'LC_COLLATE\ncopy "iso14651_t1_common"\nEND LC_COLLATE\n',
    iso14651_t1_common: 'LC_COLLATE\nEND LC_COLLATE\n',
    de_DE: 'LC_CTYPE\nEND LC_CTYPE\n',
  };
  for (const [name, text] of Object.entries(sources)) writeFileSync(join(locales, name), text);
  for (const name of ['UTF-8.gz', 'EUC-JP.gz', 'SHIFT_JIS.gz']) writeFileSync(join(charmaps, name), '');
  return root;
}

/** Runs the script's slim_i18n_rules on a rootfs; returns the rules it printed and what is left. */
function i18nRules(locales: { generate: string[] }, root: string): { rules: string[]; sources: string[]; charmaps: string[] } {
  const script = slimScript(locales);
  const call = /rules\+=\$\((slim_i18n_rules [^)]*)\)/.exec(script)![1]!;
  const run = spawnSync('bash', ['-euo', 'pipefail', '-c', `${withRootfsPaths(script, 'slim_i18n_rules')}\nROOTFS=$1 DRY_RUN=0\n${call}`, 'bash', root], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const i18n = join(root, 'usr/share/i18n');
  return { rules: run.stdout.trim().split('\n'), sources: readdirSync(join(i18n, 'locales')).sort(), charmaps: readdirSync(join(i18n, 'charmaps')).sort() };
}

describe('slim', () => {
  it('is off by default', () => {
    expect(planSlim(settings(DEBIAN))).toBeNull();
  });

  it('leaves out docs but their copyright, manuals, and every translation but locale.alias, as the official slim images', () => {
    const slim = planSlim(settings(DEBIAN, { slim: true, locales: { generate: ['ja_JP.UTF-8', 'sr_RS.UTF-8@latin'] } }))!;
    const rules = slim.rules.content.split('\n');
    expect(slim.rules.path).toBe('/etc/dpkg/dpkg.cfg.d/docker-slim');
    expect(rules).toContain('path-exclude /usr/share/doc/*');
    expect(rules).toContain('path-include /usr/share/doc/*/copyright');
    expect(rules).toContain('path-exclude /usr/share/man/*');
    expect(rules).toContain('path-exclude /usr/share/locale/*');
    expect(rules).toContain('path-include /usr/share/locale/locale.alias');
    // The generated locales' languages lose their message catalogs too.
    expect(rules.filter((r) => r.startsWith('path-include /usr/share/locale/'))).toEqual(['path-include /usr/share/locale/locale.alias']);
    expect(slim.keptLocaleEntries).toEqual(['locale.alias']);
    // The include rule must follow the exclude it refines: dpkg applies the last match.
    expect(rules.indexOf('path-include /usr/share/doc/*/copyright')).toBeGreaterThan(rules.indexOf('path-exclude /usr/share/doc/*'));
    expect(rules.indexOf('path-include /usr/share/locale/locale.alias')).toBeGreaterThan(rules.indexOf('path-exclude /usr/share/locale/*'));
  });

  it('keeps the glibc converters of the generated charsets only; UTF-8 needs none', () => {
    const ja = planSlim(settings(DEBIAN, { slim: true, locales: JA }))!;
    expect(ja.gconvCharsets).toEqual(['EUC-JP']);
    const utf8 = planSlim(settings(DEBIAN, { slim: true, locales: { generate: ['en_US.UTF-8'] } }))!;
    expect(utf8.gconvCharsets).toEqual([]);
  });

  it('starts the locale sources from the generated locales and their charmaps', () => {
    const ja = planSlim(settings(DEBIAN, { slim: true, locales: JA }))!;
    expect(ja.localeSources).toEqual(['ja_JP']);
    expect(ja.charmaps).toEqual(['EUC-JP', 'UTF-8']);
    expect(slimScript(JA)).toContain('rules+=$(slim_i18n_rules EUC-JP UTF-8 -- ja_JP)');
  });

  it('ja: keeps the sources ja_JP copies or includes, per category: not the collation table of i18n', () => {
    const { rules, sources, charmaps } = i18nRules(JA, i18nTree());
    // ja_JP collates by itself; only the LC_CTYPE and LC_PAPER of i18n are read.
    expect(sources).toEqual(['i18n', 'i18n_ctype', 'ja_JP', 'translit_combining', 'translit_neutral', 'translit_wide']);
    expect(charmaps).toEqual(['EUC-JP.gz', 'UTF-8.gz']);
    expect(rules).toEqual([
      'path-exclude /usr/share/i18n/charmaps/*',
      'path-exclude /usr/share/i18n/locales/*',
      'path-include /usr/share/i18n/charmaps/EUC-JP.gz',
      'path-include /usr/share/i18n/charmaps/UTF-8.gz',
      ...sources.map((s) => `path-include /usr/share/i18n/locales/${s}`),
    ]);
  });

  it('en_US: a locale that copies the collation keeps iso14651_t1 and the table it copies', () => {
    const { sources } = i18nRules({ generate: ['en_US.UTF-8'] }, i18nTree());
    expect(sources).toEqual(['en_US', 'i18n', 'i18n_ctype', 'iso14651_t1', 'iso14651_t1_common', 'translit_neutral', 'translit_wide']);
  });

  it('stores identical copyright files once: hard links, each package keeps its file', () => {
    const slim = planSlim(settings(DEBIAN, { slim: true, locales: JA }))!;
    expect(slim.linkIdentical).toEqual({ dir: '/usr/share/doc', name: 'copyright' });
    const script = slimScript(JA);
    expect(script).toContain('run slim_link_identical /usr/share/doc copyright');
    const root = mkdtempSync(join(tmpdir(), 'slim-doc-'));
    temp.push(root);
    const doc = join(root, 'usr/share/doc');
    const files: Record<string, [string, number]> = {
      'libkrb5-3': ['krb5 licence', 0o644],
      libk5crypto3: ['krb5 licence', 0o644],
      libkrb5support0: ['krb5 licence', 0o644],
      'other-mode': ['krb5 licence', 0o600],
      bash: ['GPL-3', 0o644],
    };
    for (const [pkg, [text, mode]] of Object.entries(files)) {
      mkdirSync(join(doc, pkg), { recursive: true });
      writeFileSync(join(doc, pkg, 'copyright'), text);
      chmodSync(join(doc, pkg, 'copyright'), mode);
    }
    writeFileSync(join(doc, 'bash', 'README'), 'krb5 licence');
    const run = spawnSync('bash', ['-euo', 'pipefail', '-c', `${withRootfsPaths(script, 'slim_link_identical')}\nROOTFS=$1\nslim_link_identical /usr/share/doc copyright`, 'bash', root], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const inode = (pkg: string, name = 'copyright') => statSync(join(doc, pkg, name)).ino;
    // The first in name order is the one the others link to.
    expect(inode('libkrb5-3')).toBe(inode('libk5crypto3'));
    expect(inode('libkrb5support0')).toBe(inode('libk5crypto3'));
    expect(statSync(join(doc, 'libk5crypto3', 'copyright')).nlink).toBe(3);
    // Another mode, another content, or another name: left alone.
    expect(inode('other-mode')).not.toBe(inode('libk5crypto3'));
    expect(statSync(join(doc, 'bash', 'copyright')).nlink).toBe(1);
    expect(statSync(join(doc, 'bash', 'README')).nlink).toBe(1);
    for (const [pkg, [text]] of Object.entries(files)) expect(readFileSync(join(doc, pkg, 'copyright'), 'utf8')).toBe(text);
  });
});
