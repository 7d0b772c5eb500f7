import { describe, expect, it } from 'vitest';
import { planSlim } from '../src/plan/slim.js';
import { DEBIAN, settings } from './helpers/settings.js';

describe('slim', () => {
  it('is off by default', () => {
    expect(planSlim(settings(DEBIAN))).toBeNull();
  });

  it('leaves out docs but their copyright, manuals, and translations but the locales in use', () => {
    const slim = planSlim(settings(DEBIAN, { slim: true, locales: { generate: ['ja_JP.UTF-8', 'sr_RS.UTF-8@latin'] } }))!;
    const rules = slim.rules.content.split('\n');
    expect(slim.rules.path).toBe('/etc/dpkg/dpkg.cfg.d/docker-slim');
    expect(rules).toContain('path-exclude /usr/share/doc/*');
    expect(rules).toContain('path-include /usr/share/doc/*/copyright');
    expect(rules).toContain('path-exclude /usr/share/man/*');
    expect(rules).toContain('path-exclude /usr/share/locale/*');
    expect(rules).toContain('path-include /usr/share/locale/ja/*');
    expect(rules).toContain('path-include /usr/share/locale/ja_JP/*');
    expect(rules).toContain('path-include /usr/share/locale/sr_RS/*');
    expect(slim.keptLocaleEntries).toEqual(['locale.alias', 'ja', 'ja_JP', 'sr', 'sr_RS']);
    // The include rule must follow the exclude it refines: dpkg applies the last match.
    expect(rules.indexOf('path-include /usr/share/doc/*/copyright')).toBeGreaterThan(rules.indexOf('path-exclude /usr/share/doc/*'));
  });

  it('keeps the glibc converters of the generated charsets only; UTF-8 needs none', () => {
    const ja = planSlim(settings(DEBIAN, { slim: true, locales: { generate: ['ja_JP.UTF-8', 'ja_JP.EUC-JP'] } }))!;
    expect(ja.gconvCharsets).toEqual(['EUC-JP']);
    const utf8 = planSlim(settings(DEBIAN, { slim: true, locales: { generate: ['en_US.UTF-8'] } }))!;
    expect(utf8.gconvCharsets).toEqual([]);
  });
});
