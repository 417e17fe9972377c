#!/usr/bin/env node
// generate.mjs --chunk ID --table NAME --kind ct|eo --edge-width DEG --stripes N --substripes M
//              --seed S --rows R --out FILE
// Writes the rows of one chunk of one table as CSV (id,ra,dec,flux,flag; no header).
// Deterministic per (seed, table, chunk). Edge rows (within --edge-width of the chunk's border,
// measured like Chunker.edgeDistance) come first, so the EO file equals the CT file's first lines.
import { UsageError, chunkOptions, intOption, numberOption, parseOptions, run, tableOption, writeAtomic } from './lib.mjs';

/** 32-bit FNV-1a of a string: turns (seed, table, chunk) into a PRNG seed. */
function fnv1a(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; ++i) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** mulberry32: small, fast, good enough for test data. Returns [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

run('generate', (argv) => {
  const opts = parseOptions(argv, { required: ['chunk', 'table', 'kind', 'edge-width', 'stripes', 'substripes', 'seed', 'rows', 'out'] });
  const { chunker, chunk } = chunkOptions(opts);
  const table = tableOption(opts);
  if (opts.kind !== 'ct' && opts.kind !== 'eo') throw new UsageError(`--kind must be ct or eo, got "${opts.kind}"`);
  const edgeWidth = numberOption(opts, 'edge-width', 0);
  const rows = intOption(opts, 'rows');
  if (rows >= 1e6) throw new UsageError('--rows must be < 1000000 (ids are chunkId·10⁶ + row)');
  const seed = opts.seed;

  const info = chunker.chunkInfo(chunk);
  const box = chunker.getChunkNominalBounds(chunk);
  const width = 360 / info.chunksInStripe;
  const sinA = Math.sin(box.lat.a);
  const sinB = Math.sin(box.lat.b);
  const random = mulberry32(fnv1a(`${seed}/${table}/${chunk}`));

  const edge = [];
  const inner = [];
  for (let i = 0; i < rows; ++i) {
    // Uniform on the sphere within the box; redraw the rare point that sits on a boundary the
    // chunker gives to a neighbour, so every row of this file locates in this chunk.
    let ra;
    let dec;
    do {
      ra = (info.chunk + random()) * width;
      dec = (Math.asin(sinA + random() * (sinB - sinA)) * 180) / Math.PI;
    } while (chunker.locate(ra, dec) !== chunk);
    const flux = (random() * 1000).toFixed(3);
    const flagDraw = random();
    const flag = flagDraw < 0.1 ? '' : String(Math.floor(flagDraw * 160) % 16); // ~10% NULL
    const line = `${chunk * 1e6 + i},${ra},${dec},${flux},${flag}\n`;
    (chunker.edgeDistance(chunk, ra, dec) <= edgeWidth ? edge : inner).push(line);
  }
  const text = opts.kind === 'eo' ? edge.join('') : edge.join('') + inner.join('');
  writeAtomic(opts.out, text);
  process.stdout.write(
    `generate: chunk ${chunk} ${table} ${opts.kind}: ${opts.kind === 'eo' ? edge.length : rows} rows (${edge.length} edge) -> ${opts.out}\n`,
  );
});
