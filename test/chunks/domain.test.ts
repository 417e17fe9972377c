import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunkPlugins } from '../../src/chunks/domain.js';
import type { DomainPlugin, ExpandFunction, PluginContext } from '../../src/graph/plugins.js';

const ctx: PluginContext = { projectDir: '/nowhere', baseDir: '/nowhere' };
const { domains, functions } = chunkPlugins();
const domain = (key: string): DomainPlugin => domains.find((d) => d.key === key)!;
const fn = (name: string): ExpandFunction => functions.find((f) => f.name === name)!;

describe('chunks domain', () => {
  const chunks = domain('chunks');

  it('is every chunk of the sky as strings, in chunker order', () => {
    const r = chunks.resolve({ stripes: 50, substripes: 5 }, ctx);
    expect(r.ok && r.value.length).toBe(3054);
    expect(r.ok && r.value.slice(0, 2)).toEqual(['0', '100']);
    expect(r.ok && r.value.at(-1)).toBe('4900');
  });

  it('limits to a region, which may wrap through RA 0', () => {
    expect(chunks.resolve({ stripes: 50, substripes: 5, region: { ra: [350, 10], dec: [1, 2] } }, ctx)).toEqual({
      ok: true,
      value: ['2500', '2501', '2502', '2596', '2597', '2598'],
    });
  });

  it('says what is wrong with a spec', () => {
    const msg = (spec: unknown): string => {
      const r = chunks.resolve(spec, ctx);
      return r.ok ? 'ok' : r.error;
    };
    expect(msg({ stripes: 50 })).toMatch(/substripes must be an integer/);
    expect(msg({ stripes: 50, substripes: 5, regoin: {} })).toMatch(/unknown key "regoin"/);
    expect(msg({ stripes: 50, substripes: 5, region: { ra: [1], dec: [0, 1] } })).toMatch(/chunks.region.ra: expected \[min, max\]/);
    expect(msg({ stripes: 50, substripes: 5, region: { ra: [0, 1], dec: [5, 1] } })).toMatch(/dec min 5 is greater/);
    expect(msg({ stripes: 1000, substripes: 1000 })).toMatch(/648000/);
    expect(msg('all')).toMatch(/expected \{ stripes, substripes, region\? \}/);
  });
});

describe('ids domain', () => {
  const ids = domain('ids');

  it('takes numbers, numeric strings and a:b ranges', () => {
    expect(ids.resolve([7, '12', '20:22', 7], ctx)).toEqual({ ok: true, value: ['7', '12', '20', '21', '22'] });
  });

  it('reads a chunk list file relative to the declaring file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dax-ids-'));
    writeFileSync(join(dir, 'failed.txt'), '5\n9:10\n');
    expect(ids.resolve({ file: 'failed.txt' }, { projectDir: dir, baseDir: dir })).toEqual({ ok: true, value: ['5', '9', '10'] });
    const bad = ids.resolve({ file: 'missing.txt' }, { projectDir: dir, baseDir: dir });
    expect(bad.ok).toBe(false);
  });

  it('points at the bad entry', () => {
    expect(ids.resolve([1, 'x'], ctx)).toMatchObject({ ok: false, error: expect.stringMatching(/^ids\[1\]: expected a chunk id/) });
    expect(ids.resolve([1.5], ctx)).toMatchObject({ ok: false, error: expect.stringMatching(/^ids\[0\]/) });
    expect(ids.resolve('1:3', ctx).ok).toBe(false);
  });
});

describe('neighbours and neighbourhood functions', () => {
  it('neighbours leaves the chunk out; neighbourhood keeps it', () => {
    expect(fn('neighbours').call(['2500', '1', '50', '5'], ctx)).toEqual({
      ok: true,
      value: ['2400', '2401', '2498', '2501', '2598', '2600', '2601', '2698'],
    });
    const n = fn('neighbourhood').call(['2500', '1', '50', '5'], ctx);
    expect(n.ok && n.value).toContain('2500');
    expect(n.ok && n.value).toHaveLength(9);
  });

  it('explains bad arguments', () => {
    const e = (args: string[]): string => {
      const r = fn('neighbours').call(args, ctx);
      return r.ok ? 'ok' : r.error;
    };
    expect(e(['2599', '1', '50', '5'])).toMatch(/chunk 2599 does not exist .* stripe 25 has chunks 2500\.\.2598/);
    expect(e(['2500', '-1', '50', '5'])).toMatch(/width must be a number of degrees ≥ 0/);
    expect(e(['2500', '1', '50'])).toMatch(/expected 4 arguments/);
    expect(e(['2500', '1', 'fifty', '5'])).toMatch(/stripes must be an integer/);
    expect(e(['abc', '1', '50', '5'])).toMatch(/neighbours\(abc, 1, 50, 5\): chunk id must be/);
  });
});
