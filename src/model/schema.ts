// The build model: every setting of an image build, validated with zod. Defaults are
// filled here and nowhere else, so the rest of the pipeline sees complete settings.
import * as z from 'zod';
import { codenames, defaultSecurityMirror, distroFacts, findRelease, RELEASES, securitySuite, type Distro } from '../releases/index.js';
import {
  BASE_TARGET_SUFFIX,
  BUILDKIT_GROUP,
  bakeTargetName,
  buildFileClashes,
  defaultTarball,
  lastPathComponent,
  reservedNameProblem,
  sharedDerivedFolders,
  TARBALL_NAME,
} from '../layout.js';
import { archToken } from '../plan/arches.js';
import {
  ARCHES,
  type Arch,
  COMPONENT,
  ENV_KEY,
  IMAGE_REPOSITORY,
  IMAGE_TAG,
} from './formats.js';
import {
  ACCOUNT_NAME,
  FILE_MODE,
  IMAGE_PATH,
  LABEL_KEY,
  OWNER,
  PIN,
  PIN_PACKAGE,
  PORT,
  RELATIVE_PATH,
  REPOSITORY_NAME,
  REPOSITORY_SUITE,
} from './formats.js';
import { checkAccounts } from './accounts.js';
import { checkEmbedded, checkKeyPins } from './embedded.js';
import { caCertificatePath, FILE_DESTINATION, runtimePathProblem } from './image-paths.js';
import { describeInput } from './describe.js';
import { localeProblem } from './locale.js';
import { packageSpecProblem } from './packages.js';
import { reportReleaseChecks } from './release-checks.js';
import { checkProfile } from './profile.js';
import { PROFILES } from '../releases/minimal.js';
import { timezoneProblem } from './timezone.js';
import { checkUrl } from './urls.js';
import { checkPublish, publishShape } from './publish.js';
import { didYouMean } from './suggest.js';
import { isSnapshotTimestamp, SNAPSHOT_FIRST, snapshotServed } from '../releases/snapshots.js';

/** A path below the script's folder: plain names joined by /, no `..`, nothing absolute. */
const EXPECT_PATH = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9_][A-Za-z0-9_.+-]*(?:\/[A-Za-z0-9_][A-Za-z0-9_.+-]*)*$/;

/** A strict object whose unknown keys are reported with the nearest known key. */
export function strictObject<T extends z.ZodRawShape>(shape: T) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      const keys = issue.keys.map((k) => `${describeInput(k)}${didYouMean(k, known)}`);
      return `unknown key ${keys.join(', ')}; known keys: ${known.join(', ')}`;
    },
  });
}

/** An enum whose error lists the choices and suggests the nearest one. */
function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (issue) => {
      const given = typeof issue.input === 'string' ? issue.input : undefined;
      const hint = given === undefined ? '' : didYouMean(given, values);
      if (issue.input === undefined) return `required: one of ${values.join(', ')}`;
      return `expected one of ${values.join(', ')}, got ${describeInput(issue.input)}${hint}`;
    },
  });
}

function pattern(re: RegExp, what: string, example: string) {
  return z.string().regex(re, { error: (issue) => `${describeInput(issue.input)} is not ${what} (e.g. ${example})` });
}

/** A check that returns why a value is wrong (or undefined), as a zod string schema. */
function checked(problem: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const message = problem(value);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  });
}

/** A package list item: a Debian package name, `:arch`, and where `pins`, `=version`. */
const packageSpec = (pins: boolean) =>
  checked((value) => {
    const problem = packageSpecProblem(value, pins);
    return problem && `${describeInput(value)} ${problem}`;
  });


const url = (what: string, example: string) =>
  checked((value) => {
    const verdict = checkUrl(value);
    if (verdict.ok) return undefined;
    // Never echo a URL that holds credentials, not even redacted.
    if (verdict.credentials) return `the URL (credentials hidden) carries credentials: put them in apt's auth.conf, not the image`;
    return `${describeInput(value)} is not ${what}: ${verdict.reason} (e.g. ${example})`;
  });

const mirrorUrl = url('a mirror URL', 'http://ftp.jp.debian.org/debian');

const locale = checked(localeProblem);

const imageRepository = pattern(IMAGE_REPOSITORY, 'an image repository', 'local/debian-ja');
const imageTag = pattern(IMAGE_TAG, 'an image tag', 'bookworm, 12.7');

