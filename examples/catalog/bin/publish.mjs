#!/usr/bin/env node
// Publishes the catalog database: a consistent copy (VACUUM INTO) written beside --out and
// renamed into place, so readers of the published file never see a half-written database.
//   node publish.mjs --db catalog.db --out published.db
import { renameSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= args.length) {
    process.stderr.write(`publish: --${name} is required\n`);
    process.exit(2);
  }
  return args[i + 1];
};
const dbPath = opt('db');
const out = opt('out');
const tmp = `${out}.tmp-${process.pid}`;
rmSync(tmp, { force: true });
const db = new Database(dbPath, { readonly: true, fileMustExist: true });
db.prepare('VACUUM INTO ?').run(tmp);
const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
for (const { name } of tables) {
  const { n } = db.prepare(`SELECT count(*) AS n FROM "${name.replace(/"/g, '""')}"`).get();
  process.stdout.write(`${name}: ${n} rows\n`);
}
db.close();
renameSync(tmp, out);
