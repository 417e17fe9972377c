#!/usr/bin/env node
// partition.mjs --chunk ID --stripes N --substripes M --overlap DEG --out-dir DIR --table NAME
//               --inputs FILE...
// Reads CSV rows (the chunk's CT file and its neighbours' EO or CT files) and writes, in DIR:
//   chunk_<ID>.txt          rows that the chunker locates in chunk ID
//   chunk_<ID>_overlap.txt  rows of other chunks inside chunk ID's box grown by --overlap
//                           (Chunker.getGrownBounds: ±overlap in Dec, ±overlap in RA, unscaled)
// tab-separated, \N for empty fields, with chunkId and subChunkId appended. Overlap rows carry
// chunkId = ID (the chunk whose overlap they are) and the sub-chunk of ID nearest to them.
// Rows elsewhere are dropped; a row id seen twice (CT and EO of one chunk) is kept once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boxContains, degToRad } from 'dax-pipeline/chunks';
import { chunkOptions, numberOption, parseOptions, run, tableOption, writeAtomic } from './lib.mjs';

run('partition', (argv) => {
  const opts = parseOptions(argv, {
    required: ['chunk', 'stripes', 'substripes', 'overlap', 'out-dir', 'table'],
    lists: ['inputs'],
  });
  const { chunker, chunk } = chunkOptions(opts);
  const table = tableOption(opts);
  const overlap = numberOption(opts, 'overlap', 0);
  const grown = chunker.getGrownBounds(chunk, overlap);

  const seen = new Map(); // id -> "file:line" and the line, to drop repeats and catch conflicts
  const inside = [];
  const near = [];
  let elsewhere = 0;
  let repeats = 0;
  for (const file of opts.inputs) {
    const lines = readFileSync(file, 'utf8').split('\n');
    for (let n = 0; n < lines.length; ++n) {
      const line = lines[n];
      if (line === '') continue;
      const where = `${file}:${n + 1}`;
      const fields = line.split(',');
      const ra = Number(fields[1]);
      const dec = Number(fields[2]);
      if (fields.length < 3 || fields[0] === '' || !Number.isFinite(ra) || !(dec >= -90 && dec <= 90)) {
        throw new Error(`${where}: expected id,ra,dec,... with ra/dec in degrees, got "${line.slice(0, 80)}"`);
      }
      const previous = seen.get(fields[0]);
      if (previous !== undefined) {
        // The same row from a chunk's CT and EO files; different content means stale files.
        if (previous.line !== line) throw new Error(`${where}: row ${fields[0]} differs from ${previous.where}; stale chunk files?`);
        repeats++;
        continue;
      }
      seen.set(fields[0], { where, line });
      const home = chunker.getSubChunk(ra, dec);
      if (home.chunkId === chunk) {
        inside.push({ id: fields[0], fields, subChunkId: home.subChunkId });
      } else if (boxContains(grown, degToRad(ra), degToRad(dec))) {
        near.push({ id: fields[0], fields, subChunkId: chunker.getSubChunkIn(chunk, ra, dec) });
      } else {
        elsewhere++;
      }
    }
  }

  // Sorted by id so the output does not depend on the order of --inputs.
  const byId = (x, y) => (x.id.length - y.id.length) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
  const tsv = (rows) =>
    rows
      .sort(byId)
      .map((r) => `${[...r.fields.map((f) => (f === '' ? '\\N' : f)), chunk, r.subChunkId].join('\t')}\n`)
      .join('');
  writeAtomic(join(opts['out-dir'], `chunk_${chunk}.txt`), tsv(inside));
  writeAtomic(join(opts['out-dir'], `chunk_${chunk}_overlap.txt`), tsv(near));
  process.stdout.write(
    `partition: chunk ${chunk} ${table}: ${inside.length} rows, ${near.length} overlap rows ` +
      `(${elsewhere} rows of other chunks beyond the overlap dropped, ${repeats} repeats)\n`,
  );
});
