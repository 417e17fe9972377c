// dax merge end to end: the real CLI on FITS files made by hand, every output checked by
// fitsverify (0 errors, 0 warnings: checksums verified).
import { describe, expect, test } from 'vitest';
import { existsSync, readFileSync, writeFileSync, mkdirSync, statSync, truncateSync, watch } from 'node:fs';
import { padded } from '../../src/fits/header.js';
import { hostTag } from '../../src/util/temp.js';
import { addon } from '../../src/util/addon.js';
import { join, basename } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Card } from '../../src/fits/card.js';
import type { FitsFile } from '../../src/fits/reader.js';
import {
  asciiTable,
  astropyMissing,
  astropyVerify,
  binTable,
  card,
  daxRun,
  daxSpawn,
  fitsverify,
  hdu,
  hduAt,
  imageExt,
  imagesWithoutSums,
  kv,
  listDir,
  pattern,
  primaryEmpty,
  primaryImage,
  repo,
  scan,
  tempDir,
  writeFits,
  writeSpec,
} from './helpers.js';

const FILE_ID = 'TEST.2021-05-18T14:49:03.905';

/** The target (DCS), and two file sources (FCS, CCS), each with extensions. */
function fixtures(dir: string): void {
  // The target has no EXTEND, a stale CHECKSUM and an ORIGFILE of its own.
  writeFits(
    join(dir, 'dcs.fits'),
    hdu(
      [
        kv('SIMPLE', true),
        kv('BITPIX', 16),
        kv('NAXIS', 2),
        kv('NAXIS1', 30),
        kv('NAXIS2', 20),
        kv('OBJECT', 'from-dcs'),
        kv('TELESCOP', 'ELT'),
        kv('ORIGFILE', 'dcs_raw.fits'),
        card('COMMENT comment of dcs'),
        kv('CHECKSUM', 'abcdefghijklmnop'),
        kv('DATASUM', '42'),
        card('HIERARCH ESO DET DIT = 99.0 / from dcs'),
      ],
      pattern(1200, 5),
    ),
    imageExt(10, 10, 'DCS_EXT'),
  );
  writeFits(
    join(dir, 'fcs.fits'),
    primaryEmpty(
      kv('OBJECT', 'from-fcs'),
      kv('ARCFILE', 'old.fits'),
      kv('DATE', '2000-01-01T00:00:00'),
      kv('TFIELDS', 3),
      kv('TFORM1', '1J'),
      card('HIERARCH ESO INS TEMP1 VAL = 12.5 / temperature 1'),
      card('HIERARCH ESO INS TEMP3 VAL = 1.0'),
      card("HIERARCH ESO INS FILT1 NAME = 'R'"),
      card('HIERARCH ESO DET DIT = 2.0 / from fcs'),
      card('COMMENT comment of fcs'),
      card('HISTORY history of fcs'),
    ),
    binTable(5, 'FCS_EVENTS'),
    asciiTable([1, 22, 333], 'FCS_TAB'),
  );
  writeFits(
    join(dir, 'ccs.fits'),
    primaryEmpty(kv('OBJECT', 'from-ccs'), card('HIERARCH ESO DET DIT = 3.0 / from ccs'), kv('CCSONLY', 7), card('COMMENT comment of ccs')),
    binTable(2, 'CCS_TAB'),
  );
}

const ocm = {
  type: 'fitsKeywords',
  sourceName: 'ocm',
  keywords: [
    { type: 'valueKeyword', name: 'ORIGIN', value: 'ESO-PARANAL' },
    { type: 'valueKeyword', name: 'OBJECT', value: 'OBJECT,SKY', comment: 'target' },
    { type: 'esoKeyword', name: 'OCS TEMPL ID', value: 'template-id' },
    { type: 'literalKeyword', value: 'COMMENT Example of a commentary keyword.' },
  ],
};

const fcsRules = [
  { type: 'filter', selectionPatterns: ['+e INS *', '-e INS TEMP[12] *', '+v OBJECT'] },
  { type: 'transform', selectionPatterns: ['+e INS *'], regex: '^INS ', format: 'INS2 ' },
];

function findValue(cards: Card[], name: string): unknown {
  for (const c of cards) {
    if ((c.kind === 'value' || c.kind === 'hierarch') && c.name === name) {
      const v = c.value;
      switch (v.type) {
        case 'string':
        case 'logical':
          return v.value;
        case 'integer':
          return Number(v.value);
        case 'float':
          return v.value;
        default:
          return v.type;
      }
    }
  }
  return undefined;
}

const names = (cards: Card[]): string[] => cards.map((c) => (c.kind === 'hierarch' ? `HIERARCH ${c.name}` : c.kind === 'end' ? 'END' : c.name));
const commentary = (cards: Card[]): string[] => cards.flatMap((c) => (c.kind === 'commentary' ? [`${c.name} ${c.text}`] : []));

async function dataOf(f: FitsFile, i: number): Promise<Buffer> {
  const h = hduAt(f, i);
  return (await readFile(f.path)).subarray(h.dataOffset, h.dataOffset + h.data.padded);
}

// astropy rewrites headers in the fixed format when it verifies checksums: a card written
// otherwise makes "Checksum verification failed". A missing astropy fails the tests, naming the
// package (bash scripts/install-test-deps installs it).
const noAstropy = astropyMissing();
if (noAstropy !== null) throw new Error(noAstropy);

/** fitsverify (0 errors, 0 warnings) and astropy (checksums verified, no warning) accept it. */
function verified(path: string): void {
  const v = fitsverify(path);
  expect(v.ok, v.report).toBe(true);
  const a = astropyVerify(path);
  expect(a.ok, a.report).toBe(true);
}

