#!/usr/bin/env node
// dax merge benchmark: merges FITS sources holding 1 GB of data (in a temp dir, removed after)
// and prints its wall time beside `cat` of the same files to a file, and its peak RSS.
// Usage: npm run bench:merge [-- --gb 2] [-- --runs 3] [-- --keep]
// Needs a built dist/ (npm run build). Peak RSS: `/usr/bin/time -f %M` when installed (apt
// package `time`), else VmHWM polled from /proc/PID/status every 5 ms.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync, writeFileSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchEnv } from './lib/env.mjs';

const envNote = benchEnv();
if (envNote) console.log(`bench: ${envNote}`);

const REPO = dirname(dirname(fileURLToPath(import.meta.url)));
const DAX = join(REPO, 'bin', 'dax.js');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
if (args.includes('--help')) {
  console.log('npm run bench:merge [-- --gb N] [-- --runs N] [-- --keep]');
  process.exit(0);
}
const GB = opt('gb', 1);
const RUNS = opt('runs', 3);
const KEEP = args.includes('--keep');
if (!existsSync(join(REPO, 'dist/cli/main.js'))) {
  console.error('bench:merge: dist/ is missing; run npm run build first');
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Fixtures: a target with a large primary image and two sources with image extensions; random
// bytes (no sparse files, no zero pages), headers written by hand.

const BLOCK = 2880;
const card = (s) => s.padEnd(80);
const kv = (k, v) => card(`${k.padEnd(8)}= ${typeof v === 'string' ? `'${v.padEnd(8)}'` : typeof v === 'boolean' ? (v ? 'T' : 'F').padStart(20) : String(v).padStart(20)}`);
function header(cards) {
  const text = [...cards, card('END')].join('');
  const b = Buffer.alloc(Math.ceil(text.length / BLOCK) * BLOCK, 0x20);
  b.write(text, 'latin1');
  return b;
}

const chunk = randomFillSync(Buffer.allocUnsafe(8 * 1024 * 1024));
function writeData(fd, bytes) {
  let left = bytes;
  while (left > 0) {
    const n = Math.min(left, chunk.length);
    writeSync(fd, chunk, 0, n);
    left -= n;
  }
  const pad = (BLOCK - (bytes % BLOCK)) % BLOCK;
  if (pad) writeSync(fd, Buffer.alloc(pad));
}

/** A file of one primary HDU (`primaryBytes` of 32-bit pixels, or none) and image extensions. */
function makeFits(path, primaryBytes, extBytes, prefix) {
  const fd = openSync(path, 'w');
  const px = (b) => b / 4;
  const w = 1000;
  if (primaryBytes > 0) {
    writeSync(fd, header([kv('SIMPLE', true), kv('BITPIX', 32), kv('NAXIS', 2), kv('NAXIS1', w), kv('NAXIS2', px(primaryBytes) / w), kv('EXTEND', true), kv('OBJECT', 'bench')]));
    writeData(fd, primaryBytes);
  } else {
    writeSync(fd, header([kv('SIMPLE', true), kv('BITPIX', 8), kv('NAXIS', 0), kv('EXTEND', true), kv('OBJECT', 'src')]));
  }
  for (const [i, b] of extBytes.entries()) {
    writeSync(fd, header([kv('XTENSION', 'IMAGE'), kv('BITPIX', 32), kv('NAXIS', 2), kv('NAXIS1', w), kv('NAXIS2', px(b) / w), kv('PCOUNT', 0), kv('GCOUNT', 1), kv('EXTNAME', `${prefix}${i}`)]));
    writeData(fd, b);
  }
  closeSync(fd);
}

// ---------------------------------------------------------------------------------------------
// Measuring.

const hasTime = existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status === 0;

/** Runs argv; resolves to wall seconds and peak RSS in MB (for `rss` runs). */
function run(argv, { stdout = 'ignore', rss = false, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const tfile = join(os.tmpdir(), `dax-bench-time-${process.pid}`);
    const full = rss && hasTime ? ['/usr/bin/time', '-f', '%M', '-o', tfile, ...argv] : argv;
    const out = typeof stdout === 'string' && stdout !== 'ignore' ? openSync(stdout, 'w') : 'ignore';
    const t0 = process.hrtime.bigint();
    const child = spawn(full[0], full.slice(1), { cwd, stdio: ['ignore', out, 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let hwm = 0;
    let poll;
    if (rss && !hasTime) {
      poll = setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) hwm = Math.max(hwm, Number(m[1]));
        } catch {
          // the process has just ended
        }
      }, 5);
    }
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      if (poll) clearInterval(poll);
      if (typeof out === 'number') closeSync(out);
      if (code !== 0) return reject(new Error(`${argv.join(' ')} exited ${code}: ${stderr}`));
      let peak = hwm / 1024;
      if (rss && hasTime) {
        peak = Number(readFileSync(tfile, 'utf8').trim().split('\n').at(-1)) / 1024;
        rmSync(tfile, { force: true });
      }
      resolve({ wall, rss: peak });
    });
    child.on('error', reject);
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ---------------------------------------------------------------------------------------------