const tweaks = strictObject({
  policyRcD: z.boolean().default(true).describe('usr/sbin/policy-rc.d exits 101: package scripts start no services, in the build or the container'),
  initctl: z.union([z.boolean(), z.literal('auto')]).default('auto').describe('divert /sbin/initctl to /bin/true; auto = only in the upstart era'),
  unsafeIo: z.boolean().default(true).describe('dpkg force-unsafe-io: no sync() after each unpack'),
  noCache: z
    .boolean()
    .default(true)
    .describe('DPkg::Post-Invoke deletes downloaded .debs after every install, and apt keeps no binary caches (pkgcache.bin, srcpkgcache.bin), as in the official images'),
  noLanguages: z.boolean().default(true).describe('Acquire::Languages "none": no translated package descriptions'),
  gzipIndexes: z.boolean().default(true).describe("keep apt's package lists gzipped on disk"),
  autoremoveSuggests: z.boolean().default(true).describe('let autoremove drop packages that are only suggested'),
});

const apt = strictObject({
  format: oneOf(['auto', 'one-line', 'deb822']).default('auto').describe('auto (the format the release itself writes), one-line or deb822'),
  updates: z.boolean().default(true).describe('add <suite>-updates'),
  security: z.boolean().default(true).describe('add <suite>-security (<suite>/updates up to buster)'),
  keepSnapshot: z
    .boolean()
    .default(false)
    .describe('with snapshot: the image keeps the snapshot in its apt sources; default: its sources name the regular mirror'),
  backports: z.boolean().default(false).describe('add <suite>-backports from the mirror; apt installs from it only when asked (or pinned)'),
  pins: z
    .array(
      strictObject({
        packages: z.array(pattern(PIN_PACKAGE, 'a package name or glob', 'nginx, libssl*, *')).min(1).describe('package names or globs the pin applies to'),
        pin: pattern(PIN, 'an apt pin', 'release n=bookworm-backports, origin "apt.example.com", version 1.2*').describe('what the packages are pinned to, as apt_preferences writes it'),
        priority: z.number().int().min(-1000).max(1000).describe('Pin-Priority: 500 normal, 990 target release, >1000 allows downgrades, <0 never'),
      }),
    )
    .default([])
    .describe('apt pinning priorities, written to /etc/apt/preferences.d/mkimage'),
});

const locales = strictObject({
  generate: z.array(locale).default([]).describe('locales to generate, e.g. ja_JP.UTF-8, ja_JP.EUC-JP'),
  default: locale.optional().describe("the image's LANG: one of locales.generate, or C.UTF-8"),
});

const releaseTags = strictObject({
  suite: z.boolean().default(true).describe('tag :<suite> (e.g. trixie)'),
  version: z.boolean().default(true).describe('tag :<full version> read from the rootfs (e.g. 13.2)'),
  major: z.boolean().default(true).describe('tag :<major version> (e.g. 13; Debian only, Ubuntu versions are YY.MM already)'),
  dated: z.boolean().default(true).describe('tag :<suite>-<YYYYMMDD> from SOURCE_DATE_EPOCH (e.g. trixie-20261128)'),
});

const labels = z
  .record(
    pattern(LABEL_KEY, 'a label key', 'com.example.team'),
    z.string().regex(/^[^\x00-\x1f\x7f]*$/, { error: (issue) => `${describeInput(issue.input)}: a label value cannot hold control characters or newlines` }),
  )
  .default({});

const imagePath = pattern(IMAGE_PATH, 'an absolute path in the image', '/etc/app/app.conf');
const relativePath = pattern(RELATIVE_PATH, 'a file beside the config', 'keys/company.asc');
const fileMode = pattern(FILE_MODE, 'an octal file mode', '0644');
const owner = pattern(OWNER, 'an owner user[:group]', 'root:root, app, 1000:1000');
const accountName = pattern(ACCOUNT_NAME, 'a user or group name', 'app');
const id = z.number().int().min(0).max(2 ** 31 - 1);

/** An OpenPGP fingerprint as gpg prints it: 40 hex digits (v4) or 64 (v6), spaces allowed; kept without them, in capitals. */
const FINGERPRINT = /^ *(?:(?:[0-9A-Fa-f] *){40}|(?:[0-9A-Fa-f] *){64})$/;
const fingerprint = pattern(FINGERPRINT, 'an OpenPGP fingerprint of 40 or 64 hex digits', '00E6 D8CE 87E5 E7F8 3552  CCC0 B016 9CFF 9733 1885').transform((value) =>
  value.replaceAll(' ', '').toUpperCase(),
);

