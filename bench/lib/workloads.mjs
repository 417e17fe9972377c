// Workloads: the same pipeline written for each tool. A workload maps a tool name to a writer
// `(dir, n) => void` that fills a fresh project directory for n chunks. A tool a workload has no
// writer for shows "n/a" in the table.
//
// To add one (e.g. a catalog of 10,000 chunks × 3 tables), add an entry here and a scenario in
// bench/engine.mjs that names it; ninja/make writers are optional.

import { writeFileSync } from 'node:fs';
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

  // gen: out/gen/{chunk}.csv by `echo`; ingest: out/ing/{chunk}.done from it by `cp`.
  'two-stage': {
    description: 'gen (echo) then ingest (cp), 2 jobs per chunk',
    jobsPerChunk: 2,
    dax(dir, n) {
      writeFileSync(join(dir, 'chunks.txt'), `0:${n - 1}\n`);
      write(dir, 'Daxfile.yaml', [
        'version: 1',
        'wildcards:',
        "  chunk: { pattern: '[0-9]+', file: chunks.txt }",
        'rules:',
        // Paths are quoted: in a YAML flow collection a plain scalar cannot contain { or }.
        "  gen:    { output: 'out/gen/{chunk}.csv', run: 'echo {chunk} > {output}' }",
        "  ingest: { input: 'out/gen/{chunk}.csv', output: 'out/ing/{chunk}.done', run: 'cp {input} {output}' }",
        "targets: ['out/ing/{chunk}.done']",
      ]);
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
    // Idiomatic fast make: pattern rules, no built-in rules, order-only directory prerequisites,
    // no intermediate-file deletion.
    make(dir, n) {
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
        '\techo $* > $@',
        'out/ing/%.done: out/gen/%.csv | out/ing',
        '\tcp $< $@',
        '',
      ];
      for (const g of groups(n, 200, ingOut)) lines.push(`all: ${g}`);
      write(dir, 'Makefile', lines);
    },
  },
};
