// Bundles the CLI into dist/cli/ (run by `npm run build`, after tsc). The one thing it
// adds to a plain esbuild run: src/render/templates.ts, which compiles templates/ at
// run time, is replaced by the same templates precompiled now (from tsc's output of
// src/render/precompile.ts), so the CLI loads the Handlebars runtime and no compiler.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { precompiledModule } = await import(join(root, 'dist/src/render/precompile.js'));

const templatesModule = join(root, 'src/render/templates.ts');
const precompiledTemplates = {
  name: 'precompiled-templates',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]render[\\/]templates\.ts$/ }, (args) =>
      args.path === templatesModule ? { contents: precompiledModule(), loader: 'js', resolveDir: dirname(templatesModule) } : undefined,
    );
  },
};

// string-width (under yargs' help layout) builds an Intl.Segmenter and Unicode-property
// regular expressions when it loads, ~25 ms. Only help text needs it, so each import
// of it becomes a stub that requires the real module on first call: esbuild evaluates
// a require()d module then, not at start-up.
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData === 'real') return undefined;
      const real = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'real' });
      return { path: real.path, namespace: 'lazy-string-width' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => ({
      contents: `export default function stringWidth(...a) { return require(${JSON.stringify(args.path)}).default(...a); }`,
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

// Chunk names carry a hash: clear out the last build's so none is left behind.
rmSync(join(root, 'dist/cli'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: 'dist/cli',
  chunkNames: '[name]-[hash]',
  packages: 'bundle',
  logLevel: 'warning',
  // Less text for node to read and parse at every start. Names are kept, so a stack
  // trace (printed only for a bug) still names its functions.
  minifyWhitespace: true,
  minifySyntax: true,
  // The bundled CommonJS packages (yargs' helpers, Handlebars) call require().
  banner: { js: "import { createRequire as mkimageRequire } from 'node:module'; const require = mkimageRequire(import.meta.url);" },
  plugins: [precompiledTemplates, lazyStringWidth],
});
