// The build model: every setting of an image build, validated with zod. Defaults are
// filled here and nowhere else, so the rest of the pipeline sees complete settings.
import { z } from 'zod';
import { codenames, defaultSecurityMirror, distroFacts, findRelease, RELEASES, securitySuite } from '../releases/index.js';
import { sharedDerivedFolders } from '../layout.js';
import {
  ARCHES,
  COMPONENT,
  ENV_KEY,
  FILE_NAME,
  IMAGE_REPOSITORY,
  IMAGE_TAG,
} from './formats.js';
import { describeInput } from './describe.js';
import { localeProblem } from './locale.js';
import { packageSpecProblem } from './packages.js';
import { reportReleaseChecks } from './release-checks.js';
import { timezoneProblem } from './timezone.js';
import { checkUrl } from './urls.js';
import { didYouMean } from './suggest.js';

export { describeInput } from './describe.js';

/** A strict object whose unknown keys are reported with the nearest known key. */
function strictObject<T extends z.ZodRawShape>(shape: T) {
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
  /** usr/sbin/policy-rc.d exits 101: package scripts start no services in the build or the container. */
  policyRcD: z.boolean().default(true),
  /** Divert /sbin/initctl to /bin/true; auto = only in the upstart era. */
  initctl: z.union([z.boolean(), z.literal('auto')]).default('auto'),
  /** dpkg force-unsafe-io: no sync() after each unpack. */
  unsafeIo: z.boolean().default(true),
  /** DPkg::Post-Invoke deletes downloaded .debs after every install. */
  noCache: z.boolean().default(true),
  /** Acquire::Languages "none": no translated package descriptions. */
  noLanguages: z.boolean().default(true),
  /** Keep apt's package lists gzipped on disk. */
  gzipIndexes: z.boolean().default(true),
  /** Do not keep Suggests-only packages from autoremove. */
  autoremoveSuggests: z.boolean().default(true),
});

const apt = strictObject({
  /** auto = the format the release itself writes. */
  format: oneOf(['auto', 'one-line', 'deb822']).default('auto'),
  updates: z.boolean().default(true),
  security: z.boolean().default(true),
});

const locales = strictObject({
  generate: z.array(locale).default([]),
  default: locale.optional(),
});

const output = strictObject({
  /** Tarball file name; default rootfs.tar plus the compression's suffix. */
  tarball: pattern(FILE_NAME, 'a plain file name', 'rootfs.tar.xz').optional(),
  compression: oneOf(['xz', 'gzip', 'zstd', 'none']).default('xz'),
  /** Import the tarball into this engine after the build, or not at all. */
  import: oneOf(['docker', 'podman', 'none']).default('docker'),
  /** Also tag the image latest. */
  latest: z.boolean().default(false),
  /** Extra tags beside the suite and the version read from the rootfs. */
  tags: z.array(imageTag).default([]),
});

const derivedImage = strictObject({
  name: imageRepository,
  packages: z.array(packageSpec(true)).default([]),
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
        checked((value) => {
          if (/[\x00-\x1f\x7f]/.test(value)) return `${describeInput(value)}: an environment value cannot hold control characters or newlines`;
          if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value)) {
            return `${describeInput(value)}: an environment value cannot hold a lone surrogate (not text in any encoding)`;
          }
          if (value.includes('\ufffd')) {
            return `${describeInput(value)}: the value holds U+FFFD, the mark of bytes that were not valid UTF-8; write the text in UTF-8`;
          }
          return undefined;
        }),
      ),
    )
    .default({}),
  /** Undo the Docker tweaks, for images that run services. */
  undoTweaks: z.boolean().default(false),
});

