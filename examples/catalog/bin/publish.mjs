#!/usr/bin/env node
// Publishes the catalog database: a consistent copy (VACUUM INTO) written beside --out and
// renamed into place, so readers of the published file never see a half-written database.
//   node publish.mjs --db catalog.db --out published.db
import Database from 'better-sqlite3';
import { openAtomic } from 'dax-pipeline';
import { parseOptions, run } from './lib.mjs';

run('publish', (argv) => {
  const opts = parseOptions(argv, { required: ['db', 'out'] });
  const db = new Database(opts.db, { readonly: true, fileMustExist: true });
  try {
    // VACUUM INTO writes the (empty) temp by name; commit renames it into place.
    const out = openAtomic(opts.out, { durable: true });
    if (!out.ok) throw new Error(out.error.message);
    try {
      db.prepare('VACUUM INTO ?').run(out.value.temp);
    } catch (e) {
      out.value.abort();
      throw e;
    }
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    const counts = tables.map(({ name }) => `${name}: ${db.prepare(`SELECT count(*) AS n FROM "${name.replace(/"/g, '""')}"`).get().n} rows\n`);
    const done = out.value.commit();
    if (!done.ok) throw new Error(done.error.message);
    process.stdout.write(counts.join(''));
  } finally {
    db.close();
  }
});
