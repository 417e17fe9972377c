#!/usr/bin/env node
// ingest.mjs --db FILE --table NAME --chunk ID --files chunk_ID.txt chunk_ID_overlap.txt --done FILE
// Loads a chunk's partitioned files into SQLite (better-sqlite3). In ONE transaction it creates
// the table if missing, deletes the chunk's earlier rows of that table and inserts the new ones,
// so re-running after a crash leaves the same content. Files named *_overlap.txt are loaded with
// overlap = 1. WAL mode and a busy timeout let concurrent ingests of other chunks take turns.
// The --done marker is written (atomically) only after the commit.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import Database from 'better-sqlite3';
import { UsageError, VALUE_COLUMNS, intOption, parseOptions, run, tableOption, writeAtomic } from './lib.mjs';

const COLUMNS = [
  ['id', 'INTEGER NOT NULL'],
  ['ra', 'REAL NOT NULL'],
  ['dec', 'REAL NOT NULL'],
  ...VALUE_COLUMNS.map((c) => [c, c === 'flag' ? 'INTEGER' : 'REAL']),
  ['chunkId', 'INTEGER NOT NULL'],
  ['subChunkId', 'INTEGER NOT NULL'],
  ['overlap', 'INTEGER NOT NULL'],
];
const FIELDS = COLUMNS.length - 1; // every column but `overlap` comes from the file

run('ingest', (argv) => {
  const opts = parseOptions(argv, { required: ['db', 'table', 'chunk', 'done'], lists: ['files'] });
  const table = tableOption(opts);
  const chunk = intOption(opts, 'chunk');

  // Read and check everything before touching the database.
  const rows = [];
  for (const file of opts.files) {
    const overlap = basename(file).endsWith('_overlap.txt') ? 1 : 0;
    const lines = readFileSync(file, 'utf8').split('\n');
    for (let n = 0; n < lines.length; ++n) {
      if (lines[n] === '') continue;
      const fields = lines[n].split('\t').map((f) => (f === '\\N' ? null : f));
      if (fields.length !== FIELDS) throw new Error(`${file}:${n + 1}: expected ${FIELDS} tab-separated fields, got ${fields.length}`);
      if (fields[FIELDS - 2] !== String(chunk)) throw new Error(`${file}:${n + 1}: row of chunk ${fields[FIELDS - 2]}, not ${chunk}`);
      rows.push([...fields, overlap]);
    }
  }

  const db = new Database(opts.db, { timeout: 60_000 }); // busy timeout: wait for other writers
  try {
    db.pragma('journal_mode = WAL');
    const q = `"${table}"`;
    const load = db.transaction(() => {
      db.exec(
        `CREATE TABLE IF NOT EXISTS ${q} (${COLUMNS.map(([c, t]) => `${c} ${t}`).join(', ')}, PRIMARY KEY (chunkId, id));` +
          `CREATE INDEX IF NOT EXISTS "${table}_subChunk" ON ${q} (chunkId, subChunkId);`,
      );
      const have = db.prepare(`PRAGMA table_info(${q})`).all().map((c) => c.name);
      if (have.join(',') !== COLUMNS.map(([c]) => c).join(',')) {
        throw new UsageError(`table ${table} in ${opts.db} has columns ${have.join(', ')}, not ${COLUMNS.map(([c]) => c).join(', ')}`);
      }
      const removed = db.prepare(`DELETE FROM ${q} WHERE chunkId = ?`).run(chunk).changes;
      const insert = db.prepare(`INSERT INTO ${q} VALUES (${COLUMNS.map(() => '?').join(', ')})`);
      for (const r of rows) insert.run(r);
      return removed;
    });
    // IMMEDIATE takes the write lock up front, so two ingests never deadlock upgrading a read lock.
    const removed = load.immediate();
    const overlapRows = rows.filter((r) => r[FIELDS] === 1).length;
    writeAtomic(opts.done, `${JSON.stringify({ table, chunk, rows: rows.length - overlapRows, overlapRows })}\n`);
    process.stdout.write(
      `ingest: chunk ${chunk} ${table}: ${rows.length - overlapRows} rows, ${overlapRows} overlap rows` +
        `${removed > 0 ? ` (replaced ${removed} earlier rows)` : ''} -> ${opts.db}\n`,
    );
  } finally {
    db.close();
  }
});
