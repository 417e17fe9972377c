#!/usr/bin/env node
// Acquisition benchmark (README "Acquisitions"): 100 queued acquisitions of 4 local 1 MB sources
// worked by `dax run` (merge=2, net_receive=5) against the same 100 merges by hand with
// `dax merge` two at a time; `dax status` on 10,000 archived and 100 in-progress acquisitions;
// `dax queue` of one spec (in a project without .dax/, and after one `dax run` has made it);
// `dax watch` starting a dropped spec. Temp dirs, removed after.
// Usage: npm run bench:acq [-- --n 100] [-- --keep]     (needs a built dist/)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
const N = args.includes('--n') ? Number(args[args.indexOf('--n') + 1]) : 100;
const KEEP = args.includes('--keep');
if (!existsSync(join(REPO, 'dist/cli/main.js'))) {
  console.error('bench:acq: dist/ is missing; run npm run build first');
  process.exit(1);
}

const card = (s) => s.padEnd(80);
const kv = (k, v) => card(`${k.padEnd(8)}= ${typeof v === 'string' ? `'${v.padEnd(8)}'` : typeof v === 'boolean' ? (v ? 'T' : 'F').padStart(20) : String(v).padStart(20)}`);
const header = (cards) => {
  const t = [...cards, card('END')].join('');
  const b = Buffer.alloc(Math.ceil(t.length / 2880) * 2880, 0x20);
  b.write(t, 'latin1');
  return b;
};
/** About 1 MB: an empty primary and one 512 x 1024 16-bit image extension of random pixels. */
function source(file, name) {
  const data = randomFillSync(Buffer.alloc(Math.ceil((512 * 1024 * 2) / 2880) * 2880));
  writeFileSync(file, Buffer.concat([
    header([kv('SIMPLE', true), kv('BITPIX', 8), kv('NAXIS', 0), kv('EXTEND', true), kv('INSTRUME', name)]),
    header([kv('XTENSION', 'IMAGE'), kv('BITPIX', 16), kv('NAXIS', 2), kv('NAXIS1', 512), kv('NAXIS2', 1024), kv('PCOUNT', 0), kv('GCOUNT', 1), kv('EXTNAME', name)]),
    data,
  ]));
}