const repository = strictObject({
  name: pattern(REPOSITORY_NAME, 'a repository name', 'company').describe('names its keyring, sources and preferences files'),
  url: url('a repository URL', 'http://apt.example.com/debian').describe('the repository URL, as in a deb line'),
  suites: z.array(pattern(REPOSITORY_SUITE, 'a suite', 'bookworm')).min(1).describe('suites to read from it'),
  components: z.array(pattern(COMPONENT, 'an archive component', 'main')).min(1).default(['main']).describe('its components'),
  key: relativePath.describe('its signing key: an OpenPGP public key file (armored or binary) beside the config, written to /etc/apt/keyrings and named by Signed-By'),
  fingerprint: z
    .union([fingerprint, z.array(fingerprint).min(1)], {
      error: (issue) => `${describeInput(issue.input)} is not an OpenPGP fingerprint (40 or 64 hex digits, as gpg prints it) or a list of them`,
    })
    .transform((value) => (Array.isArray(value) ? value : [value]))
    .optional()
    .describe(
      "pins the key: the fingerprint of its primary key (or a list, one per primary key in the file), as gpg --show-keys prints it; generate refuses a key file whose keys differ, and the script checks it again with the build host's gpg",
    ),
  priority: z.number().int().min(-1000).max(1000).optional().describe('apt pinning priority for everything from its host'),
  packages: z.array(packageSpec(true)).default([]).describe('packages installed from it (apt-get, after the sources are in place)'),
});

/** A file's destination: a path in the image, not under a tree that is mounted over or a link out of it. */
const fileDestination = z.string().regex(FILE_DESTINATION, {
  error: (issue) => (typeof issue.input === 'string' && runtimePathProblem(issue.input)) || `${describeInput(issue.input)} is not an absolute path in the image (e.g. /etc/app/app.conf)`,
});

const imageFile = strictObject({
  source: relativePath.describe('a file beside the config, embedded in the script with its sha256'),
  path: fileDestination.describe('where it goes in the image: not under /proc, /sys, /dev, /run, /var/run or /var/lock'),
  mode: fileMode.default('0644').describe('its mode, octal'),
  owner: owner.default('root:root').describe('its owner, user[:group], by name or number'),
});

const hook = strictObject({
  stage: oneOf(['after-bootstrap', 'after-packages', 'before-pack']).describe('when it runs: after the bootstrap, after the packages and settings, or just before packing'),
  script: relativePath.describe('a shell script beside the config, starting with #!; embedded with its sha256, checked before it runs'),
  on: oneOf(['rootfs', 'host']).default('rootfs').describe('rootfs: run inside it (chroot); host: run on the build host with the rootfs path as $1 and MKIMAGE_ROOTFS'),
});

const group = strictObject({
  name: accountName.describe('group name'),
  gid: id.optional().describe('group id; default: the next free one'),
});

const user = strictObject({
  name: accountName.describe('user name'),
  uid: id.optional().describe('user id; default: the next free one'),
  group: accountName.optional().describe('primary group (from groups, or one the image has); default: a group named after the user'),
  groups: z.array(accountName).default([]).describe('supplementary groups'),
  home: imagePath.optional().describe('home directory, created; default /home/<name>'),
  shell: imagePath.optional().describe('login shell; default /bin/bash'),
});

const output = strictObject({
  tarball: z
    .string()
    .regex(TARBALL_NAME, {
      error: (issue) => (typeof issue.input === 'string' && reservedNameProblem(issue.input)) || `${describeInput(issue.input)} is not a plain file name (e.g. rootfs.tar.xz)`,
    })
    .optional()
    .describe("the tarball's file name; default rootfs.tar plus the compression's suffix"),
  compression: oneOf(['xz', 'gzip', 'zstd', 'none']).default('xz').describe('xz, gzip, zstd or none'),
  import: oneOf(['docker', 'podman', 'none']).default('docker').describe('import the tarball with docker or podman after the build, or none'),
  latest: z.boolean().default(false).describe('also tag :latest'),
  tags: z.array(imageTag).default([]).describe('extra tags beside :<suite> and :<version read from the rootfs>'),
  releaseTags: releaseTags.default(releaseTags.parse({})).describe('the tags the official images have, each on or off'),
  labels: labels.describe('extra image labels (LABEL), beside the org.opencontainers.image ones'),
  source: url('a source URL', 'https://git.example.com/infra/images').optional().describe('org.opencontainers.image.source: where the config lives'),
  oci: z
    .boolean()
    .default(false)
    .describe('also write an OCI image layout (oci-layout/) and an archive of it (oci-image.tar) that podman load and docker load read; no daemon needed'),
});

