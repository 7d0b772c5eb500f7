#!/usr/bin/env node
// dist/cli/main.js: runs the CLI bundle (cli.cjs beside it) with V8's code cache for it
// (cli.cjs.cache), which the build writes after a run of its own. Most of a short run
// was V8 compiling the bundle's code: with the cache it reads that code compiled. A node
// that cannot use the cache (another version, other V8 flags) compiles as without it.
// With MKIMAGE_GEN_WRITE_CODE_CACHE=<file> set (the build does), the cache of what this
// run compiled is written there at exit.
'use strict';
const { readFileSync, statSync, writeFileSync } = require('node:fs');
const { createRequire, wrap } = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

const bundle = join(__dirname, 'cli.cjs');
const cache = `${bundle}.cache`;
let cachedData;
try {
  // V8 checks a cache against its own version and flags and the source's length, not
  // its text: a cli.cjs changed after its cache was written runs without it.
  if (statSync(bundle).mtimeMs <= statSync(cache).mtimeMs) cachedData = readFileSync(cache);
} catch {
  // No cache: compile as usual.
}
// The bundle's first line is its #! line, which only a file may start with.
const source = readFileSync(bundle, 'utf8').replace(/^#!.*/, '');
const script = new Script(wrap(source), { filename: bundle, cachedData });
const cacheOut = process.env.MKIMAGE_GEN_WRITE_CODE_CACHE;
if (cacheOut) process.once('exit', () => writeFileSync(cacheOut, script.createCachedData()));
const module_ = { exports: {} };
script.runInThisContext().call(module_.exports, module_.exports, createRequire(bundle), module_, bundle, __dirname);
