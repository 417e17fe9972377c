#!/usr/bin/env node
// The demo's acquisitions: small FITS sources written with dax's own FITS writer, one
// specification each, queued with `dax queue`. One source is a host:path location pointing at
// this machine when `ssh localhost` works without a password (else a local path).
//   node examples/acquisitions/make-demo.mjs --out DIR --done FILE
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FitsWriter, parseCard } from '../../dist/fits/index.js';

const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) => (v.startsWith('--') ? [...a, [v.slice(2), all[i + 1]]] : a), []));
const out = path.resolve(args.out ?? 'out/acq-demo');
const dax = fileURLToPath(new URL('../../bin/dax.js', import.meta.url));
mkdirSync(out, { recursive: true });

const card = (name, value) => {
  const v = typeof value === 'string' ? `'${value.padEnd(8)}'` : typeof value === 'boolean' ? (value ? 'T' : 'F').padStart(20) : String(value).padStart(20);
  const c = parseCard(`${name.padEnd(8)}= ${v}`.padEnd(80));
  if (!c.ok) throw new Error(c.error);
  return c.value;
};

/** A primary HDU with a few keywords and an IMAGE extension of n x n 16-bit pixels. */
async function writeSource(file, instrument, n, seed) {
  const pixels = Buffer.alloc(Math.ceil((2 * n * n) / 2880) * 2880);
  for (let i = 0; i < n * n; i++) pixels.writeInt16BE(((i * 31 + seed * 977) % 30000) - 15000, 2 * i);
  const raw = `${file}.raw`;
  writeFileSync(raw, pixels);
  const src = await open(raw, 'r');
  const fh = await open(file, 'w');
  const w = new FitsWriter(fh);
  const stamp = new Date().toISOString().slice(0, 19);
  for (const [cards, data] of [
    [[card('SIMPLE', true), card('BITPIX', 8), card('NAXIS', 0), card('EXTEND', true), card('INSTRUME', instrument), card('EXPTIME', 1.5 * seed)], null],
    [[card('XTENSION', 'IMAGE'), card('BITPIX', 16), card('NAXIS', 2), card('NAXIS1', n), card('NAXIS2', n), card('PCOUNT', 0), card('GCOUNT', 1), card('EXTNAME', instrument)], { fh: src, offset: 0, length: pixels.length }],
  ]) {
    const r = await w.writeHdu(cards, data, stamp);
    if (!r.ok) throw new Error(r.error.message);
  }
  await fh.close();
  await src.close();
  spawnSync('rm', ['-f', raw]);
}

const remote = spawnSync('ssh', ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=2', 'localhost', 'true']).status === 0;
const lines = [];
for (let i = 1; i <= 3; i++) {
  const id = `DEMO.2026-01-0${i}T00:00:00.000`;
  const fcs = path.join(out, `fcs-${i}.fits`);
  const dcs = path.join(out, `dcs-${i}.fits`);
  await writeSource(fcs, 'FCS', 16, i);
  await writeSource(dcs, 'DCS', 64, i + 10);
  const spec = {
    id,
    sources: [
      { type: 'fitsKeywords', sourceName: 'ocm', keywords: [{ type: 'valueKeyword', name: 'ORIGIN', value: 'DAX-DEMO' }, { type: 'esoKeyword', name: 'OBS ID', value: i }] },
      { type: 'fitsFile', sourceName: 'fcs', location: remote && i === 1 ? `localhost:${fcs}` : fcs, keywordRules: [{ type: 'filter', selectionPatterns: ['+v *', '-v EXPTIME'] }] },
    ],
    target: { fileId: `DEMO_PRODUCT_${i}`, source: { type: 'fitsFile', sourceName: 'dcs', location: dcs } },
    receivers: [{ type: 'olasReceiver', host: '', path: path.join(out, 'olas') }],
  };
  mkdirSync(path.join(out, 'olas'), { recursive: true });
  const specFile = path.join(out, `spec-${i}.json`);
  writeFileSync(specFile, JSON.stringify(spec, null, 2));
  const q = spawnSync(process.execPath, [dax, 'queue', specFile], { encoding: 'utf8' });
  // Already queued or archived (the demo made again after out/ was removed): fine.
  if (q.status !== 0 && !/already (queued|archived)/.test(q.stderr)) {
    process.stderr.write(q.stderr);
    process.exit(1);
  }
  lines.push(`${id} ${spec.sources[1].location}`);
}
writeFileSync(args.done, lines.join('\n') + '\n');