/** EXPOSE as text: a port from 1 to 65535 (the same range as a number), optionally /tcp or /udp. */
const port = z.string().regex(PORT, {
  error: (issue) => `${describeInput(issue.input)} is not a port from 1 to 65535, optionally /tcp or /udp (e.g. 80, 8443/tcp)`,
});

/** One word of CMD or ENTRYPOINT in exec form: anything printable, since no shell reads it. */
const execItem = z
  .string()
  .min(1)
  .regex(/^[^\x00-\x1f\x7f]*$/, { error: (issue) => `${describeInput(issue.input)}: a CMD or ENTRYPOINT word cannot hold control characters or newlines` });

const derivedImage = strictObject({
  name: imageRepository.describe('image repository of the derived image; its last part names its folder'),
  packages: z.array(packageSpec(true)).default([]).describe('packages the derived image installs'),
  env: z
    .preprocess(
      (env, ctx) => {
        // zod skips a key named __proto__ (it would set the prototype): say so instead of dropping it.
        if (env !== null && typeof env === 'object' && Object.hasOwn(env, '__proto__')) {
          ctx.addIssue({ code: 'custom', message: '"__proto__" cannot be an environment variable name here: it would be dropped', input: env });
        }
        return env;
      },
      z.record(
        pattern(ENV_KEY, 'an environment variable name', 'PATH'),
        z
          .union([z.string(), z.number(), z.boolean()])
          .transform((v) => String(v))
          .pipe(checked((value) => {
          if (/[\x00-\x1f\x7f]/.test(value)) return `${describeInput(value)}: an environment value cannot hold control characters or newlines`;
          if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value)) {
            return `${describeInput(value)}: an environment value cannot hold a lone surrogate (not text in any encoding)`;
          }
          if (value.includes('\ufffd')) {
            return `${describeInput(value)}: the value holds U+FFFD, the mark of bytes that were not valid UTF-8; write the text in UTF-8`;
          }
          return undefined;
        })),
      ),
    )
    .default({})
    .describe('ENV: environment variables of the derived image; numbers and booleans are taken as their text'),
  cmd: z.array(execItem).min(1).optional().describe('CMD, exec form'),
  entrypoint: z.array(execItem).min(1).optional().describe('ENTRYPOINT, exec form'),
  user: owner.optional().describe('USER: user[:group] the image runs as'),
  workdir: imagePath.optional().describe('WORKDIR'),
  expose: z.array(z.union([z.number().int().min(1).max(65535), port])).default([]).describe('EXPOSE: ports, optionally /tcp or /udp'),
  labels: labels.describe('LABEL: extra labels beside the org.opencontainers.image ones'),
  tags: z.array(imageTag).default([]).describe('tags beside :<suite>'),
  files: z.array(imageFile).default([]).describe('files copied in (COPY), from beside the config; generate writes them beside the Dockerfile'),
  undoTweaks: z.boolean().default(false).describe('take the Docker tweaks back out, for images that run services'),
});

/** arch is one architecture or a list: name the value that is none. */
function archError(issue: { input?: unknown }): string {
  const { input } = issue;
  if (Array.isArray(input) && input.length === 0) return 'name at least one architecture (e.g. [amd64, arm64])';
  const items: unknown[] = Array.isArray(input) ? input : [input];
  const bad = items.find((v) => typeof v !== 'string' || !(ARCHES as readonly string[]).includes(v));
  const hint = typeof bad === 'string' ? didYouMean(bad, ARCHES) : '';
  return `expected one of ${ARCHES.join(', ')}, or a list of them, got ${describeInput(bad)}${hint}`;
}