const settingsShape = {
  /** Image repository, e.g. local/debian-ja. */
  name: imageRepository,
  distro: oneOf(['debian', 'ubuntu']),
  suite: z.string().min(1),
  arch: oneOf(ARCHES).default('amd64'),
  variant: oneOf(['minbase', 'buildd', 'default']).default('minbase'),
  backend: oneOf(['debootstrap', 'mmdebstrap']).default('debootstrap'),
  mirror: mirrorUrl.optional(),
  securityMirror: mirrorUrl.optional(),
  components: z.array(pattern(COMPONENT, 'an archive component', 'main')).min(1).optional(),
  /** Packages added to the variant; `name=version` pins with backend: mmdebstrap. */
  include: z.array(packageSpec(true)).default([]),
  exclude: z.array(packageSpec(false)).default([]),
  /** Add the release's iproute/iproute2: without `ip` the container has no network. */
  networkTools: z.boolean().default(true),
  /** HTTP proxy for the build only; it is not written into the image. */
  proxy: url('a proxy URL', 'http://proxy.example:3128').optional(),
  tweaks: tweaks.default(tweaks.parse({})),
  apt: apt.default(apt.parse({})),
  upgrade: z.boolean().default(true),
  clean: z.boolean().default(true),
  locales: locales.default(locales.parse({})),
  /** An IANA zone as tzdata ships it (legacy names only where the release's tzdata has them). */
  timezone: checked(timezoneProblem).optional(),
  /** dpkg path-exclude rules: no docs, man pages or translations (copyright files stay). */
  slim: z.boolean().default(false),
  /** Same mirror content, same tarball bytes: clamped mtimes, sorted entries, no machine-id. */
  reproducible: z.boolean().default(true),
  /** Timestamp for reproducible tarballs; default: the newest Date of the Release files the build reads. */
  sourceDateEpoch: z.number().int().min(0).max(2 ** 32).optional(),
  output: output.default(output.parse({})),
  derived: z.array(derivedImage).default([]),
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
          : `unknown ${s.distro} suite ${describeInput(s.suite)}${didYouMean(s.suite, known)}; known: ${known.join(', ')}`,
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
    if (s.locales.default !== undefined && !s.locales.generate.includes(s.locales.default)) {
      ctx.addIssue({
        code: 'custom',
        path: ['locales', 'default'],
        message: `default locale ${describeInput(s.locales.default)} is not in locales.generate (${s.locales.generate.length > 0 ? describeInput(s.locales.generate.join(', ')) : 'empty'})`,
      });
    }
    reportReleaseChecks(ctx, s, release);
    reportDuplicates(ctx, ['output', 'tags'], s.output.tags);
    reportSharedFolders(ctx, s.derived.map((d) => d.name));
    for (const [i, d] of s.derived.entries()) {
      if (d.name === s.name) {
        ctx.addIssue({ code: 'custom', path: ['derived', i, 'name'], message: `${describeInput(d.name)} is the base image's own name` });
      }
    }
  })
  .transform((s) => ({
    ...s,
    mirror: s.mirror!,
    components: s.components ?? [...distroFacts(s.distro).defaultComponents],
  }));

function reportDuplicates(ctx: z.RefinementCtx, path: (string | number)[], values: readonly string[]) {
  values.forEach((value, i) => {
    if (values.indexOf(value) !== i) {
      ctx.addIssue({ code: 'custom', path: [...path, i], message: `${describeInput(value)} is listed twice` });
    }
  });
}

/** Derived images are written to derived/<last name part>/: two must not share one. */
function reportSharedFolders(ctx: z.RefinementCtx, names: readonly string[]) {
  for (const { index, first, folder } of sharedDerivedFolders(names)) {
    ctx.addIssue({
      code: 'custom',
      path: ['derived', index, 'name'],
      message: `${describeInput(names[index])} would write ${describeInput(folder).slice(1, -1)}/, as derived[${first}] ${describeInput(names[first])} does: give each a different last name part`,
    });
  }
}

/** What a config file or a TS object may say: every default may be left out. */
export type SettingsInput = z.input<typeof SettingsSchema>;
/** Validated settings with every default filled. */
export type Settings = z.output<typeof SettingsSchema>;
export type DerivedImage = Settings['derived'][number];
