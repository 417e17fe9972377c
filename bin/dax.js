#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/bundle/ (built by `npm ci` through the prepare
// script; scripts/bundle.mjs says why it is one bundle).
import { setFlagsFromString } from 'node:v8';
import { main } from '../dist/bundle/main.js';

// V8 doubles its young generation as objects survive it, and a plan's jobs all survive: at
// 200,000 jobs the grown space and the later full collection cost 45 MB of peak memory (a dry
// run's 163 MB against 207) for up to 0.1 s more CPU there. Kept at its first size, survivors move
// on at once.
setFlagsFromString('--semi-space-growth-factor=1');
main(process.argv).then((code) => { process.exitCode = code; });