const settingsShape = {
  name: imageRepository.describe('image repository, e.g. local/debian-ja; the tags are added to it'),
  distro: oneOf(['debian', 'ubuntu']).describe('debian or ubuntu'),
  suite: z.string().min(1).describe('the release codename, e.g. bookworm or noble (`mkimage-gen releases` lists them)'),
  arch: z
    .union([oneOf(ARCHES), z.array(oneOf(ARCHES)).min(1)], { error: archError })
    .default('amd64')
    .describe('dpkg architecture, or a list of them: one tarball per architecture, foreign ones built through qemu-user'),
  variant: oneOf(['minbase', 'buildd', 'default']).default('minbase').describe('minbase (Essential packages and apt), buildd (plus build-essential) or default'),
  profile: oneOf(PROFILES)
    .optional()
    .describe(
      'a minimal image without shell, dpkg or apt, unpacked from Debian packages (static, base or cc, as distroless has them; nonroot 65532 as USER); include adds packages to it',
    ),
  backend: oneOf(['debootstrap', 'mmdebstrap']).default('debootstrap').describe('debootstrap, or mmdebstrap (faster; releases on the mirrors)'),
  mode: oneOf(['root', 'unshare'])
    .default('root')
    .describe('root: the script runs as root; unshare: mmdebstrap builds as an unprivileged user in a user namespace (needs subuid/subgid ranges)'),
  mirror: mirrorUrl
    .optional()
    .describe("required, here or in the project file's defaults: a mirror near the build host, e.g. http://ftp.jp.debian.org/debian"),
  portsMirror: mirrorUrl
    .optional()
    .describe("Ubuntu: a mirror of the ports archive (ubuntu-ports), where Ubuntu publishes every architecture but amd64 and i386"),
  securityMirror: mirrorUrl
    .optional()
    .describe('Debian: a mirror of the security archive (required unless apt.security is false or the release is archived); Ubuntu takes -security from its mirror'),
  components: z.array(pattern(COMPONENT, 'an archive component', 'main')).min(1).optional().describe('archive components; default main (Ubuntu: main universe)'),
  include: z
    .array(packageSpec(true))
    .default([])
    .describe('packages added to the variant (the network package is added for you); name=version pins are installed with apt-get after the bootstrap'),
  exclude: z.array(packageSpec(false)).default([]).describe('packages removed from the variant (debootstrap only)'),
  networkTools: z.boolean().default(true).describe("add the release's iproute/iproute2: without `ip` the container has no network"),
  proxy: url('a proxy URL', 'http://proxy.example:3128').optional().describe('HTTP proxy for the build only; not written into the image'),
  tweaks: tweaks.default(tweaks.parse({})).describe('the Docker tweaks, each on by default'),
  apt: apt.default(apt.parse({})).describe("the image's apt sources"),
  upgrade: z.boolean().default(true).describe('apt-get dist-upgrade after the sources are in place'),
  clean: z.boolean().default(true).describe('apt-get clean and drop the package lists at the end'),
  locales: locales.default(locales.parse({})).describe('locales to generate, and the default one'),
  timezone: checked(timezoneProblem)
    .optional()
    .describe("the image's IANA time zone as tzdata ships it, e.g. Asia/Tokyo (legacy names only where the release's tzdata has them); default UTC"),
  slim: z
    .boolean()
    .default(false)
    .describe(
      "dpkg path-exclude rules, kept in the image: no docs (copyright files stay, identical ones stored once), man or info pages, or message translations (locale.alias stays); locale sources, charmaps and glibc converters cut to the generated locales' own",
    ),
  reproducible: z.boolean().default(true).describe('same mirror content, same tarball bytes: sorted entries, clamped mtimes, no machine-id or other build traces'),
  sourceDateEpoch: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32)
    .optional()
    .describe('SOURCE_DATE_EPOCH of the build, without snapshot (which sets it); default: the newest Date of the Release files the build reads'),
  snapshot: pattern(/^\d{8}T\d{6}Z$/, 'a snapshot timestamp YYYYMMDDTHHMMSSZ', '20250101T000000Z')
    .refine(isSnapshotTimestamp, {
      error: (issue) => `${describeInput(issue.input)} is not a snapshot timestamp YYYYMMDDTHHMMSSZ (e.g. 20250101T000000Z)`,
    })
    .optional()
    .describe(
      'build from the snapshot archive at this moment (YYYYMMDDTHHMMSSZ, UTC): snapshot.debian.org or snapshot.ubuntu.com; SOURCE_DATE_EPOCH is that moment',
    ),
  snapshotMirror: mirrorUrl
    .optional()
    .describe(
      'with snapshot: where the snapshot service is, or a copy of it laid out the same way (…/archive/debian/<timestamp>/ for Debian, …/ubuntu/<timestamp>/ for Ubuntu); default http://snapshot.debian.org or http://snapshot.ubuntu.com',
    ),
  expect: pattern(EXPECT_PATH, 'a relative path to a manifest file', 'expected.manifest')
    .optional()
    .describe(
      "drift check: a committed package manifest, relative to the script's folder; the build fails before publishing when its packages differ",
    ),
  output: output.default(output.parse({})).describe('what the script writes and where the image goes'),
  derived: z.array(derivedImage).default([]).describe('images built FROM the base image by their own Dockerfile'),
  publish: strictObject(publishShape).optional().describe('push the image to a registry, sign it and attach its records as attestations (cosign)'),
  repositories: z.array(repository).default([]).describe('extra apt repositories, each with its signing key'),
  files: z.array(imageFile).default([]).describe('files copied from beside the config into the image'),
  caCertificates: z
    .array(relativePath)
    .default([])
    .describe('CA certificates (PEM) beside the config: installed to /usr/local/share/ca-certificates/<name>.crt, then update-ca-certificates'),
  hooks: z.array(hook).default([]).describe('your shell scripts, run at named stages'),
  groups: z.array(group).default([]).describe('groups to create'),
  users: z.array(user).default([]).describe('users to create'),
  embedded: z
    .record(relativePath, z.string())
    .default({})
    .describe('the contents (base64) of the files the config names, by path; the config loader reads them from beside the config'),
};

