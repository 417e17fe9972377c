// Runs the real `dax chunks` binary.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repo } from '../repo.js';
import { parseChunkList } from '../../src/chunks/chunklist.js';

function dax(...args: string[]): { code: number | null; stdout: string; stderr: string; ms: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(repo, 'bin/dax.js'), 'chunks', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}


describe('dax chunks', () => {
  it('counts the chunks of 340×3 quickly', () => {
    const r = dax('--stripes', '340', '--substripes', '3', '--count');
    expect(r).toMatchObject({ code: 0, stdout: '146332\n', stderr: '' });
    // Whole process, node start-up included; counting itself takes under a millisecond.
    expect(r.ms).toBeLessThan(2000);
  });

  it('lists a wrapping region one id per line, or as ranges that read back the same', () => {
    const plain = dax('--stripes', '50', '--substripes', '5', '--region', '350,10,1,2');
    expect(plain.stdout).toBe('2500\n2501\n2502\n2596\n2597\n2598\n');
    const ranges = dax('--stripes', '50', '--substripes', '5', '--region', '-10,10,1,2', '--ranges');
    expect(ranges.stdout).toBe('2500:2502\n2596:2598\n');
    expect(parseChunkList(ranges.stdout, 'out')).toEqual({ ok: true, value: [2500, 2501, 2502, 2596, 2597, 2598] });
  });

  it('answers neighbours, locate and bounds, in JSON too', () => {
    const n = dax('--stripes', '50', '--substripes', '5', '--neighbours', '2500', '--width', '1', '--json');
    expect(JSON.parse(n.stdout)).toMatchObject({ chunk: 2500, count: 9, chunks: [2400, 2401, 2498, 2500, 2501, 2598, 2600, 2601, 2698] });
    const x = dax('--stripes', '50', '--substripes', '5', '--neighbours', '2500', '--width', '1', '--exclude-self');
    expect(x.stdout.split('\n')).not.toContain('2500');
    expect(dax('--stripes', '50', '--substripes', '5', '--locate', '0', '-20').stdout).toBe('1900\n');
    const loc = JSON.parse(dax('--stripes', '50', '--substripes', '5', '--locate', '30', '0', '--json').stdout) as Record<string, unknown>;
    expect(loc).toMatchObject({ chunk: 2408, ra: 30, dec: 0 });
    expect(typeof loc.subChunk).toBe('number');
    expect(dax('--stripes', '50', '--substripes', '5', '--bounds', '2500').stdout).toBe('ra 0 3.63636363636\ndec 0 3.6\n');
    const b = JSON.parse(dax('--stripes', '50', '--substripes', '5', '--bounds', '4900', '--json').stdout) as Record<string, unknown>;
    expect(b).toMatchObject({ stripe: 49, chunksInStripe: 1, ra: [0, 360] });
  });

  it('bad input: a plain message on stderr and exit 2', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--count'], /--stripes and --substripes are required/],
      [['--stripes', '0', '--substripes', '5'], /stripes must be an integer ≥ 1/],
      [['--stripes', '50', '--substripes', '5', '--bounds', '2599'], /chunk 2599 does not exist/],
      [['--stripes', '50', '--substripes', '5', '--region', '1,2,3'], /--region takes RA1,RA2,DEC1,DEC2/],
      [['--stripes', '50', '--substripes', '5', '--region', '10,-10,0,1'], /wrapping range/],
      [['--stripes', '50', '--substripes', '5', '--locate', '10', '95'], /DEC must lie within/],
      [['--stripes', '50', '--substripes', '5', '--neighbours', '2500'], /needs --width/],
      [['--stripes', '50', '--substripes', '5', '--neighbours', '2500', '--width', '1', '--locate', '1', '1'], /choose one of/],
    ];
    for (const [args, message] of cases) {
      const r = dax(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    }
  });
});