/** Only the spec, the sources and the output: no temporary file left behind. */
function noTemp(dir: string): void {
  expect(listDir(dir).filter((f) => f.startsWith('.dax-tmp.') || f.endsWith('.tmp'))).toEqual([]);
}

describe('dax merge: building the product', () => {
  test('the product is the same whether the kernel copies the data (copy_file_range, the default) or dax does (DAX_COPY_RANGE=0, or no addon)', async () => {
    const dir = tempDir();
    fixtures(dir);
    // A data unit of several kernel copies (8 MiB each) and a short last one.
    writeFits(join(dir, 'big.fits'), primaryImage(2400, 2000, [kv('OBJECT', 'big')], 9));
    const spec = writeSpec(dir, {
      id: FILE_ID,
      sources: [ocm, { type: 'fitsFile', sourceName: 'fcs', location: 'fcs.fits', keywordRules: fcsRules }, { type: 'fitsFile', sourceName: 'ccs', location: 'ccs.fits' }],
      target: { fileId: FILE_ID, source: { type: 'fitsFile', sourceName: 'big', location: 'big.fits' } },
    });
    const out = join(dir, `${FILE_ID}.fits`);
    const products: Buffer[] = [];
    const kernel = typeof addon()?.['copyRange'] === 'function';
    // The default (the kernel's copy), dax's buffers, and the default without the addon.
    const envs: Record<string, string>[] = [{}, { DAX_COPY_RANGE: '0' }, { DAX_NO_NATIVE: '1' }];
    for (const env of envs) {
      const r = daxRun(['merge', '-vv', spec], { env });
      expect(r.code, r.stderr).toBe(0);
      const how = !('DAX_COPY_RANGE' in env) && !('DAX_NO_NATIVE' in env) && kernel ? 'in the kernel' : 'through buffers';
      expect(r.stderr).toContain(`data copied ${how}`);
      verified(out);
      products.push(readFileSync(out));
    }
    const [a, b, c] = products as [Buffer, Buffer, Buffer];
    expect(a.length).toBe(b.length);
    expect(c.length).toBe(b.length);
    // Equal apart from the merge's time stamp (DATE, the sums' comments) and so CHECKSUM.
    const fa = await scan(out);
    const stamped = /^(DATE    =|CHECKSUM=|DATASUM =)/;
    for (const h of fa.hdus) {
      const images = (buf: Buffer): string[] =>
        buf.toString('latin1', h.headerOffset, h.headerOffset + h.headerBytes).match(/.{80}/g)!.filter((i) => !stamped.test(i));
      const data = (buf: Buffer): Buffer => buf.subarray(h.dataOffset, h.dataOffset + h.data.padded);
      expect(images(a)).toEqual(images(b));
      expect(images(c)).toEqual(images(b));
      expect(data(a).equals(data(b))).toBe(true);
      expect(data(c).equals(data(b))).toBe(true);
    }
    const datasums = (buf: Buffer): string[] => fa.hdus.map((h) => buf.toString('latin1', h.headerOffset, h.headerOffset + h.headerBytes).match(/DATASUM = '(\d+)/)![1]!);
    expect(datasums(a)).toEqual(datasums(b));
    expect(datasums(c)).toEqual(datasums(b));
  });

  test('astropy opens every HDU with its checksums verified and no warning', async () => {
    const dir = tempDir();
    fixtures(dir);
    const long = { type: 'valueKeyword', name: 'LONGSTR', value: 'a long value '.repeat(9), comment: 'continued' };
    const spec = writeSpec(dir, {
      id: FILE_ID,
      sources: [{ ...ocm, keywords: [...ocm.keywords, long, { type: 'valueKeyword', name: 'PI', value: 3.25, comment: 'a real' }] }, { type: 'fitsFile', sourceName: 'fcs', location: 'fcs.fits', keywordRules: fcsRules }, { type: 'fitsFile', sourceName: 'ccs', location: 'ccs.fits' }],
      target: { fileId: FILE_ID, source: { type: 'fitsFile', sourceName: 'dcs', location: 'dcs.fits' } },
    });
    expect(daxRun(['merge', spec]).code).toBe(0);
    const out = join(dir, `${FILE_ID}.fits`);
    const a = astropyVerify(out);
    expect(a.report).toBe('ok 5\n');
    expect(fitsverify(out).ok).toBe(true);
    // The fixed format astropy writes: the comment's slash in column 32 after a short value.
    const images = (await scan(out)).hdus.flatMap((h) => h.images);
    for (const name of ['OBJECT', 'PI', 'CHECKSUM', 'DATASUM']) {
      const image = images.find((i) => i.startsWith(name.padEnd(8) + '='));
      expect(image?.indexOf(' / '), `${name}: ${image}`).toBe(30);
    }
  });

  test('a new product: empty primary, keyword and file sources, rules, reserved keywords, extensions appended', async () => {
    const dir = tempDir();
    fixtures(dir);
    const spec = writeSpec(dir, {
      id: FILE_ID,
      sources: [ocm, { type: 'fitsFile', sourceName: 'fcs', location: 'fcs.fits', keywordRules: fcsRules }],
      target: { fileId: FILE_ID },
    });
    const before = Date.now();
    const r = daxRun(['merge', spec]);
    const after = Date.now();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = join(dir, `${FILE_ID}.fits`);
    expect(r.stdout).toContain(out);
    verified(out);
    noTemp(dir);

    const f = await scan(out);
    const p = f.hdus[0].cards;
    expect(names(p).slice(0, 4)).toEqual(['SIMPLE', 'BITPIX', 'NAXIS', 'EXTEND']);
    expect(f.hdus[0].data.bytes).toBe(0);
    expect(findValue(p, 'ARCFILE')).toBe(`${FILE_ID}.fits`);
    expect(findValue(p, 'ORIGFILE')).toBe(`${FILE_ID}.fits`);
    const date = Date.parse(`${String(findValue(p, 'DATE'))}Z`);
    expect(date).toBeGreaterThanOrEqual(before - 1000);
    expect(date).toBeLessThanOrEqual(after + 1000);
    // ocm first: its OBJECT wins over fcs's.
    expect(findValue(p, 'OBJECT')).toBe('OBJECT,SKY');
    expect(findValue(p, 'ORIGIN')).toBe('ESO-PARANAL');
    expect(findValue(p, 'ESO OCS TEMPL ID')).toBe('template-id');
    // fcs through its rules: INS kept but TEMP1, renamed INS2; DET not selected; no structure keywords.
    expect(findValue(p, 'ESO INS2 FILT1 NAME')).toBe('R');
    expect(findValue(p, 'ESO INS2 TEMP3 VAL')).toBe(1);
    for (const gone of ['ESO INS TEMP1 VAL', 'ESO INS2 TEMP1 VAL', 'ESO INS FILT1 NAME', 'ESO DET DIT', 'TFIELDS', 'TFORM1']) expect(findValue(p, gone), gone).toBeUndefined();
    expect(commentary(p)).toEqual(['COMMENT Example of a commentary keyword.']);
    // Each value keyword once; CHECKSUM and DATASUM the last cards.
    const valueNames = names(p).filter((n) => n !== 'COMMENT' && n !== 'HISTORY');
    expect(new Set(valueNames).size).toBe(valueNames.length);
    expect(names(p).slice(-2)).toEqual(['CHECKSUM', 'DATASUM']);

    // Extensions of fcs, unchanged but for the sums.
    const src = await scan(join(dir, 'fcs.fits'));
    expect(f.hdus).toHaveLength(3);
    for (const i of [1, 2]) {
      expect(imagesWithoutSums(hduAt(f, i).images)).toEqual(hduAt(src, i).images);
      expect(names(hduAt(f, i).cards).slice(-2)).toEqual(['CHECKSUM', 'DATASUM']);
      expect((await dataOf(f, i)).equals(await dataOf(src, i))).toBe(true);
    }
  });

  test('in place into a target: its HDUs first, sources override its keywords in place, commentary in priority order', async () => {
    const dir = tempDir();
    fixtures(dir);
    const spec = writeSpec(dir, {
      id: FILE_ID,
      sources: [
        ocm,
        { type: 'fitsFile', sourceName: 'fcs', location: 'fcs.fits' },
        { type: 'fitsFile', sourceName: 'ccs', location: join(dir, 'ccs.fits') },
      ],
      target: { fileId: FILE_ID, source: { type: 'fitsFile', sourceName: 'dcs', location: 'dcs.fits' } },
    });
    const r = daxRun(['merge', spec, '-o', join(dir, 'product.fits')]);
    expect(r.code, r.stderr).toBe(0);
    const out = join(dir, 'product.fits');
    verified(out);
    noTemp(dir);
    expect(existsSync(join(dir, `${FILE_ID}.fits`))).toBe(false);

    const f = await scan(out);
    const dcs = await scan(join(dir, 'dcs.fits'));
    const fcs = await scan(join(dir, 'fcs.fits'));
    const ccs = await scan(join(dir, 'ccs.fits'));
    // HDUs: the target's, then fcs's extensions, then ccs's.
    expect(f.hdus.map((h) => findValue(h.cards, 'EXTNAME') ?? 'PRIMARY')).toEqual(['PRIMARY', 'DCS_EXT', 'FCS_EVENTS', 'FCS_TAB', 'CCS_TAB']);
    expect((await dataOf(f, 0)).equals(await dataOf(dcs, 0))).toBe(true);
    expect((await dataOf(f, 1)).equals(await dataOf(dcs, 1))).toBe(true);
    expect((await dataOf(f, 4)).equals(await dataOf(ccs, 1))).toBe(true);
    expect(imagesWithoutSums(hduAt(f, 3).images)).toEqual(hduAt(fcs, 2).images);

    const p = f.hdus[0].cards;
    // The target's structure stays; EXTEND added because extensions follow.
    expect(names(p).slice(0, 6)).toEqual(['SIMPLE', 'BITPIX', 'NAXIS', 'NAXIS1', 'NAXIS2', 'EXTEND']);
    expect(findValue(p, 'BITPIX')).toBe(16);
    // OBJECT: ocm wins, written where the target had it (just after the merger's keywords).
    const targetOrder = names(dcs.hdus[0].cards).filter((n) => !['CHECKSUM', 'DATASUM', 'ORIGFILE'].includes(n));
    expect(names(p).filter((n) => targetOrder.includes(n)).slice(0, targetOrder.length)).toEqual(targetOrder);
    expect(findValue(p, 'OBJECT')).toBe('OBJECT,SKY');
    expect(findValue(p, 'TELESCOP')).toBe('ELT');
    // DET DIT: fcs (priority 2) beats ccs and the target's own value.
    expect(findValue(p, 'ESO DET DIT')).toBe(2);
    expect(findValue(p, 'ESO INS TEMP1 VAL')).toBe(12.5);
    expect(findValue(p, 'CCSONLY')).toBe(7);
    // Reserved keywords: the merger's, whatever the target and fcs said.
    expect(findValue(p, 'ORIGFILE')).toBe('product.fits');
    expect(findValue(p, 'ARCFILE')).toBe(`${FILE_ID}.fits`);
    expect(String(findValue(p, 'DATE'))).not.toContain('2000-01-01');
    expect(names(p).filter((n) => ['ORIGFILE', 'ARCFILE', 'DATE', 'CHECKSUM', 'DATASUM'].includes(n)).sort()).toEqual(['ARCFILE', 'CHECKSUM', 'DATASUM', 'DATE', 'ORIGFILE']);
    expect(findValue(p, 'CHECKSUM')).not.toBe('abcdefghijklmnop');
    expect(commentary(p)).toEqual([
      'COMMENT comment of dcs',
      'COMMENT Example of a commentary keyword.',
      'COMMENT comment of fcs',
      'HISTORY history of fcs',
      'COMMENT comment of ccs',
    ]);
    // Structure keywords of fcs's primary header were not copied.
    expect(findValue(p, 'TFIELDS')).toBeUndefined();
    expect(findValue(p, 'TFORM1')).toBeUndefined();
  });

  test('priority is the order of sources: swapping two file sources swaps the winner', async () => {
    const dir = tempDir();
    fixtures(dir);
    const spec = writeSpec(dir, {
      id: FILE_ID,
      sources: [
        { type: 'fitsFile', sourceName: 'ccs', location: 'ccs.fits' },
        { type: 'fitsFile', sourceName: 'fcs', location: 'fcs.fits' },
      ],
      target: { fileId: FILE_ID },
    });
    expect(daxRun(['merge', spec]).code).toBe(0);
    const out = join(dir, `${FILE_ID}.fits`);
    verified(out);
    const f = await scan(out);
    expect(findValue(f.hdus[0].cards, 'ESO DET DIT')).toBe(3);
    expect(findValue(f.hdus[0].cards, 'OBJECT')).toBe('from-ccs');
    expect(f.hdus.map((h) => findValue(h.cards, 'EXTNAME') ?? 'PRIMARY')).toEqual(['PRIMARY', 'CCS_TAB', 'FCS_EVENTS', 'FCS_TAB']);
  });

  test('an empty rule list copies no keyword; the extensions are still appended', async () => {
    const dir = tempDir();
    fixtures(dir);
    const spec = writeSpec(dir, { id: 'x', sources: [{ type: 'fitsFile', sourceName: 'fcs', location: 'fcs.fits', keywordRules: [] }], target: { fileId: 'empty' } });
    expect(daxRun(['merge', spec]).code).toBe(0);
    const out = join(dir, 'empty.fits');
    verified(out);
    const f = await scan(out);
    expect(names(f.hdus[0].cards)).toEqual(['SIMPLE', 'BITPIX', 'NAXIS', 'EXTEND', 'DATE', 'ORIGFILE', 'ARCFILE', 'CHECKSUM', 'DATASUM']);
    expect(f.hdus).toHaveLength(3);
  });

  test('structure and reserved keywords from a specification are not copied, with warnings; long strings use CONTINUE', async () => {
    const dir = tempDir();
    const long = 'a long value '.repeat(10).trim();
    const spec = writeSpec(dir, {
      id: 'x',
      sources: [
        {
          type: 'fitsKeywords',
          sourceName: 'ocm',
          keywords: [
            { type: 'valueKeyword', name: 'NAXIS', value: 3 },
            { type: 'valueKeyword', name: 'ARCFILE', value: 'mine.fits' },
            { type: 'literalKeyword', value: 'BITPIX  = 16' },
            { type: 'valueKeyword', name: 'NOTE', value: long, comment: 'long' },
            { type: 'esoKeyword', name: 'OBS NAME', value: "it's" },
            { type: 'literalKeyword', value: 'HISTORY   indented history' },
            { type: 'literalKeyword', value: '' },
          ],
        },
      ],
      target: { fileId: 'kw' },
    });
    const r = daxRun(['merge', spec]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning: source "ocm": NAXIS is a structure keyword; not copied');
    expect(r.stderr).toContain('warning: source "ocm": BITPIX is a structure keyword; not copied');
    expect(r.stderr).toContain('warning: source "ocm": ARCFILE is written by the merger');
    const out = join(dir, 'kw.fits');
    verified(out);
    const f = await scan(out);
    const p = f.hdus[0].cards;
    expect(findValue(p, 'NAXIS')).toBe(0);
    expect(findValue(p, 'BITPIX')).toBe(8);
    expect(findValue(p, 'ARCFILE')).toBe('kw.fits');
    expect(findValue(p, 'NOTE')).toBe(long);
    expect(findValue(p, 'LONGSTRN')).toBe('OGIP 1.0');
    expect(f.hdus[0].images.some((i) => i.startsWith("CONTINUE  '"))).toBe(true);
    expect(findValue(p, 'ESO OBS NAME')).toBe("it's");
    expect(commentary(p)).toEqual(['HISTORY   indented history', ' ']);
  });

  test('random groups and ASCII tables pass through a target unchanged', async () => {
    const dir = tempDir();
    // Random groups: 3 groups of 1 parameter and a 2x2 float array.
    const groups = Buffer.alloc(60);
    for (let i = 0; i < 15; i++) groups.writeFloatBE(i * 0.5, 4 * i);
    writeFits(
      join(dir, 'rg.fits'),
      hdu(
        [
          kv('SIMPLE', true),
          kv('BITPIX', -32),
          kv('NAXIS', 3),
          kv('NAXIS1', 0),
          kv('NAXIS2', 2),
          kv('NAXIS3', 2),
          kv('GROUPS', true),
          kv('PCOUNT', 1),
          kv('GCOUNT', 3),
          kv('PTYPE1', 'UU'),
          kv('EXTEND', true),
        ],
        groups,
      ),
      asciiTable([5, 6], 'ASC'),
    );
    const spec = writeSpec(dir, {
      id: 'x',
      sources: [{ type: 'fitsKeywords', sourceName: 'k', keywords: [{ type: 'valueKeyword', name: 'OBSERVER', value: 'me' }] }],
      target: { fileId: 'rg-out', source: { type: 'fitsFile', sourceName: 'rg', location: 'rg.fits' } },
    });
    expect(daxRun(['merge', spec]).code).toBe(0);
    const out = join(dir, 'rg-out.fits');
    verified(out);
    const f = await scan(out);
    expect(f.hdus[0].data).toMatchObject({ kind: 'groups', bytes: 60 });
    expect(names(f.hdus[0].cards).slice(0, 11)).toEqual(['SIMPLE', 'BITPIX', 'NAXIS', 'NAXIS1', 'NAXIS2', 'NAXIS3', 'GROUPS', 'PCOUNT', 'GCOUNT', 'DATE', 'ORIGFILE']);
    expect((await dataOf(f, 0)).subarray(0, 60).equals(groups)).toBe(true);
    expect(hduAt(f, 1).data.kind).toBe('table');
  });

  test('host:path locations are read at path on this machine', async () => {
    const dir = tempDir();
    fixtures(dir);
    const spec = writeSpec(dir, {
      id: 'x',
      sources: [{ type: 'fitsFile', sourceName: 'fcs', location: `fcs-host:${join(dir, 'fcs.fits')}` }],
      target: { fileId: 'remote', source: { type: 'fitsFile', sourceName: 'dcs', location: 'dcs-host:dcs.fits' } },
    });
    const r = daxRun(['merge', '-vv', spec]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`remote location fcs-host:${join(dir, 'fcs.fits')} read locally as ${join(dir, 'fcs.fits')}`);
    verified(join(dir, 'remote.fits'));
  });

  test('the specification from stdin, sources relative to --root', async () => {
    const dir = tempDir();
    fixtures(dir);
    const spec = JSON.stringify({ id: 'x', sources: [{ type: 'fitsFile', sourceName: 'ccs', location: 'ccs.fits' }], target: { fileId: 'piped' } });
    const elsewhere = tempDir();
    const r = daxRun(['merge', '--root', dir, '-'], { cwd: elsewhere, input: spec });
    expect(r.code, r.stderr).toBe(0);
    verified(join(dir, 'piped.fits'));
    expect(listDir(elsewhere)).toEqual([]);
  });

  test('an existing output is replaced only when the new one is complete; an interrupted merge leaves it and no temp file', async () => {
    const dir = tempDir();
    // A large sparse target so the copy takes a moment: 3 GB of zeros read from a hole.
    const header = hdu([kv('SIMPLE', true), kv('BITPIX', 8), kv('NAXIS', 1), kv('NAXIS1', 3 * 2880 * 372827)]).subarray(0, 2880);
    writeFileSync(join(dir, 'big.fits'), header);
    const { truncateSync } = await import('node:fs');
    truncateSync(join(dir, 'big.fits'), 2880 + 3 * 2880 * 372827);
    const out = join(dir, 'big-out.fits');
    writeFileSync(out, 'previous product');
    const spec = writeSpec(dir, { id: 'x', sources: [], target: { fileId: 'big-out', source: { type: 'fitsFile', sourceName: 'big', location: 'big.fits' } } });
    const child = daxSpawn(['merge', '--json', spec]);
    let stdout = '';
    let killed = false;
    const code = await new Promise<number | null>((resolve) => {
      child.stdout!.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (!killed && stdout.includes('"step":"write"')) killed = child.kill('SIGTERM');
      });
      child.on('close', (c) => resolve(c));
    });
    expect(code).toBe(130);
    expect(readFileSync(out, 'utf8')).toBe('previous product');
    noTemp(dir);
    expect(stdout).toContain('"type":"error"');
  });

  test('kill -9 leaves the temporary (named by host and pid); the next merge there removes it, not a live or foreign one', async () => {
    const dir = tempDir();
    // A sparse 256 MB target: the copy takes long enough to be caught in the middle.
    const n = 256 * 1024 * 1024;
    writeFileSync(join(dir, 'big.fits'), hdu([kv('SIMPLE', true), kv('BITPIX', 8), kv('NAXIS', 1), kv('NAXIS1', n)]).subarray(0, 2880));
    truncateSync(join(dir, 'big.fits'), 2880 + padded(n));
    const spec = writeSpec(dir, { id: 'x', sources: [], target: { fileId: 'big-out', source: { type: 'fitsFile', sourceName: 'big', location: 'big.fits' } } });
    // Litter that must stay: a live process's (this test's) and another host's.
    const host = hostTag();
    const keep = [`.dax-tmp.${host}.${process.pid}.big-out.fits`, `.dax-tmp.otherhost.1.big-out.fits`];
    for (const k of keep) writeFileSync(join(dir, k), 'x');

    const child = daxSpawn(['merge', spec]);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, s) => resolve(s)));
    // Wait for the temporary to be written to (inotify on the directory), then kill -9.
    const temp = await new Promise<string>((resolve, reject) => {
      const watcher = watch(dir, (_event, name) => {
        if (!name?.startsWith(`.dax-tmp.${host}.${child.pid}.`)) return;
        const size = statSync(join(dir, name), { throwIfNoEntry: false })?.size ?? 0;
        if (size < 2880) return;
        watcher.close();
        child.kill('SIGKILL');
        resolve(name);
      });
      void exited.then(() => reject(new Error('dax merge ended before it could be killed')));
    });
    expect(await exited).toBe('SIGKILL');
    expect(temp).toBe(`.dax-tmp.${host}.${child.pid}.big-out.fits`);
    expect(existsSync(join(dir, temp))).toBe(true);
    expect(existsSync(join(dir, 'big-out.fits'))).toBe(false);

    const again = daxRun(['merge', '-v', spec]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`removed ${join(dir, temp)}, left by a merge that is no longer running`);
    expect(listDir(dir)).toEqual([...keep, 'big-out.fits', 'big.fits', 'spec.json'].sort());
    expect(statSync(join(dir, 'big-out.fits')).size).toBe(statSync(join(dir, 'big.fits')).size); // the merged header fits its one block too
    expect(fitsverify(join(dir, 'big-out.fits')).ok).toBe(true);
  }, 60_000);
});