const EXAMPLE_MIRROR = {
  debian: 'http://ftp.jp.debian.org/debian',
  ubuntu: 'http://ftp.jaist.ac.jp/pub/Linux/ubuntu',
} as const;

const EXAMPLE_SECURITY_MIRROR = 'http://ftp.jaist.ac.jp/pub/Linux/debian-security';

export const SettingsSchema = strictObject(settingsShape)
  .superRefine((s, ctx) => {
    const release = findRelease(s.distro, s.suite);
    if (!release) {
      const other = RELEASES.find((r) => r.codename === s.suite);
      const known = codenames(s.distro);
      ctx.addIssue({
        code: 'custom',
        path: ['suite'],
        message: other
          ? `"${s.suite}" is a ${other.distro} suite, not ${s.distro}: set distro: ${other.distro}`
          : `unknown ${s.distro} suite ${describeInput(s.suite)}${didYouMean(s.suite, known)}; mkimage-gen knows ${s.distro}'s ${distroFacts(s.distro).tableCovers}: ${known.join(', ')} (see mkimage-gen releases)`,
      });
      return;
    }
    if (s.mirror === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['mirror'],
        message: `a mirror is required: name one near the build host (e.g. mirror: ${EXAMPLE_MIRROR[s.distro]})`,
      });
    }
    const needsSecurityMirror =
      s.apt.security && securitySuite(release) !== null && defaultSecurityMirror(release, s.mirror ?? '') === undefined;
    if (needsSecurityMirror && s.securityMirror === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['securityMirror'],
        message: `${s.distro}'s security archive is a separate tree: name a mirror of it near the build host (e.g. securityMirror: ${EXAMPLE_SECURITY_MIRROR}), or set apt.security: false`,
      });
    }
    checkArches(ctx, s.distro, release.status, s.arch, s.portsMirror);
    if (s.mode === 'unshare' && s.backend !== 'mmdebstrap') {
      ctx.addIssue({
        code: 'custom',
        path: ['mode'],
        message: 'mode unshare builds without root through mmdebstrap: set backend: mmdebstrap, or mode: root',
      });
    }
    for (const [i, component] of (s.components ?? []).entries()) {
      if (!release.components.includes(component)) {
        ctx.addIssue({
          code: 'custom',
          path: ['components', i],
          message: `${s.suite} has no component ${describeInput(component)}${didYouMean(component, release.components)}; it has ${release.components.join(', ')}`,
        });
      }
    }
    if (s.backend === 'mmdebstrap' && s.exclude.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['exclude'],
        message: 'mmdebstrap resolves the package set with apt and has no --exclude: remove exclude or use backend: debootstrap',
      });
    }
    if (s.backend === 'mmdebstrap' && release.status === 'archived') {
      ctx.addIssue({
        code: 'custom',
        path: ['backend'],
        message: `${s.suite} is archived: build it with backend: debootstrap (mmdebstrap is used for releases on the mirrors)`,
      });
    }
    if (s.apt.format === 'deb822' && release.status === 'archived') {
      ctx.addIssue({
        code: 'custom',
        path: ['apt', 'format'],
        message: `${s.suite}'s apt cannot read deb822 sources with Signed-By; use one-line or auto`,
      });
    }
    if (s.snapshot !== undefined) {
      if (!snapshotServed(release)) {
        ctx.addIssue({
          code: 'custom',
          path: ['snapshot'],
          message: `snapshot.ubuntu.com does not serve ${s.suite}, which moved to old-releases: remove snapshot`,
        });
      } else if (s.snapshot < SNAPSHOT_FIRST[s.distro]) {
        ctx.addIssue({
          code: 'custom',
          path: ['snapshot'],
          message: `the ${s.distro} snapshot archive starts at ${SNAPSHOT_FIRST[s.distro]}; ${describeInput(s.snapshot)} is earlier`,
        });
      }
      if (s.sourceDateEpoch !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['sourceDateEpoch'],
          message: 'snapshot sets SOURCE_DATE_EPOCH to its moment: remove sourceDateEpoch',
        });
      }
    } else if (s.snapshotMirror !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['snapshotMirror'], message: 'snapshotMirror needs a snapshot: set snapshot or remove snapshotMirror' });
    } else if (s.apt.keepSnapshot) {
      ctx.addIssue({ code: 'custom', path: ['apt', 'keepSnapshot'], message: 'keepSnapshot needs a snapshot: set snapshot or remove keepSnapshot' });
    }
    // C.UTF-8 is built into the C library: it needs no generating.
    if (s.locales.default !== undefined && s.locales.default !== 'C.UTF-8' && !s.locales.generate.includes(s.locales.default)) {
      ctx.addIssue({
        code: 'custom',
        path: ['locales', 'default'],
        message: `default locale ${describeInput(s.locales.default)} is not in locales.generate (${s.locales.generate.length > 0 ? describeInput(s.locales.generate.join(', ')) : 'empty'}); only C.UTF-8 needs no generating`,
      });
    }
    reportReleaseChecks(ctx, s, release);
    reportDuplicates(ctx, ['output', 'tags'], s.output.tags);
    checkEmbedded(s, ctx);
    checkKeyPins(s, ctx);
    if (!s.output.releaseTags.suite && !s.output.latest && s.output.tags.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['output', 'releaseTags', 'suite'], message: 'the image needs one tag known before the build: keep the suite tag, or set latest or tags' });
    }
    checkAccounts(s, release, ctx);
    checkProfile(s, ctx);
    reportDuplicates(ctx, ['repositories'], s.repositories.map((r) => r.name), 'name');
    if (s.apt.backports && release.status === 'development') {
      ctx.addIssue({ code: 'custom', path: ['apt', 'backports'], message: `${s.suite} is a development release: it has no backports` });
    }
    reportDuplicates(ctx, ['files'], [...s.files.map((f) => f.path)], 'path');
    checkCaNames(s.caCertificates, ctx);
    if (release.status === 'archived' && s.repositories.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['repositories'],
        message: `${s.suite} is archived: archived releases take no extra repositories (the oldest apt has no Signed-By to tie a key to its repository); remove repositories`,
      });
    }
    const tarball = s.output.tarball ?? defaultTarball(s.output.compression);
    for (const clash of buildFileClashes(tarball, asList(s.arch).map(archToken), s.expect)) {
      ctx.addIssue({ code: 'custom', path: clash.field === 'tarball' ? ['output', 'tarball'] : ['expect'], message: clash.message });
    }
    for (const [i, d] of s.derived.entries()) {
      reportDuplicates(ctx, ['derived', i, 'tags'], d.tags);
      if (d.tags.includes(s.suite)) {
        ctx.addIssue({ code: 'custom', path: ['derived', i, 'tags'], message: `${describeInput(s.suite)} is tagged already: derived images get :<suite>` });
      }
    }
    reportSharedFolders(ctx, s.derived.map((d) => d.name), s.backend === 'mmdebstrap');
    checkPublish(s, ctx);
    for (const [i, d] of s.derived.entries()) {
      if (d.name === s.name) {
        ctx.addIssue({ code: 'custom', path: ['derived', i, 'name'], message: `${describeInput(d.name)} is the base image's own name` });
      }
    }
  })
  .transform((s) => ({
    ...s,
    arch: asList(s.arch),
    mirror: s.mirror!,
    components: s.components ?? [...distroFacts(s.distro).defaultComponents],
  }));

