// What each setting means, in the words the README uses: the JSON Schema gives them to
// editors, `init` writes them as comments. A test holds every field of the schema to
// having one. Fields added with zod's .describe() carry their own.

/** Config file fields, by dotted path (`[]` = a list's items, `{}` = a mapping's values). */
export const FIELD_DESCRIPTIONS: Readonly<Record<string, string>> = {
  name: 'Image repository, e.g. local/debian-ja; tags are added to it.',
  distro: 'debian or ubuntu.',
  suite: 'The release codename, e.g. bookworm or noble (`mkimage-gen releases` lists them).',
  arch: 'dpkg architecture of the image.',
  variant: 'minbase (Essential packages and apt), buildd (plus build-essential) or default.',
  backend: 'debootstrap, or mmdebstrap (faster; releases on the mirrors).',
  mirror: 'Required: a mirror near the build host, e.g. http://ftp.jp.debian.org/debian.',
  securityMirror: "Debian: a mirror of the security archive (required unless apt.security is false or the release is archived). Ubuntu takes -security from its mirror.",
  components: 'Archive components; default main (Ubuntu: main universe).',
  include: 'Packages added to the variant (the network package is added for you).',
  exclude: 'Packages removed from the variant (debootstrap only).',
  networkTools: 'Add iproute/iproute2: without `ip` the container has no network.',
  proxy: 'HTTP proxy for the build only; not written into the image.',
  tweaks: 'The Docker tweaks, each on by default.',
  'tweaks.policyRcD': 'policy-rc.d exits 101: package scripts start no services.',
  'tweaks.initctl': 'Divert /sbin/initctl to /bin/true; auto = upstart era only.',
  'tweaks.unsafeIo': 'dpkg force-unsafe-io: no sync() after each unpack.',
  'tweaks.noCache': 'DPkg::Post-Invoke deletes downloaded .debs after every install.',
  'tweaks.noLanguages': 'Acquire::Languages "none": no translated package descriptions.',
  'tweaks.gzipIndexes': "Keep apt's package lists gzipped on disk.",
  'tweaks.autoremoveSuggests': 'Let autoremove drop packages that are only suggested.',
  apt: "The image's apt sources.",
  'apt.format': 'auto (as the release writes them), one-line or deb822.',
  'apt.updates': 'Add <suite>-updates.',
  'apt.security': 'Add <suite>-security (<suite>/updates up to buster).',
  upgrade: 'apt-get dist-upgrade after the sources are in place.',
  clean: 'apt-get clean and drop the package lists at the end.',
  locales: 'Locales to generate, and the default one.',
  'locales.generate': 'Locales to generate, e.g. ja_JP.UTF-8, ja_JP.EUC-JP.',
  'locales.default': "The image's LANG; one of locales.generate, or C.UTF-8.",
  timezone: "The image's IANA time zone, e.g. Asia/Tokyo; default UTC.",
  slim: 'dpkg path-exclude rules: no docs, man pages or other translations (copyright files stay).',
  reproducible: 'Same mirror content, same tarball bytes: sorted entries, clamped mtimes, no build traces.',
  sourceDateEpoch: 'SOURCE_DATE_EPOCH of the build; default: the newest Date of the Release files it reads.',
  output: 'What the script writes and where the image goes.',
  'output.tarball': 'Tarball file name; default rootfs.tar plus the compression suffix.',
  'output.compression': 'xz, gzip, zstd or none.',
  'output.import': 'Import the tarball with docker or podman after the build, or none.',
  'output.latest': 'Also tag :latest.',
  'output.tags': 'Extra tags beside :<suite> and :<version read from the rootfs>.',
  derived: 'Images built FROM the base image by their own Dockerfile.',
  'derived[].name': 'Image repository of the derived image; its last part names its folder.',
  'derived[].packages': 'Packages the derived image installs.',
  'derived[].env': 'Environment variables of the derived image.',
  'derived[].undoTweaks': 'Take the Docker tweaks back out, for images that run services.',
};

/** Project file fields. */
export const PROJECT_DESCRIPTIONS: Readonly<Record<string, string>> = {
  configs: 'Config files to render, as paths or globs relative to this file (e.g. configs/*.yaml).',
  out: 'The output directory, relative to this file.',
  defaults: "Settings merged under every config (e.g. mirror); a config's own value wins.",
};
