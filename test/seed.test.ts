// The seed's two images, as the presets render them today: every step the article
// takes by hand is in the generated script, adapted for releases that have ended.
import { describe, expect, it } from 'vitest';
import { renderPresets } from './helpers/presets.js';

const files = await renderPresets();
const script = (preset: string) => files.find((f) => f.path === `${preset}/mkimage.sh`)!.content;

describe.each([
  {
    preset: 'debian-wheezy-ja',
    network: 'iproute',
    sources: [
      'deb http://archive.debian.org/debian wheezy main',
      'deb http://archive.debian.org/debian-security wheezy/updates main',
    ],
    locales: [
      "'locales locales/locales_to_be_generated multiselect ja_JP.EUC-JP EUC-JP, ja_JP.UTF-8 UTF-8",
      'locales locales/default_environment_locale select ja_JP.UTF-8',
      'debconf-set-selections',
      'install --no-install-recommends locales',
    ],
    versionFile: 'readonly VERSION_FILE=/etc/debian_version',
  },
  {
    preset: 'ubuntu-precise-ja',
    network: 'iproute',
    sources: [
      'deb http://old-releases.ubuntu.com/ubuntu precise main universe',
      'deb http://old-releases.ubuntu.com/ubuntu precise-updates main universe',
      'deb http://old-releases.ubuntu.com/ubuntu precise-security main universe',
    ],
    locales: ['in_chroot locale-gen ja_JP.EUC-JP ja_JP.UTF-8', 'readonly -a LOCALES=(ja_JP.EUC-JP ja_JP.UTF-8)'],
    versionFile: 'readonly VERSION_FILE=/etc/lsb-release',
  },
])('$preset has every step of the seed', ({ preset, network, sources, locales, versionFile }) => {
  const text = script(preset);

  it('bootstraps minbase with the network package, through the proxy when one is set', () => {
    expect(text).toContain('readonly VARIANT=minbase');
    expect(text).toContain(`readonly -a INCLUDE=(${network})`);
    expect(text).toContain('args+=(--variant="$VARIANT")');
    expect(text).toMatch(/run env "\$\{PROXY_ENV\[@\]\}" DPKG_FORCE=unsafe-io debootstrap /);
  });

  it('applies the Docker tweaks: policy-rc.d exit 101, initctl diverted, unsafe io, no cache', () => {
    expect(text).toContain("write_file /usr/sbin/policy-rc.d 0755 '#!/bin/sh\nexit 101\n'");
    expect(text).toContain('in_chroot dpkg-divert --local --rename --add /sbin/initctl');
    expect(text).toContain('rootfs_link /bin/true /sbin/initctl');
    expect(text).toContain("write_file /etc/dpkg/dpkg.cfg.d/02apt-speedup 0644 'force-unsafe-io\n'");
    expect(text).toContain(`'DPkg::Post-Invoke {"/bin/rm -f /var/cache/apt/archives/*.deb || true";};`);
  });

  it('documents the undo of the tweaks, in the order --undo-tweaks runs it', () => {
    const undo = '  ((UNDO_TWEAKS == 0)) || in_chroot ';
    expect(text).toContain(`\n${undo}rm -f /usr/sbin/policy-rc.d\n${undo}rm -f /sbin/initctl\n${undo}dpkg-divert --local --rename --remove /sbin/initctl\n`);
  });

  it('writes the sources that still exist, with Check-Valid-Until off for the archive', () => {
    expect(text).toContain(`'${sources.join('\n')}\n'`);
    expect(text).toContain(`Acquire::Check-Valid-Until "false";`);
  });

  it('updates and dist-upgrades, installs the Japanese locales, and cleans', () => {
    expect(text).toContain('in_chroot apt-get update');
    expect(text).toContain('dist-upgrade');
    for (const line of locales) expect(text).toContain(line);
    expect(text).toContain('in_chroot apt-get clean');
  });

  it('packs with numeric owners, imports, and tags the suite, latest and the release version', () => {
    expect(text).toContain('--numeric-owner');
    expect(text).toContain('run "$ENGINE" import');
    expect(text).toContain('readonly ENGINE=docker');
    expect(text).toMatch(/readonly -a TAGS=\((wheezy|precise) latest\)/);
    expect(text).toContain(versionFile);
  });
});
