import { describe, expect, it } from 'vitest';
import { Chunker, boxContains, boxFromDegrees, boxIntersects, degToRad, type Box } from '../../src/chunks/chunker.js';

const box = (ra1: number, ra2: number, dec1: number, dec2: number): Box => {
  const b = boxFromDegrees(ra1, ra2, dec1, dec2);
  if (!b.ok) throw new Error(b.error);
  return b.value;
};

/** Deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const c50 = new Chunker(50, 5);
const all50 = c50.getAllChunks();

describe('Chunker: Qserv/sphgeom check values (chunks.md)', () => {
  it('50×5 has 3,054 chunks, the largest id 4,900', () => {
    expect(c50.countAllChunks()).toBe(3054);
    expect(all50).toHaveLength(3054);
    expect(Math.max(...all50)).toBe(4900);
  });

  it('locates the documented points', () => {
    expect(c50.locate(0.25, 0.25)).toBe(2500);
    expect(c50.locate(30, 0)).toBe(2408);
    expect(c50.locate(0, -20)).toBe(1900);
  });

  it('numbers chunks by stripe: id = stripe·2·numStripes + chunk, ascending', () => {
    expect([...all50].sort((a, b) => a - b)).toEqual(all50);
    expect(all50[0]).toBe(0); // the south polar cap is one chunk
    expect(c50.chunkInfo(4900)).toMatchObject({ stripe: 49, chunk: 0, chunksInStripe: 1 });
    expect(c50.chunkInfo(2500)).toMatchObject({ stripe: 25, chunk: 0 });
    expect(c50.isValidChunk(2500 + c50.chunkInfo(2500).chunksInStripe)).toBe(false);
    expect(c50.isValidChunk(5000)).toBe(false);
    expect(c50.isValidChunk(-1)).toBe(false);
  });

  it('rejects unusable parameters with a reason', () => {
    expect(Chunker.create(0, 3)).toMatchObject({ ok: false });
    expect(Chunker.create(10, 0)).toMatchObject({ ok: false });
    expect(Chunker.create(1.5, 1)).toMatchObject({ ok: false });
    const tooFine = Chunker.create(1000, 1000);
    expect(tooFine.ok).toBe(false);
    if (!tooFine.ok) expect(tooFine.error).toMatch(/648000/);
    expect(() => new Chunker(0, 1)).toThrow(RangeError);
    expect(Chunker.create(1, 1)).toMatchObject({ ok: true });
  });
});

describe('Chunker: boundaries go to the lower stripe / chunk', () => {
  it('a point on a stripe boundary belongs to the stripe below', () => {
    expect(c50.locate(1, 0)).toBe(2400);
    expect(c50.locate(1, 1e-9)).toBe(2500);
    expect(c50.locate(1, 3.6)).toBe(2500);
    expect(c50.locate(1, 3.6 + 1e-9)).toBe(2600);
  });

  it('a point on a chunk boundary belongs to the chunk on its west (lower id)', () => {
    const w = 360 / c50.chunkInfo(2500).chunksInStripe;
    expect(c50.locate(w, 1)).toBe(2500);
    expect(c50.locate(w + 1e-9, 1)).toBe(2501);
    expect(c50.locate(w - 1e-9, 1)).toBe(2500);
  });

  it('RA 0 and RA 360 are chunk 0 of the stripe, not its last chunk', () => {
    expect(c50.locate(0, 1)).toBe(2500);
    expect(c50.locate(360, 1)).toBe(2500);
    expect(c50.locate(-1e-9, 1)).toBe(2500 + c50.chunkInfo(2500).chunksInStripe - 1);
    expect(c50.locate(-10, 1)).toBe(c50.locate(350, 1));
  });

  it('the poles are the polar caps', () => {
    expect(c50.locate(123, 90)).toBe(4900);
    expect(c50.locate(0, -90)).toBe(0);
    expect(() => c50.locate(0, 91)).toThrow(RangeError);
  });

  it('agrees with a brute-force "first chunk whose dilated box contains the point"', () => {
    const r = rng(7);
    const points: Array<[number, number]> = [];
    for (let i = 0; i < 300; ++i) points.push([r() * 360, r() * 180 - 90]);
    // Points exactly on grid lines, where the order matters.
    for (const s of [0, 1, 10, 25, 48, 49, 50]) for (const lon of [0, 7.2, 90, 359.9]) points.push([lon, -90 + s * 3.6]);
    for (const [lon, lat] of points) {
      const expected = all50.find((id) => boxContains(c50.getChunkBounds(id), degToRad(lon), degToRad(lat)));
      expect(c50.locate(lon, lat), `(${lon}, ${lat})`).toBe(expected);
    }
  });
});

describe('Chunker: chunks in a box', () => {
  it('matches a brute-force intersection test for random boxes, wrapping ones included', () => {
    const r = rng(11);
    for (let i = 0; i < 60; ++i) {
      const ra1 = r() * 360;
      const ra2 = r() * 360; // ra1 > ra2 wraps through 0
      const d1 = r() * 180 - 90;
      const d2 = Math.min(90, d1 + r() * 30);
      const b = box(ra1, ra2, d1, d2);
      const expected = all50.filter((id) => boxIntersects(b, c50.getChunkBounds(id)));
      expect(c50.getChunksIn(b), `${ra1},${ra2},${d1},${d2}`).toEqual(expected);
    }
  });

  it('a box wrapping through RA 0 is the union of its two sides', () => {
    const wrap = c50.getChunksIn(box(350, 10, 1, 2));
    expect(wrap).toEqual([2500, 2501, 2502, 2596, 2597, 2598]);
    expect(c50.getChunksIn(box(-10, 10, 1, 2))).toEqual(wrap);
    const union = new Set([...c50.getChunksIn(box(350, 360, 1, 2)), ...c50.getChunksIn(box(0, 10, 1, 2))]);
    expect(wrap).toEqual([...union].sort((a, b) => a - b));
  });

  it('the whole sky is every chunk; a box inside one chunk is that chunk', () => {
    expect(c50.getChunksIn(box(0, 360, -90, 90))).toEqual(all50);
    expect(c50.getChunksIn(box(1, 2, 1, 2))).toEqual([2500]);
  });

  it('rejects a box that makes no sense', () => {
    expect(boxFromDegrees(10, -10, 0, 1).ok).toBe(false); // wrap needs both ends in [0, 360]
    expect(boxFromDegrees(0, 10, 5, 1).ok).toBe(false);
    expect(boxFromDegrees(0, 10, -95, 1).ok).toBe(false);
    expect(boxFromDegrees(0, Number.NaN, 0, 1).ok).toBe(false);
  });
});

describe('Chunker: neighbours', () => {
  it('are the chunk and the chunks around it, across RA 0', () => {
    const n = c50.neighbours(2500, 1);
    expect(n).toEqual([2400, 2401, 2498, 2500, 2501, 2598, 2600, 2601, 2698]);
  });

  it('at a pole: the polar cap touches every chunk of the next stripe', () => {
    const stripe48 = all50.filter((id) => id >= 4800 && id < 4900);
    expect(c50.neighbours(4900, 0.5)).toEqual([...stripe48, 4900]);
    const n = c50.neighbours(100, 0.5); // stripe 1, next to the south cap
    expect(n[0]).toBe(0);
    expect(n).toContain(100);
  });

  it('grow with the width; a width past 360° in RA takes whole stripes', () => {
    expect(c50.neighbours(2500, 5).length).toBeGreaterThan(c50.neighbours(2500, 1).length);
    expect(c50.neighbours(2500, 200)).toEqual(all50);
    // Growing each side by 179° passes 360° in RA: the grown box is a full band of RA.
    const g = c50.getGrownBounds(2500, 179);
    expect(boxContains(g, degToRad(180), degToRad(1))).toBe(true);
  });

  it('the grown box holds every point within the width of the chunk (unscaled in RA)', () => {
    const g = c50.getGrownBounds(2500, 1);
    expect(boxContains(g, degToRad(-0.99), degToRad(-0.99))).toBe(true);
    expect(boxContains(g, degToRad(-1.01), degToRad(0.5))).toBe(false);
    expect(() => c50.getGrownBounds(2500, -1)).toThrow(RangeError);
  });
});

describe('Chunker: sub-chunks', () => {
  it('every random point lies in its chunk and sub-chunk boxes', () => {
    const r = rng(3);
    for (let i = 0; i < 500; ++i) {
      const lon = r() * 360;
      const lat = Math.asin(2 * r() - 1) * (180 / Math.PI);
      const { chunkId, subChunkId } = c50.getSubChunk(lon, lat);
      expect(chunkId).toBe(c50.locate(lon, lat));
      expect(c50.getAllSubChunks(chunkId)).toContain(subChunkId);
      expect(boxContains(c50.getSubChunkBounds(chunkId, subChunkId), degToRad(lon), degToRad(lat))).toBe(true);
    }
  });

  it('sub-chunk ids are maxSub·(sub-stripe in stripe) + index', () => {
    const subs = c50.getAllSubChunks(2500);
    expect(subs).toHaveLength(c50.chunkInfo(2500).subChunks);
    expect(subs[0]).toBe(0);
    const perRow = subs.filter((s) => s < c50.maxSubChunksPerChunk).length;
    expect(subs[perRow]).toBe(c50.maxSubChunksPerChunk);
    expect(c50.getSubChunk(0.01, 0.01)).toEqual({ chunkId: 2500, subChunkId: 0 });
    // Top sub-stripe of stripe 24: a point just below the equator.
    expect(c50.getSubChunk(0.01, -0.01).subChunkId).toBe(4 * c50.maxSubChunksPerChunk);
  });

  it('the sub-chunk of a chunk nearest an outside point is on that side of the chunk', () => {
    // West of chunk 2500 across RA 0, level with its bottom row: its first sub-chunk.
    expect(c50.getSubChunkIn(2500, 359.9, 0.01)).toBe(0);
    expect(c50.getSubChunkIn(2500, 1, 3.65)).toBe(4 * c50.maxSubChunksPerChunk + 1);
  });
});

describe('Chunker: speed', () => {
  it('counts the chunks of 340 stripes × 3 sub-stripes in well under 0.5 s', () => {
    const t0 = performance.now();
    const c = new Chunker(340, 3);
    const n = c.countAllChunks();
    const ms = performance.now() - t0;
    expect(n).toBe(c.getAllChunks().length);
    expect(ms).toBeLessThan(100);
  });
});