describe('dax merge: command line', () => {
  test('--sources FILE: each location is read from the local file the map names, relative to the map', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'ws/sources'), { recursive: true });
    fixtures(join(dir, 'ws/sources'));
    const fcsLoc = 'fcs-host:/data/fcs/somefile.fits';
    const dcsLoc = 'dcs-host:/data/dcs/x.fits';
    const spec = writeSpec(dir, {
      id: FILE_ID,
      sources: [ocm, { type: 'fitsFile', sourceName: 'fcs', location: fcsLoc }],
      target: { fileId: FILE_ID, source: { type: 'fitsFile', sourceName: 'dcs', location: dcsLoc } },
    });
    const map = writeSpec(join(dir, 'ws'), { [fcsLoc]: 'sources/fcs.fits', [dcsLoc]: join(dir, 'ws/sources/dcs.fits') }, 'sources.json');
    const r = daxRun(['merge', '--sources', map, spec]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = join(dir, `${FILE_ID}.fits`);
    verified(out);
    const f = await scan(out);
    expect(f.hdus.map((h) => findValue(h.cards, 'EXTNAME'))).toEqual([undefined, 'DCS_EXT', 'FCS_EVENTS', 'FCS_TAB']);

    // The acquisition workspace's form: each entry an object with the file in "local" (and the
    // transfer state, which the merge does not need); the forms may be mixed.
    writeSpec(join(dir, 'ws'), { [fcsLoc]: { local: 'sources/fcs.fits', state: 'collected', attempts: 2, bytes: 1 }, [dcsLoc]: 'sources/dcs.fits' }, 'sources.json');
    const entries = daxRun(['merge', '--sources', map, '-o', join(dir, 'entries.fits'), spec]);
    expect(entries.stderr).toBe('');
    expect(entries.code).toBe(0);
    expect((await scan(join(dir, 'entries.fits'))).hdus.map((h) => findValue(h.cards, 'EXTNAME'))).toEqual([undefined, 'DCS_EXT', 'FCS_EVENTS', 'FCS_TAB']);

    // A location the map does not hold: 110, naming it.
    writeSpec(join(dir, 'ws'), { [dcsLoc]: 'sources/dcs.fits' }, 'sources.json');
    const missing = daxRun(['merge', '--sources', map, spec]);
    expect(missing.code).toBe(110);
    expect(missing.stderr).toContain(`source "fcs": location ${fcsLoc} is not in the sources map ${map}`);
    // A mapped file that is not there: 110, naming both.
    writeSpec(join(dir, 'ws'), { [dcsLoc]: 'sources/dcs.fits', [fcsLoc]: 'sources/gone.fits' }, 'sources.json');
    const gone = daxRun(['merge', '--sources', map, spec]);
    expect(gone.code).toBe(110);
    expect(gone.stderr).toContain(`${join(dir, 'ws/sources/gone.fits')} not found (the local file of ${fcsLoc} in the sources map ${map})`);
  });

  test('--sources FILE: a malformed map is 102 with the JSON path, a missing one 100; nothing written', () => {
    const dir = tempDir();
    fixtures(dir);
    const spec = writeSpec(dir, { id: 'x', sources: [{ type: 'fitsFile', sourceName: 'fcs', location: 'h:/x/fcs.fits' }], target: { fileId: 'out' } });
    const cases: [unknown, string][] = [
      ['{"h:/x/fcs.fits": ', 'invalid JSON'],
      [[], '/: must be an object mapping each source location to a local file'],
      [{ 'h:/x/fcs.fits': 7 }, '/h:~1x~1fcs.fits: must be a non-empty string'],
      [{ 'h:/x/fcs.fits': '' }, '/h:~1x~1fcs.fits: must be a non-empty string'],
      [{ 'h:/x/fcs.fits': { state: 'collected' } }, '/h:~1x~1fcs.fits/local: must be the local file\'s path, a non-empty string, not missing'],
      [{ 'h:/x/fcs.fits': { local: 3 } }, '/h:~1x~1fcs.fits/local: must be the local file\'s path, a non-empty string, not 3'],
    ];
    for (const [map, message] of cases) {
      const r = daxRun(['merge', '--sources', writeSpec(dir, map, 'sources.json'), spec]);
      expect(r.code, JSON.stringify(map)).toBe(102);
      expect(r.stderr).toContain(message);
    }
    const none = daxRun(['merge', '--sources', join(dir, 'none.json'), spec]);
    expect(none.code).toBe(100);
    expect(none.stderr).toContain(`sources map ${join(dir, 'none.json')}: not found`);
    expect(existsSync(join(dir, 'out.fits'))).toBe(false);
    noTemp(dir);
  });

  test('--json: one object per line: steps, each source, warnings, the result path', () => {
    const dir = tempDir();
    fixtures(dir);
    const spec = writeSpec(dir, {
      id: FILE_ID,
      sources: [
        { ...ocm, keywords: [...ocm.keywords, { type: 'valueKeyword', name: 'SIMPLE', value: true }] },
        { type: 'fitsFile', sourceName: 'fcs', location: 'fcs.fits', keywordRules: fcsRules },
      ],
      target: { fileId: FILE_ID },
    });
    const r = daxRun(['merge', '--json', spec]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l.type === 'step').length).toBeGreaterThanOrEqual(3);
    expect(lines.filter((l) => l.type === 'source').map((l) => [l.sourceName, l.sourceType])).toEqual([
      ['ocm', 'fitsKeywords'],
      ['fcs', 'fitsFile'],
    ]);
    expect(lines.find((l) => l.type === 'source' && l.sourceName === 'fcs')).toMatchObject({ keywords: 2, extensions: 2, path: join(dir, 'fcs.fits') });
    expect(lines.filter((l) => l.type === 'warning').map((l) => l.message)).toEqual(['source "ocm": SIMPLE is a structure keyword; not copied']);
    expect(lines.at(-1)).toMatchObject({ type: 'result', path: join(dir, `${FILE_ID}.fits`), hdus: 3, dryRun: false });
    verified(join(dir, `${FILE_ID}.fits`));
  });

  test('--dry-run validates and writes nothing', () => {
    const dir = tempDir();
    fixtures(dir);
    const spec = writeSpec(dir, { id: 'x', sources: [{ type: 'fitsFile', sourceName: 'fcs', location: 'fcs.fits' }], target: { fileId: 'dry' } });
    const before = listDir(dir);
    const r = daxRun(['merge', '--dry-run', spec]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`dry run: would write ${join(dir, 'dry.fits')}`);
    expect(listDir(dir)).toEqual(before);
    const j = daxRun(['merge', '--dry-run', '--json', spec]);
    expect(JSON.parse(j.stdout.trim().split('\n').at(-1)!)).toMatchObject({ type: 'result', dryRun: true, hdus: 3 });
    // Still validated: a broken source fails a dry run too.
    writeFileSync(join(dir, 'fcs.fits'), 'not fits');
    expect(daxRun(['merge', '--dry-run', spec]).code).toBe(111);
    expect(listDir(dir)).toEqual(before);
  });

  test('-v, -vv, -vvv: INFO, DEBUG, TRACE on stderr; quiet by default', () => {
    const dir = tempDir();
    fixtures(dir);
    const spec = writeSpec(dir, { id: 'x', sources: [ocm, { type: 'fitsFile', sourceName: 'fcs', location: 'fcs.fits' }], target: { fileId: 'v' } });
    const quiet = daxRun(['merge', spec]);
    expect(quiet.stderr).toBe('');
    const v1 = daxRun(['merge', '-v', spec]);
    expect(v1.stderr).toContain('info: source 2 "fcs"');
    expect(v1.stderr).not.toContain('debug:');
    const v2 = daxRun(['merge', '-vv', spec]);
    expect(v2.stderr).toContain('debug: source "fcs": OBJECT skipped: source "ocm" has priority');
    expect(v2.stderr).not.toContain('trace:');
    const v3 = daxRun(['merge', spec, '-vvv']);
    expect(v3.stderr).toContain("trace: + HIERARCH ESO OCS TEMPL ID = 'template-id'  (ocm)");
    const global = daxRun(['-v', 'merge', '-v', spec]);
    expect(global.stderr).toContain('debug:');
  });

  test('--help and --version', () => {
    const h = daxRun(['merge', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('Usage: dax merge [options] <spec>');
    expect(h.stdout).toContain('--dry-run');
    expect(h.stdout).toMatch(/102 +specification \(or --sources file\) fails its checks/);
    expect(h.stdout).toContain("--sources <file>");
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
    const v = daxRun(['merge', '--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(pkg.version);
  });
});

describe('dax merge: exit codes', () => {
  const setup = (spec: unknown): { dir: string; spec: string } => {
    const dir = tempDir();
    fixtures(dir);
    return { dir, spec: writeSpec(dir, spec) };
  };
  const good = { id: 'x', sources: [{ type: 'fitsFile', sourceName: 'fcs', location: 'fcs.fits' }], target: { fileId: 'out' } };
  const nothingWritten = (dir: string): void => {
    expect(existsSync(join(dir, 'out.fits'))).toBe(false);
    noTemp(dir);
  };

  test('0: success', () => {
    const { dir, spec } = setup(good);
    expect(daxRun(['merge', spec]).code).toBe(0);
    verified(join(dir, 'out.fits'));
  });

  test('100: specification file not found', () => {
    const dir = tempDir();
    const r = daxRun(['merge', join(dir, 'nope.json')]);
    expect(r.code).toBe(100);
    expect(r.stderr).toContain('nope.json: not found');
  });

  test('101: invalid JSON', () => {
    const dir = tempDir();
    const r = daxRun(['merge', writeSpec(dir, '{"id": "x", ')]);
    expect(r.code).toBe(101);
    expect(r.stderr).toContain('invalid JSON');
    const j = daxRun(['merge', '--json', '-'], { input: 'nope' });
    expect(j.code).toBe(101);
    expect(JSON.parse(j.stdout.trim())).toMatchObject({ type: 'error', code: 101 });
  });

  test('102: the schema fails, the message names the JSON path, nothing is written', () => {
    const { dir, spec } = setup({ ...good, sources: [ocm, { type: 'fitsFile', sourceName: 'fcs', location: 'fcs.fits', keywordRules: [{ type: 'filtr', selectionPatterns: [] }] }] });
    const r = daxRun(['merge', spec]);
    expect(r.code).toBe(102);
    expect(r.stderr).toContain('/sources/1/keywordRules/0/type');
    expect(r.stderr).toContain('"filtr" is not a known type (filter, transform)');
    nothingWritten(dir);
    const bad = [
      [{ ...good, target: {} }, '/target/fileId: required property is missing'],
      [{ ...good, sources: [{ type: 'fitsKeywords', sourceName: 'k', keywords: [{ type: 'valueKeyword', name: 'TOOLONGNAME', value: 1 }] }] }, '/sources/0/keywords/0/name'],
      [{ ...good, sources: [{ type: 'fitsKeywords', sourceName: 'k', keywords: [{ type: 'literalKeyword', value: "X       = 'open" }] }] }, '/sources/0/keywords/0/value: not a FITS card'],
      [{ ...good, sources: [{ type: 'fitsKeywords', sourceName: 'k', keywords: [{ type: 'literalKeyword', value: "X = 'open'" }] }] }, '/sources/0/keywords/0/value: not a FITS card'],
      [{ ...good, sources: [{ ...good.sources[0], keywordRules: [{ type: 'filter', selectionPatterns: ['+e INS [1'] }] }] }, '/sources/0/keywordRules/0/selectionPatterns/0'],
      [{ ...good, sources: [{ ...good.sources[0], keywordRules: [{ type: 'transform', selectionPatterns: [], regex: '(', format: '' }] }] }, '/sources/0/keywordRules/0/regex'],
      [{ ...good, target: { fileId: '../escape' } }, '/target/fileId'],
    ] as const;
    for (const [s, path] of bad) {
      const b = daxRun(['merge', writeSpec(dir, s)]);
      expect(b.code, JSON.stringify(s)).toBe(102);
      expect(b.stderr).toContain(path);
    }
    nothingWritten(dir);
  });

  test('102: two sources with one sourceName; the message names both JSON paths', () => {
    const twice = { type: 'fitsKeywords', sourceName: 'fcs', keywords: [] };
    const { dir, spec } = setup({ ...good, sources: [ocm, good.sources[0], { ...ocm, sourceName: 'x' }, twice] });
    const r = daxRun(['merge', spec]);
    expect(r.code).toBe(102);
    expect(r.stderr).toContain('/sources/3/sourceName: sourceName "fcs" is already used at /sources/1/sourceName');
    nothingWritten(dir);
    const target = daxRun(['merge', writeSpec(dir, { ...good, target: { fileId: 'out', source: { type: 'fitsFile', sourceName: 'fcs', location: 'dcs.fits' } } })]);
    expect(target.code).toBe(102);
    expect(target.stderr).toContain('/target/source/sourceName: sourceName "fcs" is already used at /sources/0/sourceName');
    nothingWritten(dir);
  });

  test('110: a source file not found, local or remote', () => {
    const { dir, spec } = setup({ ...good, sources: [...good.sources, { type: 'fitsFile', sourceName: 'gone', location: 'gone.fits' }] });
    const r = daxRun(['merge', spec]);
    expect(r.code).toBe(110);
    expect(r.stderr).toContain(`source "gone": ${join(dir, 'gone.fits')} not found`);
    nothingWritten(dir);
    const remote = daxRun(['merge', writeSpec(dir, { ...good, target: { fileId: 'out', source: { type: 'fitsFile', sourceName: 'dcs', location: 'dcs-host:/data/dcs/x.fits' } } })]);
    expect(remote.code).toBe(110);
    expect(remote.stderr).toContain('dcs-host:/data/dcs/x.fits is on host dcs-host; dax merge reads local files only and /data/dcs/x.fits does not exist here');
    nothingWritten(dir);
  });

  test('111: a source file that is not valid FITS', () => {
    const { dir, spec } = setup(good);
    writeFileSync(join(dir, 'fcs.fits'), readFileSync(join(dir, 'fcs.fits')).subarray(0, 2880 * 2 + 100));
    const r = daxRun(['merge', spec]);
    expect(r.code).toBe(111);
    expect(r.stderr).toMatch(/source "fcs": not valid FITS: .*truncated/);
    nothingWritten(dir);
    writeFileSync(join(dir, 'fcs.fits'), 'plain text');
    expect(daxRun(['merge', spec]).code).toBe(111);
    mkdirSync(join(dir, 'dir.fits'));
    expect(daxRun(['merge', writeSpec(dir, { ...good, sources: [{ type: 'fitsFile', sourceName: 'd', location: 'dir.fits' }] })]).code).toBe(111);
    nothingWritten(dir);
  });

  test('111: an extension of an unregistered type, named by file and HDU; registered conforming types pass', () => {
    const { dir, spec } = setup(good);
    const ext = (type: string): Buffer => hdu([kv('XTENSION', type), kv('BITPIX', 8), kv('NAXIS', 1), kv('NAXIS1', 10), kv('PCOUNT', 0), kv('GCOUNT', 1)], pattern(10));
    writeFits(join(dir, 'fcs.fits'), primaryEmpty(), binTable(2, 'OK'), ext('MYTABLE'));
    const r = daxRun(['merge', spec]);
    expect(r.code).toBe(111);
    expect(r.stderr).toContain(`source "fcs": ${join(dir, 'fcs.fits')} HDU 3: XTENSION = "MYTABLE" is not a registered extension type`);
    nothingWritten(dir);
    writeFits(join(dir, 'fcs.fits'), primaryEmpty(), ext('FOREIGN'), ext('DUMP'));
    expect(daxRun(['merge', spec]).code).toBe(0);
    expect(existsSync(join(dir, 'out.fits'))).toBe(true);
  });

  test('255: the output cannot be written', () => {
    const { dir, spec } = setup(good);
    const r = daxRun(['merge', spec, '-o', join(dir, 'no/such/dir/out.fits')]);
    expect(r.code).toBe(255);
    expect(r.stderr).toContain(`output directory ${join(dir, 'no/such/dir')} does not exist`);
    expect(basename(spec)).toBe('spec.json');
  });
});
