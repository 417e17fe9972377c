// Bundles the CLI (dist/cli/main.js and what it imports, yaml included) into dist/bundle/, which
// bin/dax.js runs. Node's ES module loader resolves, stats and compiles each file on its own:
// the CLI's ~180 modules cost about 40 ms at every start, more than planning a small project.
// One file, not chunks: V8 only pre-parses what a command does not run, and each chunk would be
// a module to load again (splitting saved 35 ms of a small run's 150, one file 55).
// The library (package.json `exports`) stays dist/ as tsc writes it. dist/bundle/ is as deep as
// dist/cli/, so the paths the modules resolve from import.meta.url (the addon, schemas, the
// task threads, the validators) are the same from either.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
rmSync(`${dist}bundle`, { recursive: true, force: true });
await build({
  entryPoints: [`${dist}cli/main.js`],
  outdir: `${dist}bundle`,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Loaded at run time beside dist/ (lazily), never inlined.
  external: ['../config/daxfile.validators.cjs', '../fits/dpspec.validator.cjs'],
  // The CommonJS packages inside (yaml) call require(), which an ES module does not have.
  banner: { js: "import { createRequire as daxRequire } from 'node:module'; const require = daxRequire(import.meta.url);" },
  logLevel: 'warning',
});
