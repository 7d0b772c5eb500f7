// Preloaded into the CLI by the scaling benchmark (node --import): prints the process's
// peak resident memory when it exits, which the benchmark reads from stderr.
process.on('exit', () => process.stderr.write(`bench-maxrss-kb ${process.resourceUsage().maxRSS}\n`));
