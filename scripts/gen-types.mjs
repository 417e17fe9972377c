// Generates the TypeScript types of each JSON schema with json-schema-to-typescript.
// `npm run gen:types` writes them; `node scripts/gen-types.mjs --check` exits 1 when a
// committed file differs from what the schema gives (the drift test runs that).
import { compileFromFile } from 'json-schema-to-typescript';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** [schema, generated types] pairs; add one line per schema. */
export const schemas = [
  ['schemas/daxfile.schema.json', 'src/config/daxfile.types.ts'],
  ['schemas/dpspec.schema.json', 'src/fits/dpspec.types.ts'],
];

const banner = '/* eslint-disable */\n// Generated from the JSON schema by `npm run gen:types`. Do not edit by hand.\n';

export async function generate(schemaRel) {
  const ts = await compileFromFile(path.join(root, schemaRel), {
    cwd: path.join(root, 'schemas'),
    bannerComment: banner,
    additionalProperties: false,
    style: { singleQuote: true },
  });
  return ts;
}

async function mainCli() {
  const check = process.argv.includes('--check');
  let drift = 0;
  for (const [schema, out] of schemas) {
    let exists = true;
    try { await readFile(path.join(root, schema)); } catch { exists = false; }
    if (!exists) { console.log(`skip ${schema} (not written yet)`); continue; }
    const ts = await generate(schema);
    const target = path.join(root, out);
    const current = await readFile(target, 'utf8').catch(() => '');
    if (check) {
      if (current !== ts) { console.log(`${out} differs from ${schema}: run npm run gen:types`); drift++; }
    } else if (current !== ts) {
      await writeFile(target, ts);
      console.log(`wrote ${out}`);
    }
  }
  process.exitCode = drift ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await mainCli();
