// Interrupts and the output tree. Without a handler, SIGINT kills node at once, even in
// the middle of writeTree's renames. With one, Node runs it only between synchronous
// steps: rendering (async) is cut short before anything is written, and writeTree (one
// synchronous step) finishes first. Either way the tree is the old one or the new one.

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

export function exitOnInterrupt(): void {
  for (const [signal, code] of Object.entries(EXIT_CODES)) {
    process.once(signal, () => {
      console.error(`mkimage-gen: interrupted (${signal}); the output directory is as it was or fully written`);
      process.exit(code);
    });
  }
}

/**
 * Give a signal that arrived during a synchronous step the chance to run its handler:
 * the loop must poll once, where signals are read. An immediate set from a timer runs
 * after the poll phase of the timer's own loop turn, so that poll comes after the step
 * however long it took, at no fixed cost (a 25 ms timer was a tenth of a generate run).
 */
export function deliverPendingSignals(): Promise<void> {
  return new Promise((resolve) => setTimeout(() => setImmediate(resolve), 0));
}