const dir = mkdtempSync(join(os.tmpdir(), 'dax-bench-merge-'));
try {
  const total = GB * 1024 * 1024 * 1024;
  // 1/2 in the target's primary image, 1/4 in each source (two extensions each).
  const q = Math.floor(total / 4 / 8000) * 8000; // whole rows of 1000 32-bit pixels in q / 2
  console.log(`bench:merge: writing ${(4 * q / 1e9).toFixed(2)} GB of sources in ${dir} ...`);
  makeFits(join(dir, 'dcs.fits'), 2 * q, [], 'D');
  makeFits(join(dir, 'a.fits'), 0, [q / 2, q / 2], 'A');
  makeFits(join(dir, 'b.fits'), 0, [q / 2, q / 2], 'B');
  const files = ['dcs.fits', 'a.fits', 'b.fits'].map((f) => join(dir, f));
  const bytes = files.reduce((s, f) => s + statSync(f).size, 0);
  writeFileSync(
    join(dir, 'spec.json'),
    JSON.stringify({
      id: 'BENCH',
      sources: [
        { type: 'fitsKeywords', sourceName: 'ocm', keywords: [{ type: 'valueKeyword', name: 'ORIGIN', value: 'bench' }] },
        { type: 'fitsFile', sourceName: 'a', location: 'a.fits' },
        { type: 'fitsFile', sourceName: 'b', location: 'b.fits' },
      ],
      target: { fileId: 'BENCH', source: { type: 'fitsFile', sourceName: 'dcs', location: 'dcs.fits' } },
    }),
  );
  // Warm the page cache so both tools read from memory and differ only in their own work.
  await run(['cat', ...files], { stdout: '/dev/null' });

  const cat = [];
  const catSync = [];
  const dax = [];
  const daxBuffers = []; // DAX_COPY_RANGE=0: dax's buffers instead of copy_file_range
  // Each timed command starts with no dirty pages of an earlier one being written back.
  const settle = () => spawnSync('sync');
  for (let r = 0; r < RUNS; r++) {
    rmSync(join(dir, 'cat.out'), { force: true });
    settle();
    cat.push(await run(['cat', ...files], { stdout: join(dir, 'cat.out') }));
    rmSync(join(dir, 'cat.out'), { force: true });
    settle();
    catSync.push(await run(['sh', '-c', 'cat "$@" > cat.out && sync cat.out', 'sh', ...files], { cwd: dir }));
    rmSync(join(dir, 'cat.out'), { force: true });
    rmSync(join(dir, 'BENCH.fits'), { force: true });
    settle();
    dax.push(await run([process.execPath, DAX, 'merge', join(dir, 'spec.json')], { rss: true }));
    const v = spawnSync('fitsverify', ['-q', join(dir, 'BENCH.fits')], { encoding: 'utf8' });
    if (r === 0 && v.status !== null && !/verification OK/.test(v.stdout)) console.log(`bench:merge: fitsverify: ${v.stdout.trim()}`);
    rmSync(join(dir, 'BENCH.fits'), { force: true });
    settle();
    daxBuffers.push(await run(['env', 'DAX_COPY_RANGE=0', process.execPath, DAX, 'merge', join(dir, 'spec.json')], { rss: true }));
    rmSync(join(dir, 'BENCH.fits'), { force: true });
  }
  const cw = median(cat.map((x) => x.wall));
  const csw = median(catSync.map((x) => x.wall));
  const dw = median(dax.map((x) => x.wall));
  const dbw = median(daxBuffers.map((x) => x.wall));
  const peak = Math.max(...dax.map((x) => x.rss));
  const peakBuffers = Math.max(...daxBuffers.map((x) => x.rss));
  const gbs = (w) => (bytes / 1e9 / w).toFixed(2);
  console.log('');
  console.log(`sources: ${files.length} files, 5 HDUs with data, ${(bytes / 1e9).toFixed(3)} GB; ${RUNS} runs, median wall time; ${os.cpus().length} CPUs, Node ${process.version}`);
  console.log('');
  console.log('| command | wall (s) | throughput (GB/s) | peak RSS (MB) |');
  console.log('|---|---:|---:|---:|');
  console.log(`| \`cat sources > file\` | ${cw.toFixed(2)} | ${gbs(cw)} | |`);
  console.log(`| \`cat sources > file && sync file\` | ${csw.toFixed(2)} | ${gbs(csw)} | |`);
  console.log(`| \`dax merge spec.json\` (checksums, fsync, rename; copy_file_range) | ${dw.toFixed(2)} | ${gbs(dw)} | ${peak.toFixed(0)} |`);
  console.log(`| \`DAX_COPY_RANGE=0 dax merge spec.json\` (through dax's buffers) | ${dbw.toFixed(2)} | ${gbs(dbw)} | ${peakBuffers.toFixed(0)} |`);
  console.log('');
  console.log(`dax merge / cat throughput: ${(cw / dw).toFixed(2)}, / cat+sync: ${(csw / dw).toFixed(2)} (goal >= 0.8); through buffers / cat+sync: ${(csw / dbw).toFixed(2)}; peak RSS ${peak.toFixed(0)} MB (goal < 150), measured by ${hasTime ? '/usr/bin/time -f %M' : 'polling VmHWM in /proc/PID/status'}`);
} finally {
  if (KEEP) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