const asList = (arch: Arch | Arch[]): Arch[] => (Array.isArray(arch) ? arch : [arch]);

/** Each architecture once, one the distro publishes, from a mirror that carries it. */
function checkArches(ctx: z.RefinementCtx, distro: Distro, status: string, given: Arch | Arch[], portsMirror: string | undefined) {
  const facts = distroFacts(distro);
  const arches = asList(given);
  const at = (i: number) => (Array.isArray(given) ? ['arch', i] : ['arch']);
  arches.forEach((arch, i) => {
    if (arches.indexOf(arch) !== i) ctx.addIssue({ code: 'custom', path: at(i), message: `${describeInput(arch)} is listed twice` });
    else if (!facts.arches.includes(arch)) {
      ctx.addIssue({ code: 'custom', path: at(i), message: `${distro} publishes no ${arch}; it has ${facts.arches.join(', ')}` });
    }
  });
  // Which mirror each architecture needs is checked with the release (release-checks.ts).
  const ports = arches.filter((arch) => facts.portsArches.includes(arch));
  if (portsMirror !== undefined && (distro !== 'ubuntu' || ports.length === 0)) {
    ctx.addIssue({
      code: 'custom',
      path: ['portsMirror'],
      message: `${distro === 'ubuntu' ? 'no architecture here comes from' : 'Debian has no'} ports archive: ${distro === 'ubuntu' ? 'remove portsMirror or add a ports architecture (e.g. arm64)' : 'its mirror carries every architecture; remove portsMirror'}`,
    });
  }
}