const root = mkdtempSync(join(os.tmpdir(), 'dax-bench-acq-'));
const dax = (cwd, ...a) => {
  const t = performance.now();
  const r = spawnSync(process.execPath, [DAX, ...a], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dax ${a.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return performance.now() - t;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function makeProject(dir) {
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'Daxfile.yaml'), `version: 1\ninclude: [${join(REPO, 'rules/acquisition.yaml')}]\nlimits: { merge: 2, net_receive: 5 }\ntargets: ['{vars.workspace}/archive/{acq}/status.json']\n`);
}
function specFor(dir, i) {
  const names = ['fcs', 'dcs', 'ccs', 'tcs'];
  const files = names.map((n) => join(dir, 'src', `${i}-${n}.fits`));
  names.forEach((n, k) => source(files[k], n.toUpperCase()));
  return {
    id: `BENCH.${String(i).padStart(4, '0')}`,
    sources: [{ type: 'fitsKeywords', sourceName: 'ocm', keywords: [{ type: 'valueKeyword', name: 'ORIGIN', value: 'BENCH' }] }, ...names.slice(1).map((n, k) => ({ type: 'fitsFile', sourceName: n, location: files[k + 1] }))],
    target: { fileId: `BENCH_${i}`, source: { type: 'fitsFile', sourceName: 'fcs', location: files[0] } },
  };
}

const rows = [];
try {
  // 1. dax run of N queued acquisitions.
  const p = join(root, 'dax');
  makeProject(p);
  const specs = [];
  for (let i = 0; i < N; i++) {
    const s = specFor(p, i);
    const f = join(p, `spec-${i}.json`);
    writeFileSync(f, JSON.stringify(s));
    specs.push(f);
  }
  // dax queue in a project that has never run (no .dax/): dax must not create the state dir, so
  // the config cache is never written and every queue parses the Daxfile's YAML again.
  const fresh = join(root, 'fresh');
  makeProject(fresh);
  const coldTimes = specs.slice(0, Math.min(N, 10)).map((f) => dax(fresh, 'queue', f));
  rows.push([`\`dax queue\` of one spec, project without .dax/ (never run; Daxfile parsed each time), median of ${coldTimes.length}`, `${median(coldTimes).toFixed(0)} ms`, '']);
  // The case the goal is about: a project cron runs nightly has .dax/ (here: one `dax run` on the
  // empty queue first), so queue finds the config cache.
  dax(p, 'run');
  const queueTimes = specs.map((f) => dax(p, 'queue', f));
  rows.push([`\`dax queue\` of one spec, after one \`dax run\` on the empty queue (config cache in .dax/), median of ${N}`, `${median(queueTimes).toFixed(0)} ms`, '< 150 ms']);
  const t0 = performance.now();
  dax(p, 'run');
  const runS = (performance.now() - t0) / 1000;

  // 2. The same merges by hand, two at a time.
  const h = join(root, 'hand');
  mkdirSync(h);
  const t1 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < specs.length) {
      const f = specs[next++];
      await new Promise((res, rej) => spawn(process.execPath, [DAX, 'merge', f, '-o', join(h, `${next}.fits`)], { stdio: 'ignore' }).on('close', (c) => (c === 0 ? res() : rej(new Error(`dax merge ${f}: ${c}`)))));
    }
  };
  await Promise.all([worker(), worker()]);
  const handS = (performance.now() - t1) / 1000;
  rows.push([`${N} acquisitions × 4 sources of 1 MB, \`dax run\` (merge=2, net_receive=5)`, `${runS.toFixed(1)} s`, '']);
  rows.push([`the same ${N} merges by hand, \`dax merge\` two at a time`, `${handS.toFixed(1)} s`, '']);
  rows.push(['ratio dax run / by hand', `${(runS / handS).toFixed(2)}×`, '≤ 1.2×']);

  // 3. dax status with 10,000 archived and 100 in progress.
  const archived = JSON.parse(readFileSync(join(p, 'workspace/archive', 'BENCH.0000', 'status.json'), 'utf8'));
  for (let i = N; i < 10_000; i++) {
    const d = join(p, 'workspace/archive', `OLD.${i}`);
    mkdirSync(d);
    writeFileSync(join(d, 'status.json'), JSON.stringify({ ...archived, id: `OLD.${i}` }));
  }
  for (let i = 0; i < 100; i++) {
    const s = JSON.parse(readFileSync(specs[i % specs.length], 'utf8'));
    s.id = `LIVE.${i}`;
    s.target.fileId = `LIVE_${i}`;
    const f = join(p, `live-${i}.json`);
    writeFileSync(f, JSON.stringify(s));
    dax(p, 'queue', f);
  }
  dax(p, 'status'); // warm the config cache, as a second status would find it
  const st = [0, 1, 2].map(() => dax(p, 'status'));
  const stJson = [0, 1, 2].map(() => dax(p, 'status', '--json'));
  rows.push(['`dax status`, 10,000 archived + 100 in progress, median of 3', `${median(st).toFixed(0)} ms`, '< 500 ms']);
  rows.push(['`dax status --json`, same', `${median(stJson).toFixed(0)} ms`, '< 500 ms']);

  // 4. dax watch: a dropped spec starts within a second.
  const w = join(root, 'watch');
  makeProject(w);
  const ws = specFor(w, 0);
  const watch = spawn(process.execPath, [DAX, 'watch'], { cwd: w, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  watch.stderr.on('data', (d) => (err += d));
  while (!/watching/.test(err)) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 500));
  writeFileSync(join(w, 'workspace/incoming/.x'), JSON.stringify(ws));
  const t2 = performance.now();
  renameSync(join(w, 'workspace/incoming/.x'), join(w, 'workspace/incoming/x.json'));
  const status = join(w, 'workspace/in-progress', ws.id, 'status.json');
  for (;;) {
    try {
      if (!/"state": "Scheduled"/.test(readFileSync(status, 'utf8'))) break;
    } catch {
      /* not queued yet */
    }
    if (existsSync(join(w, 'workspace/archive', ws.id))) break;
    await new Promise((r) => setTimeout(r, 2));
  }
  rows.push(['`dax watch`: a dropped spec until its first job starts', `${(performance.now() - t2).toFixed(0)} ms`, '< 1 s']);
  watch.kill('SIGTERM');
  await new Promise((r) => watch.on('close', r));
} finally {
  if (!KEEP) rmSync(root, { recursive: true, force: true });
  else console.log(`kept ${root}`);
}
console.log('| measurement | result | goal |\n|---|---:|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
