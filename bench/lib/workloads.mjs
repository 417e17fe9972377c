// Workloads: the same pipeline written for each tool. A workload maps a tool name to a writer
// `(dir, n) => void` that fills a fresh project directory for n chunks. A tool a workload has no
// writer for shows "n/a" in the table.
//
// To add one (e.g. a catalog of 10,000 chunks × 3 tables), add an entry here and a scenario in
// bench/engine.mjs that names it; ninja/make writers are optional.

import { mkdirSync, openSync, closeSync, writeSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/** Paths of the two-stage pipeline for one chunk. */
const genOut = (c) => `out/gen/${c}.csv`;
const ingOut = (c) => `out/ing/${c}.done`;

/** Writes lines to a file in one go (the big files are ~10 MB at 100,000 chunks). */
function write(dir, name, lines) {
  writeFileSync(join(dir, name), lines.join('\n') + '\n');
}

/** Prerequisite/default lists, 200 per line. */
function* groups(n, size, f) {
  for (let i = 0; i < n; i += size) {
    const part = [];
    for (let c = i; c < Math.min(n, i + size); c++) part.push(f(c));
    yield part.join(' ');
  }
}

export const WORKLOADS = {
  // rules/catalog.yaml over the whole sky with as many stripes as give about n chunks, 3 tables:
  // generate CT, partition (with the neighbours' CT), ingest per chunk and table, and publish.
  // Only dax has it: its planning is what is measured (the commands never run).
  catalog: {
    description: 'rules/catalog.yaml, 3 tables: 9 jobs per chunk',
    jobsPerChunk: 9,
    dax(dir, n) {
      const stripes = Math.max(2, Math.round(90 * Math.sqrt(n / 10_084)));
      write(dir, 'Daxfile.yaml', [
        'version: 1',
        `include: [${JSON.stringify(join(REPO, 'rules/catalog.yaml'))}]`,
        'vars:',
        '  data: out',
        '  db: out/catalog.db',
        `  stripes: ${stripes}`,
        '  substripes: 12',
        "  generate: 'true'",
        "  partition: 'true'",
        "  ingest: 'true'",
        "  publish: 'true'",
        'wildcards:',
        `  chunk: { pattern: '[0-9]+', chunks: { stripes: ${stripes}, substripes: 12 } }`,
        '  table: { values: [Object, Source, Forced_Source] }',
        "targets: ['{vars.data}/published.db']",
      ]);
    },
  },
  // No pipeline: a command that needs none (dax chunks).
  none: { description: 'no project', jobsPerChunk: 0, dax() {} },

  // Every job needs a shell (an operator and a redirection): dax cannot start it without one.
  // The same dependency as two-stage (ingest waits for gen), so the schedulers do the same work.
  shell: {
    description: 'gen then ingest, each `mkdir -p d && echo x > {output}`, 2 jobs per chunk',
    jobsPerChunk: 2,
    dax(dir, n) {
      twoStageDaxfile(dir, n, 'mkdir -p d && echo x > {output}', 'mkdir -p d && echo x > {output}');
    },
    ninja(dir, n) {
      const lines = ['rule sh', '  command = mkdir -p d && echo x > $out', ''];
      for (let c = 0; c < n; c++) lines.push(`build ${genOut(c)}: sh`, `build ${ingOut(c)}: sh ${genOut(c)}`);
      for (const g of groups(n, 200, ingOut)) lines.push(`default ${g}`);
      write(dir, 'build.ninja', lines);
    },
    make(dir, n) {
      twoStageMakefile(dir, n, 'mkdir -p d && echo x > $@', 'mkdir -p d && echo x > $@');
    },
  },

  // The two-stage Daxfile with a journal of 10^6 records already in .dax/: 5 earlier runs, each a
  // start and an end per job (n chunks: 2n jobs, 20n records), the ends with input and output
  // prints as dax writes them (size, mtime, content hash). The project is never built.
  'journal-1m': {
    description: 'two-stage Daxfile and a journal of 20 records per chunk (5 runs × start/end × 2 jobs)',
    jobsPerChunk: 2,
    dax(dir, n) {
      WORKLOADS['two-stage'].dax(dir, n);
      writeJournal(join(dir, '.dax'), n, 5);
    },
  },

  // gen: out/gen/{chunk}.csv by `echo`; ingest: out/ing/{chunk}.done from it by `cp`.
  'two-stage': {
    description: 'gen (echo) then ingest (cp), 2 jobs per chunk',
    jobsPerChunk: 2,
    dax(dir, n) {
      twoStageDaxfile(dir, n, 'echo {chunk} > {output}', 'cp {input} {output}');
    },
    // ninja creates the parent directories of outputs itself.
    ninja(dir, n) {
      const lines = ['rule gen', '  command = echo $chunk > $out', 'rule ingest', '  command = cp $in $out', ''];
      for (let c = 0; c < n; c++) {
        lines.push(`build ${genOut(c)}: gen`, `  chunk = ${c}`, `build ${ingOut(c)}: ingest ${genOut(c)}`);
      }
      for (const g of groups(n, 200, ingOut)) lines.push(`default ${g}`);
      write(dir, 'build.ninja', lines);
    },
    make(dir, n) {
      twoStageMakefile(dir, n, 'echo $* > $@', 'cp $< $@');
    },
  },
};

/** The two-stage pipeline as a Daxfile: gen makes out/gen/{chunk}.csv, ingest out/ing/{chunk}.done from it. */
function twoStageDaxfile(dir, n, genRun, ingestRun) {
  writeFileSync(join(dir, 'chunks.txt'), `0:${n - 1}\n`);
  write(dir, 'Daxfile.yaml', [
    'version: 1',
    'wildcards:',
    "  chunk: { pattern: '[0-9]+', file: chunks.txt }",
    'rules:',
    // Paths are quoted: in a YAML flow collection a plain scalar cannot contain { or }.
    `  gen:    { output: 'out/gen/{chunk}.csv', run: '${genRun}' }`,
    `  ingest: { input: 'out/gen/{chunk}.csv', output: 'out/ing/{chunk}.done', run: '${ingestRun}' }`,
    "targets: ['out/ing/{chunk}.done']",
  ]);
}

/** The same as an idiomatic fast Makefile: pattern rules, no built-in rules, order-only
 * directory prerequisites, no intermediate-file deletion. */
function twoStageMakefile(dir, n, genRecipe, ingestRecipe) {
  const lines = [
    'MAKEFLAGS += --no-builtin-rules',
    '.SUFFIXES:',
    '.SECONDARY:', // keep out/gen/*.csv (make would delete them as intermediate files)
    '.PHONY: all',
    'all:',
    '',
    'out/gen out/ing:',
    '\tmkdir -p $@',
    'out/gen/%.csv: | out/gen',
    `\t${genRecipe}`,
    'out/ing/%.done: out/gen/%.csv | out/ing',
    `\t${ingestRecipe}`,
    '',
  ];
  for (const g of groups(n, 200, ingOut)) lines.push(`all: ${g}`);
  write(dir, 'Makefile', lines);
}

/** A journal as `runs` full builds of the two-stage pipeline over n chunks would leave. */
export function writeJournal(stateDir, n, runs) {
  mkdirSync(stateDir, { recursive: true });
  const fd = openSync(join(stateDir, 'journal.jsonl'), 'w');
  const buf = [JSON.stringify({ t: 'journal', v: 3 })];
  const flush = () => {
    writeSync(fd, buf.join('\n') + '\n');
    buf.length = 0;
  };
  let ts = 1_790_000_000_000;
  const hash = (c, r) => Buffer.from(`${c}:${r}:0123456789abcdef`).toString('base64url').slice(0, 27).padEnd(27, 'A');
  for (let r = 0; r < runs; r++) {
    const id = `20261201-1200${String(r).padStart(2, '0')}-${(0xa000 + r).toString(16)}`;
    buf.push(JSON.stringify({ t: 'run', id, start: ts, targets: [], sets: {}, keepGoing: false, pid: 1000 + r, host: 'bench' }));
    for (let c = 0; c < n; c++) {
      const g = `gen[chunk=${c}]`;
      const i = `ingest[chunk=${c}]`;
      const m = ts + 0.8574;
      buf.push(JSON.stringify({ t: 'start', j: g, r: id, a: 1, ts, w: 'local' }));
      buf.push(JSON.stringify({ t: 'end', j: g, r: id, a: 1, b: ts, ts: ts + 2, s: 'ok', x: 0, c: hash(c, 'g').slice(0, 11), i: [], o: [[genOut(c), String(c).length + 1, m]], w: 'local' }));
      buf.push(JSON.stringify({ t: 'start', j: i, r: id, a: 1, ts: ts + 3, w: 'local' }));
      buf.push(JSON.stringify({
        t: 'end', j: i, r: id, a: 1, b: ts + 3, ts: ts + 5, s: 'ok', x: 0, c: hash(c, 'i').slice(0, 11),
        i: [[genOut(c), String(c).length + 1, m, hash(c, r)]], o: [[ingOut(c), String(c).length + 1, ts + 4.5784]], w: 'local',
      }));
      ts += 1;
      if (buf.length >= 20_000) flush();
    }
    buf.push(JSON.stringify({ t: 'runend', id, end: ts, result: 'ok', counts: { total: 2 * n, upToDate: 0, toRun: 2 * n, done: 2 * n, failed: 0, skipped: 0, incomplete: 0, running: 0 } }));
  }
  flush();
  closeSync(fd);
}
