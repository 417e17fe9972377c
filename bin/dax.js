#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/bundle/ (built by `npm ci` through the prepare
// script; scripts/bundle.mjs says why it is one bundle).
import { main } from '../dist/bundle/main.js';
main(process.argv).then((code) => { process.exitCode = code; });
