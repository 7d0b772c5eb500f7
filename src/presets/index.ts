// The built-in configs: a plain Debian image (what `init` starts from), the seed's two
// images as they run today, current Debian and Ubuntu with the Japanese locales on
// Japanese mirrors, a company's image, and a buildd image for CI. Every preset names a
// regional example mirror; a project sets its own once, in its project file.
import { join } from 'node:path';
import type { SettingsInput } from '../model/index.js';
import { PACKAGE_ROOT } from '../package-root.js';


export interface Preset {
  id: string;
  description: string;
  settings: SettingsInput;
}

const JA_LOCALES = { generate: ['ja_JP.UTF-8', 'ja_JP.EUC-JP'], default: 'ja_JP.UTF-8' };
const DEBIAN_JP = 'http://ftp.jp.debian.org/debian';
const DEBIAN_SECURITY_JP = 'http://ftp.jaist.ac.jp/pub/Linux/debian-security';
const UBUNTU_JP = 'http://ftp.jaist.ac.jp/pub/Linux/ubuntu';

export const PRESETS: readonly Preset[] = [
  {
    id: 'debian-trixie',
    description: 'Debian 13 with no locales and UTC, as the official image has it',
    settings: {
      name: 'local/debian',
      distro: 'debian',
      suite: 'trixie',
      mirror: DEBIAN_JP,
      securityMirror: DEBIAN_SECURITY_JP,
    },
  },
  {
    id: 'debian-wheezy-ja',
    description: "The seed's Debian image: wheezy with the ja locales, from the archive of ended releases",
    settings: {
      name: 'local/debian-ja',
      distro: 'debian',
      suite: 'wheezy',
      // Ended releases live only in the archive; no regional mirror carries them.
      mirror: 'http://archive.debian.org/debian',
      // The seed diverts initctl on wheezy too, though no upstart runs there.
      tweaks: { initctl: true },
      locales: JA_LOCALES,
      output: { latest: true },
    },
  },
  {
    id: 'ubuntu-precise-ja',
    description: "The seed's Ubuntu image: precise with the ja locales, from old-releases",
    settings: {
      name: 'local/ubuntu-ja',
      distro: 'ubuntu',
      suite: 'precise',
      mirror: 'http://old-releases.ubuntu.com/ubuntu',
      locales: JA_LOCALES,
      output: { latest: true },
    },
  },
  {
    id: 'debian-bookworm-ja',
    description: 'Debian 12 with the ja locales and Tokyo time, from a Japanese mirror',
    settings: {
      name: 'local/debian-ja',
      distro: 'debian',
      suite: 'bookworm',
      mirror: DEBIAN_JP,
      securityMirror: DEBIAN_SECURITY_JP,
      locales: JA_LOCALES,
      timezone: 'Asia/Tokyo',
    },
  },
  {
    id: 'debian-trixie-ja',
    description: 'Debian 13 with the ja locales and Tokyo time, and a web server image that runs services',
    settings: {
      name: 'local/debian-ja',
      distro: 'debian',
      suite: 'trixie',
      mirror: DEBIAN_JP,
      securityMirror: DEBIAN_SECURITY_JP,
      locales: JA_LOCALES,
      timezone: 'Asia/Tokyo',
      derived: [
        {
          name: 'local/debian-ja-web',
          packages: ['nginx'],
          undoTweaks: true,
          // nginx in the foreground: the container's main process.
          cmd: ['nginx', '-g', 'daemon off;'],
          expose: [80],
        },
      ],
    },
  },
  {
    id: 'debian-trixie-ja-slim',
    description: 'Debian 13 slim with the ja locales, built with mmdebstrap: the fastest, smallest build',
    settings: {
      name: 'local/debian-ja-slim',
      distro: 'debian',
      suite: 'trixie',
      backend: 'mmdebstrap',
      slim: true,
      mirror: DEBIAN_JP,
      securityMirror: DEBIAN_SECURITY_JP,
      locales: JA_LOCALES,
      timezone: 'Asia/Tokyo',
    },
  },
  {
    id: 'ubuntu-noble-ja',
    description: 'Ubuntu 24.04 LTS with the ja locales and Tokyo time, from a Japanese mirror',
    settings: {
      name: 'local/ubuntu-ja',
      distro: 'ubuntu',
      suite: 'noble',
      mirror: UBUNTU_JP,
      locales: JA_LOCALES,
      timezone: 'Asia/Tokyo',
    },
  },
  {
    id: 'ubuntu-resolute-ja',
    description: 'Ubuntu 26.04 LTS with the ja locales and Tokyo time, from a Japanese mirror',
    settings: {
      name: 'local/ubuntu-ja',
      distro: 'ubuntu',
      suite: 'resolute',
      mirror: UBUNTU_JP,
      locales: JA_LOCALES,
      timezone: 'Asia/Tokyo',
    },
  },
  {
    id: 'debian-trixie-company',
    description: "A company's base image: its own apt repository and key, backports, its CA, files, hooks, a service user, and an app image",
    settings: {
      name: 'local/company-base',
      distro: 'debian',
      suite: 'trixie',
      mirror: DEBIAN_JP,
      securityMirror: DEBIAN_SECURITY_JP,
      locales: { generate: ['en_US.UTF-8', 'ja_JP.UTF-8'], default: 'en_US.UTF-8' },
      timezone: 'Asia/Tokyo',
      apt: { backports: true, pins: [{ packages: ['*'], pin: 'release n=trixie-backports', priority: 200 }] },
      // The key, the certificate, the files and the hooks are in src/presets/files/company/.
      repositories: [
        {
          name: 'company',
          url: 'https://apt.example.com/debian',
          suites: ['trixie'],
          components: ['main'],
          key: 'company/apt-key.asc',
          // Pinned: generate refuses another key in that file, and the script checks it again with gpg.
          fingerprint: '00E6D8CE87E5E7F83552CCC0B0169CFF97331885',
          priority: 600,
        },
      ],
      caCertificates: ['company/root-ca.pem'],
      files: [{ source: 'company/motd', path: '/etc/motd' }],
      hooks: [
        { stage: 'after-packages', script: 'company/harden.sh' },
        { stage: 'before-pack', script: 'company/record-packages.sh', on: 'host' },
      ],
      groups: [{ name: 'app', gid: 10001 }],
      users: [{ name: 'app', uid: 10001, group: 'app', home: '/srv/app', shell: '/usr/sbin/nologin' }],
      output: {
        compression: 'zstd',
        source: 'https://git.example.com/infra/images',
        labels: { 'com.example.team': 'platform' },
      },
      derived: [
        {
          name: 'local/company-app',
          packages: ['python3'],
          env: { PYTHONUNBUFFERED: 1 },
          files: [{ source: 'company/app/index.html', path: '/srv/app/index.html', owner: 'app:app' }],
          user: 'app',
          workdir: '/srv/app',
          expose: [8080],
          cmd: ['python3', '-m', 'http.server', '8080'],
          labels: { 'com.example.service': 'app' },
          tags: ['python3'],
        },
      ],
    },
  },
  {
    id: 'debian-bookworm-ci',
    description: 'Debian 12 buildd (build-essential) for CI, and a CI runner image with git',
    settings: {
      name: 'local/debian-ci',
      distro: 'debian',
      suite: 'bookworm',
      variant: 'buildd',
      mirror: DEBIAN_JP,
      securityMirror: DEBIAN_SECURITY_JP,
      locales: { generate: ['en_US.UTF-8'], default: 'en_US.UTF-8' },
      derived: [
        {
          name: 'local/debian-ci-runner',
          packages: ['git', 'ca-certificates', 'openssh-client'],
          env: { CI: 'true', GIT_TERMINAL_PROMPT: '0' },
        },
      ],
    },
  },
  ...(['static', 'base', 'cc'] as const).map(
    (profile): Preset => ({
      id: `debian-trixie-minimal-${profile}`,
      description: {
        static: 'Debian 13 minimal static image: CA bundle, zone files, /etc/services, nonroot 65532; no shell, no libc (as distroless static)',
        base: 'Debian 13 minimal base image: static plus the C library and libssl (as distroless base)',
        cc: 'Debian 13 minimal cc image: base plus libgcc, libstdc++ and libgomp for C++ programs (as distroless cc)',
      }[profile],
      settings: {
        name: `local/debian-${profile}`,
        distro: 'debian',
        suite: 'trixie',
        backend: 'mmdebstrap',
        profile,
        mirror: DEBIAN_JP,
        securityMirror: DEBIAN_SECURITY_JP,
      },
    }),
  ),
];

export function findPreset(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}

/** Keys, files and hooks the presets name, beside src/ in a checkout and in the package. */
export const PRESET_FILES_DIR = join(PACKAGE_ROOT, 'src/presets/files');