function reportDuplicates(ctx: z.RefinementCtx, path: (string | number)[], values: readonly string[], key?: string) {
  values.forEach((value, i) => {
    if (values.indexOf(value) !== i) {
      ctx.addIssue({ code: 'custom', path: [...path, i, ...(key ? [key] : [])], message: `${describeInput(value)} is listed twice` });
    }
  });
}

/** update-ca-certificates reads each certificate from its base name: two must not share one. */
function checkCaNames(caCertificates: readonly string[], ctx: z.RefinementCtx) {
  const installed = caCertificates.map(caCertificatePath);
  installed.forEach((path, i) => {
    const first = installed.indexOf(path);
    if (first === i) return;
    ctx.addIssue({
      code: 'custom',
      path: ['caCertificates', i],
      message: `${describeInput(caCertificates[i])} would install to ${path}, as caCertificates[${first}] ${describeInput(caCertificates[first])} does: give each certificate its own file name`,
    });
  });
}

/** Derived images are written to derived/<last name part>/: two must not share one. */
function reportSharedFolders(ctx: z.RefinementCtx, names: readonly string[], buildkit: boolean) {
  for (const { index, first, folder } of sharedDerivedFolders(names)) {
    ctx.addIssue({
      code: 'custom',
      path: ['derived', index, 'name'],
      message: `${describeInput(names[index])} would write ${describeInput(folder).slice(1, -1)}/, as derived[${first}] ${describeInput(names[first])} does: give each a different last name part`,
    });
  }
  // A derived image's bake target is <config>-<last name part>; the base image's is <config>-base.
  for (const [index, name] of names.entries()) {
    if (bakeTargetName(lastPathComponent(name)) !== bakeTargetName(BASE_TARGET_SUFFIX)) continue;
    ctx.addIssue({
      code: 'custom',
      path: ['derived', index, 'name'],
      message: `${describeInput(name)}: its last name part names its bake target <config>-${BASE_TARGET_SUFFIX}, which is the base image's: choose another last name part`,
    });
  }
  // An mmdebstrap config's BuildKit path names <config>-buildkit and <config>-buildkit-*.
  if (!buildkit) return;
  for (const [index, name] of names.entries()) {
    const target = bakeTargetName(lastPathComponent(name));
    if (target !== BUILDKIT_GROUP && !target.startsWith(`${BUILDKIT_GROUP}-`)) continue;
    ctx.addIssue({
      code: 'custom',
      path: ['derived', index, 'name'],
      message: `${describeInput(name)}: its last name part would name the bake target <config>-${target}, and <config>-${BUILDKIT_GROUP}* are the BuildKit path's: choose another last name part`,
    });
  }
}

/** What a config file or a TS object may say: every default may be left out. */
export type SettingsInput = z.input<typeof SettingsSchema>;
/** Validated settings with every default filled. */
export type Settings = z.output<typeof SettingsSchema>;
export type DerivedImage = Settings['derived'][number];
