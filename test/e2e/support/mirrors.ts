// The mirror lookup lives with the other build-host helpers, shared with the benchmark.
export * from '../../../buildhost/mirrors.js';
