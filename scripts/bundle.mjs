// Bundles the CLI into dist/cli/ (run by `npm run build`, after tsc). The main thing it
// adds to a plain esbuild run: modules that do at run time what can be done once now are
// replaced by their results, computed from tsc's output. src/render/templates.ts, which
// compiles templates/ at run time, becomes the same templates precompiled (through
// src/render/precompile.ts), so the CLI loads the Handlebars runtime and no compiler;
// src/presets/validated.ts, which validates the presets, becomes the presets validated
// (through src/presets/prevalidate.ts), so generate of the presets loads no zod. The
// rest keeps what node parses and runs at start-up to what the command needs.
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { precompiledModule } = await import(join(root, 'dist/src/render/precompile.js'));
const { prevalidatedModule } = await import(join(root, 'dist/src/presets/prevalidate.js'));

/** Source module -> the JavaScript that stands in for it in the bundle. */
const BUILD_TIME_MODULES = new Map([
  [join(root, 'src/render/templates.ts'), precompiledModule()],
  [join(root, 'src/presets/validated.ts'), prevalidatedModule()],
]);
const buildTimeModules = {
  name: 'build-time-modules',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/](render[\\/]templates|presets[\\/]validated)\.ts$/ }, (args) => {
      const contents = BUILD_TIME_MODULES.get(args.path);
      return contents === undefined ? undefined : { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

// string-width (under yargs' help layout) builds an Intl.Segmenter and Unicode-property
// regular expressions when it loads, ~25 ms. Only help text needs it, so each import
// of it becomes a stub that requires the real module on first call: esbuild evaluates
// a require()d module then, not at start-up. And our help text never needs it: the stub
// measures printable ASCII itself, one column a character, as string-width 8 does (the
// 7 under cliui segments every string it is given into graphemes: most of --help).
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData === 'real') return undefined;
      const real = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'real' });
      return { path: real.path, namespace: 'lazy-string-width' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => ({
      contents: `export default function stringWidth(s, ...a) {
        if (typeof s === 'string' && /^[\\x20-\\x7e]*$/.test(s)) return s.length;
        return require(${JSON.stringify(args.path)}).default(s, ...a);
      }`,
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

// yaml and tinyglobby are needed only when a config file, a project file or a --set value
// is read (generating the presets needs neither), yet were a quarter of what generate
// parsed at start-up. Each is bundled on its own into dist/cli/<name>.cjs, and the CLI's
// imports of it become stubs that require() that file on first call. A name missing
// here fails the build (no matching export).
const LAZY_PACKAGES = {
  yaml: ['Document', 'isMap', 'isPair', 'isScalar', 'parse', 'parseDocument'],
  tinyglobby: ['globSync', 'isDynamicPattern'],
};
const lazyPackages = {
  name: 'lazy-packages',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${Object.keys(LAZY_PACKAGES).join('|')})$`) }, (args) => ({ path: args.path, namespace: 'lazy-package' }));
    b.onResolve({ filter: /^\.\/.*\.cjs$/, namespace: 'lazy-package' }, (args) => ({ path: args.path, external: true }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-package' }, (args) => ({
      // `new.target`: a class (yaml's Document) is constructed, a function called.
      contents: LAZY_PACKAGES[args.path]
        .map((name) => `export function ${name}(...a) { const real = require('./${args.path}.cjs').${name}; return new.target ? new real(...a) : real(...a); }`)
        .join('\n'),
      loader: 'js',
    }));
  },
};

// Less text for node to read and parse at every start. Names are kept, so a stack
// trace (printed only for a bug) still names its functions.
const minify = { minifyWhitespace: true, minifySyntax: true };

// One CommonJS file, dist/cli/main.js (package.json's bin), so the lazy packages above
// are plain require()s. Commands still load lazily: esbuild turns each import() of a
// bundled module into running its code on first use. "use strict", as the ES modules it
// is made of were.
rmSync(join(root, 'dist/cli'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outfile: 'dist/cli/main.js',
  packages: 'bundle',
  logLevel: 'warning',
  ...minify,
  // package-root.ts finds the package from import.meta.url.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "'use strict'; var importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [buildTimeModules, lazyStringWidth, lazyPackages],
});
for (const name of Object.keys(LAZY_PACKAGES)) {
  await build({
    absWorkingDir: root,
    // require(), so the packages' own CommonJS builds are the ones bundled.
    stdin: { contents: `module.exports = require('${name}');`, resolveDir: root },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outfile: `dist/cli/${name}.cjs`,
    logLevel: 'warning',
    ...minify,
  });
}
// dist/cli/ is CommonJS.
writeFileSync(join(root, 'dist/cli/package.json'), '{ "type": "commonjs" }\n');
chmodSync(join(root, 'dist/cli/main.js'), 0o755);
