// The sky chunker of Qserv (lsst/sphgeom Chunker), reimplemented so chunk ids, boundaries and
// intersections match it exactly; see docs/chunks.md.
// Public angles are degrees (what users type); everything inside is radians.
import { type Result, ok, err } from '../util/result.js';
import { FULL_LON, HALF_PI, PI, TWO_PI, degToRad, lonContains, lonInterval, lonIsFull, lonSize, lonWraps, normalizeLon, radToDeg } from './angle.js';
import { type Box, boxContains, boxDilatedBy, boxIntersects, makeBox } from './box.js';

export { type Box, type BoxDegrees, boxFromDegrees, boxToDegrees, boxContains, boxIntersects } from './box.js';
export { degToRad, radToDeg } from './angle.js';

/** Margin added around every chunk and query box (~1 micro-arcsecond), as in sphgeom. */
export const BOX_EPSILON = 5.0e-12;
/** Largest numStripes × numSubStripesPerStripe (sub-stripes no thinner than 1 arcsecond). */
export const MAX_SUB_STRIPES = 180 * 3600;

export interface SubChunkLocation {
  chunkId: number;
  subChunkId: number;
}

export interface ChunkInfo {
  chunkId: number;
  stripe: number;
  /** Index of the chunk within its stripe. */
  chunk: number;
  chunksInStripe: number;
  subChunks: number;
}

/** Number of equal longitude segments a latitude band of height `width` is cut into. */
function computeNumSegments(latA: number, latB: number, width: number): number {
  if (width > PI) return 1;
  const maxAbsLat = Math.max(Math.abs(latA), Math.abs(latB));
  // Bands touching a pole are one segment: the polar cap.
  if (maxAbsLat > HALF_PI - 4.85e-6) return 1;
  const cosWidth = Math.cos(width);
  const sinLat = Math.sin(maxAbsLat);
  const cosLat = Math.cos(maxAbsLat);
  const x = cosWidth - sinLat * sinLat;
  const u = cosLat * cosLat;
  const y = Math.sqrt(Math.abs(u * u - x * x));
  return Math.floor(TWO_PI / Math.abs(Math.atan2(y, x)));
}

export class Chunker {
  readonly numStripes: number;
  readonly numSubStripesPerStripe: number;
  readonly numSubStripes: number;
  /** The largest number of sub-chunks per chunk in one sub-stripe (the sub-chunk id stride). */
  readonly maxSubChunksPerChunk: number;
  private readonly subStripeHeight: number;
  // Per-stripe and per-sub-stripe tables; no per-chunk objects, so counting is O(stripes).
  private readonly chunksPerStripe: Int32Array;
  private readonly chunkWidth: Float64Array;
  private readonly subChunksPerChunk: Int32Array; // per sub-stripe
  private readonly subChunkWidth: Float64Array; // per sub-stripe
  private readonly totalChunks: number;

  /** The chunker, or why the parameters are unusable. */
  static create(numStripes: number, numSubStripesPerStripe: number): Result<Chunker, string> {
    const problem = checkParameters(numStripes, numSubStripesPerStripe);
    return problem === undefined ? ok(new Chunker(numStripes, numSubStripesPerStripe)) : err(problem);
  }

  /** Throws RangeError on bad parameters; use `Chunker.create` for user input. */
  constructor(numStripes: number, numSubStripesPerStripe: number) {
    const problem = checkParameters(numStripes, numSubStripesPerStripe);
    if (problem !== undefined) throw new RangeError(problem);
    this.numStripes = numStripes;
    this.numSubStripesPerStripe = numSubStripesPerStripe;
    this.numSubStripes = numStripes * numSubStripesPerStripe;
    this.subStripeHeight = PI / this.numSubStripes;
    const stripeHeight = PI / numStripes;
    this.chunksPerStripe = new Int32Array(numStripes);
    this.chunkWidth = new Float64Array(numStripes);
    this.subChunksPerChunk = new Int32Array(this.numSubStripes);
    this.subChunkWidth = new Float64Array(this.numSubStripes);
    let maxSub = 0;
    let total = 0;
    for (let s = 0; s < numStripes; ++s) {
      const nc = computeNumSegments(s * stripeHeight - HALF_PI, (s + 1) * stripeHeight - HALF_PI, stripeHeight);
      this.chunksPerStripe[s] = nc;
      this.chunkWidth[s] = TWO_PI / nc;
      total += nc;
      for (let ss = s * numSubStripesPerStripe; ss < (s + 1) * numSubStripesPerStripe; ++ss) {
        const h = this.subStripeHeight;
        const nsc = Math.trunc(computeNumSegments(ss * h - HALF_PI, (ss + 1) * h - HALF_PI, h) / nc);
        this.subChunksPerChunk[ss] = nsc;
        this.subChunkWidth[ss] = TWO_PI / (nsc * nc);
        if (nsc > maxSub) maxSub = nsc;
      }
    }
    this.maxSubChunksPerChunk = maxSub;
    this.totalChunks = total;
  }

  // ---- chunk ids ----

  /** Number of chunks covering the sky (cheap: no ids are built). */
  countAllChunks(): number {
    return this.totalChunks;
  }

  /** Every chunk id, in chunker order (stripe, then chunk; ascending). */
  getAllChunks(): number[] {
    const ids = new Array<number>(this.totalChunks);
    let i = 0;
    for (let s = 0; s < this.numStripes; ++s) {
      const base = s * 2 * this.numStripes;
      const nc = this.chunksIn(s);
      for (let c = 0; c < nc; ++c) ids[i++] = base + c;
    }
    return ids;
  }

  isValidChunk(chunkId: number): boolean {
    if (!Number.isSafeInteger(chunkId) || chunkId < 0) return false;
    const s = Math.floor(chunkId / (2 * this.numStripes));
    return s < this.numStripes && chunkId - s * 2 * this.numStripes < this.chunksIn(s);
  }

  /** Where a chunk sits; throws RangeError for an id this chunker does not have. */
  chunkInfo(chunkId: number): ChunkInfo {
    const [s, c] = this.split(chunkId);
    let subChunks = 0;
    for (let ss = s * this.numSubStripesPerStripe; ss < (s + 1) * this.numSubStripesPerStripe; ++ss) {
      subChunks += this.subChunksIn(ss);
    }
    return { chunkId, stripe: s, chunk: c, chunksInStripe: this.chunksIn(s), subChunks };
  }

  /** The chunk's box as defined (no safety margin), radians. */
  getChunkNominalBounds(chunkId: number): Box {
    const [s, c] = this.split(chunkId);
    return this.chunkBox(s, c);
  }

  /** The chunk's box dilated by BOX_EPSILON: what intersection and `locate` test against. */
  getChunkBounds(chunkId: number): Box {
    const [s, c] = this.split(chunkId);
    return boxDilatedBy(this.chunkBox(s, c), BOX_EPSILON);
  }

  // ---- sub-chunks ----

  /** Sub-chunk ids of a chunk, ascending. */
  getAllSubChunks(chunkId: number): number[] {
    const [s] = this.split(chunkId);
    const ids: number[] = [];
    const ssBeg = s * this.numSubStripesPerStripe;
    for (let ss = ssBeg; ss < ssBeg + this.numSubStripesPerStripe; ++ss) {
      const base = this.maxSubChunksPerChunk * (ss - ssBeg);
      for (let k = 0; k < this.subChunksIn(ss); ++k) ids.push(base + k);
    }
    return ids;
  }

  isValidSubChunk(chunkId: number, subChunkId: number): boolean {
    if (!this.isValidChunk(chunkId) || !Number.isSafeInteger(subChunkId) || subChunkId < 0) return false;
    const s = Math.floor(chunkId / (2 * this.numStripes));
    const y = Math.floor(subChunkId / this.maxSubChunksPerChunk);
    const k = subChunkId - y * this.maxSubChunksPerChunk;
    return y < this.numSubStripesPerStripe && k < this.subChunksIn(s * this.numSubStripesPerStripe + y);
  }

  getSubChunkNominalBounds(chunkId: number, subChunkId: number): Box {
    const [ss, sc] = this.splitSub(chunkId, subChunkId);
    return this.subChunkBox(ss, sc);
  }

  getSubChunkBounds(chunkId: number, subChunkId: number): Box {
    const [ss, sc] = this.splitSub(chunkId, subChunkId);
    return boxDilatedBy(this.subChunkBox(ss, sc), BOX_EPSILON);
  }

  // ---- geometry ----

  /**
   * Chunks whose (dilated) boxes intersect `box`, in chunker order. The box may wrap through
   * RA 0 (see boxFromDegrees). Same candidate search and test as sphgeom getChunksIntersecting.
   */
  getChunksIn(box: Box): number[] {
    const ids: number[] = [];
    this.forEachChunkIntersecting(box, (s, c) => {
      ids.push(s * 2 * this.numStripes + c);
      return false;
    });
    return ids;
  }

  /** The chunk holding a point: the first, in chunker order, whose dilated box contains it,
   * so a point on a boundary belongs to the lower stripe / lower chunk. Degrees. */
  locate(lonDeg: number, latDeg: number): number {
    const lon = normalizeLon(degToRad(checkLon(lonDeg)));
    const lat = checkLat(latDeg);
    const point = makeBox({ a: lon, b: lon }, lat, lat);
    let found = -1;
    this.forEachChunkIntersecting(point, (s, c) => {
      found = s * 2 * this.numStripes + c;
      return true;
    });
    // Unreachable: the dilated chunk boxes cover the sphere.
    if (found < 0) throw new Error(`no chunk contains (${lonDeg}, ${latDeg})`);
    return found;
  }

  /** Chunk and sub-chunk of a point; the sub-chunk follows the same lower-boundary rule. */
  getSubChunk(lonDeg: number, latDeg: number): SubChunkLocation {
    const chunkId = this.locate(lonDeg, latDeg);
    return { chunkId, subChunkId: this.getSubChunkIn(chunkId, lonDeg, latDeg) };
  }

  /**
   * The sub-chunk of `chunkId` nearest to a point: the point is first moved onto the chunk's box
   * (a no-op for points in the chunk), then the first sub-chunk whose dilated box contains it.
   * Used for overlap rows, which belong to a chunk they are not in.
   */
  getSubChunkIn(chunkId: number, lonDeg: number, latDeg: number): number {
    const [s, c] = this.split(chunkId);
    const nominal = this.chunkBox(s, c);
    const lat = Math.min(nominal.lat.b, Math.max(nominal.lat.a, checkLat(latDeg)));
    let lon = normalizeLon(degToRad(checkLon(lonDeg)));
    if (!lonContains(nominal.lon, lon)) {
      lon = circularDistance(lon, nominal.lon.a) <= circularDistance(lon, nominal.lon.b) ? nominal.lon.a : nominal.lon.b;
    }
    const nss = this.numSubStripesPerStripe;
    const ssBeg = s * nss;
    const ssEnd = ssBeg + nss - 1;
    const ss0 = clampInt(Math.floor((lat + HALF_PI) / this.subStripeHeight), ssBeg, ssEnd);
    let fallback = -1;
    for (let ss = Math.max(ssBeg, ss0 - 1); ss <= Math.min(ssEnd, ss0 + 1); ++ss) {
      const nsc = this.subChunksIn(ss);
      const k0 = clampInt(Math.floor(lon / this.subChunkWidthOf(ss)) - c * nsc, 0, nsc - 1);
      const base = this.maxSubChunksPerChunk * (ss - ssBeg);
      if (ss === ss0) fallback = base + k0;
      for (let k = Math.max(0, k0 - 1); k <= Math.min(nsc - 1, k0 + 1); ++k) {
        const b = boxDilatedBy(this.subChunkBox(ss, c * nsc + k), BOX_EPSILON);
        if (boxContains(b, lon, lat)) return base + k;
      }
    }
    // Only reachable within ~1e-11 rad of a corner, where dilation margins differ.
    return fallback;
  }

  /**
   * The chunk's box grown by `widthDeg` (chunks.md "Neighbours"): latitudes by the width
   * (clamped at the poles), longitudes by the width, unscaled by 1/cos(lat); a longitude range
   * that would pass 2π becomes the full circle.
   */
  getGrownBounds(chunkId: number, widthDeg: number): Box {
    if (!(widthDeg >= 0) || !Number.isFinite(widthDeg)) throw new RangeError(`width must be a finite number ≥ 0, got ${widthDeg}`);
    const nominal = this.getChunkNominalBounds(chunkId);
    const d = degToRad(widthDeg);
    const latA = Math.max(-HALF_PI, nominal.lat.a - d);
    const latB = Math.min(HALF_PI, nominal.lat.b + d);
    let lon = FULL_LON;
    if (!lonIsFull(nominal.lon) && lonSize(nominal.lon) + 2 * d < TWO_PI) {
      lon = lonInterval(nominal.lon.a - d, nominal.lon.b + d) ?? FULL_LON;
    }
    return makeBox(lon, latA, latB);
  }

  /** Chunks intersecting the grown box (getGrownBounds), the chunk itself included. */
  neighbours(chunkId: number, widthDeg: number): number[] {
    return this.getChunksIn(this.getGrownBounds(chunkId, widthDeg));
  }

  /**
   * Distance in degrees from a point to the nearest border of the chunk, measured like the
   * grown box (latitude difference, or longitude difference unscaled): a row is an edge row of
   * width w iff this is ≤ w. Poles and a full-circle chunk's longitudes are not borders.
   */
  edgeDistance(chunkId: number, lonDeg: number, latDeg: number): number {
    const nominal = this.getChunkNominalBounds(chunkId);
    const lat = checkLat(latDeg);
    const lon = normalizeLon(degToRad(lonDeg));
    let d = Infinity;
    if (nominal.lat.a > -HALF_PI) d = Math.min(d, Math.abs(lat - nominal.lat.a));
    if (nominal.lat.b < HALF_PI) d = Math.min(d, Math.abs(nominal.lat.b - lat));
    if (!lonIsFull(nominal.lon)) {
      d = Math.min(d, circularDistance(lon, nominal.lon.a), circularDistance(lon, nominal.lon.b));
    }
    return radToDeg(d);
  }

  // ---- internals ----

  // The per-stripe tables, read: outside the grid there are no chunks (0) and one segment.
  private chunksIn(s: number): number {
    return this.chunksPerStripe[s] ?? 0;
  }
  private chunkWidthOf(s: number): number {
    return this.chunkWidth[s] ?? TWO_PI;
  }
  private subChunksIn(ss: number): number {
    return this.subChunksPerChunk[ss] ?? 0;
  }
  private subChunkWidthOf(ss: number): number {
    return this.subChunkWidth[ss] ?? TWO_PI;
  }

  /** Visits (stripe, chunk) pairs whose dilated box intersects `r`, in order; stop on true. */
  private forEachChunkIntersecting(r: Box, visit: (s: number, c: number) => boolean): void {
    // Candidates come from the dilated query box; each is then tested against `r` itself.
    const b = boxDilatedBy(r, BOX_EPSILON);
    const h = this.subStripeHeight;
    const last = this.numSubStripes - 1;
    const minSS = clampInt(Math.floor((b.lat.a + HALF_PI) / h), 0, last);
    const maxSS = clampInt(Math.floor((b.lat.b + HALF_PI) / h), 0, last);
    const minS = Math.trunc(minSS / this.numSubStripesPerStripe);
    const maxS = Math.trunc(maxSS / this.numSubStripesPerStripe);
    const wraps = lonWraps(b.lon);
    for (let s = minS; s <= maxS; ++s) {
      const w = this.chunkWidthOf(s);
      const nc = this.chunksIn(s);
      let ca = Math.min(Math.floor(b.lon.a / w), nc - 1);
      let cb = Math.min(Math.floor(b.lon.b / w), nc - 1);
      if (ca === cb && wraps) {
        ca = 0;
        cb = nc - 1;
      }
      const test = (c: number): boolean =>
        boxIntersects(r, boxDilatedBy(this.chunkBox(s, c), BOX_EPSILON)) && visit(s, c);
      if (ca <= cb) {
        for (let c = ca; c <= cb; ++c) if (test(c)) return;
      } else {
        for (let c = 0; c <= cb; ++c) if (test(c)) return;
        for (let c = ca; c < nc; ++c) if (test(c)) return;
      }
    }
  }

  private chunkBox(s: number, c: number): Box {
    const w = this.chunkWidthOf(s);
    const h = this.subStripeHeight;
    const ssBeg = s * this.numSubStripesPerStripe;
    const ssEnd = ssBeg + this.numSubStripesPerStripe;
    // Latitudes from sub-stripe multiples, exactly as sphgeom, so chunk and sub-chunk edges agree.
    return makeBox(lonInterval(w * c, w * (c + 1)) ?? FULL_LON, ssBeg * h - HALF_PI, ssEnd * h - HALF_PI);
  }

  private subChunkBox(ss: number, sc: number): Box {
    const w = this.subChunkWidthOf(ss);
    const h = this.subStripeHeight;
    return makeBox(lonInterval(w * sc, w * (sc + 1)) ?? FULL_LON, ss * h - HALF_PI, (ss + 1) * h - HALF_PI);
  }

  /** [stripe, chunk index] of a valid chunk id. */
  private split(chunkId: number): [number, number] {
    if (!this.isValidChunk(chunkId)) throw new RangeError(this.invalidChunkMessage(chunkId));
    const s = Math.floor(chunkId / (2 * this.numStripes));
    return [s, chunkId - s * 2 * this.numStripes];
  }

  /** [sub-stripe, sub-chunk index within the sub-stripe] of a valid sub-chunk. */
  private splitSub(chunkId: number, subChunkId: number): [number, number] {
    if (!this.isValidSubChunk(chunkId, subChunkId)) {
      throw new RangeError(`sub-chunk ${subChunkId} does not exist in chunk ${chunkId} (${this.numStripes}×${this.numSubStripesPerStripe})`);
    }
    const [s, c] = this.split(chunkId);
    const y = Math.floor(subChunkId / this.maxSubChunksPerChunk);
    const ss = s * this.numSubStripesPerStripe + y;
    return [ss, c * this.subChunksIn(ss) + (subChunkId - y * this.maxSubChunksPerChunk)];
  }

  /** A message explaining why an id is not a chunk of this chunker. */
  invalidChunkMessage(chunkId: number): string {
    const grid = `${this.numStripes} stripes × ${this.numSubStripesPerStripe} sub-stripes`;
    if (!Number.isSafeInteger(chunkId) || chunkId < 0) return `chunk id must be a non-negative integer, got ${chunkId}`;
    const s = Math.floor(chunkId / (2 * this.numStripes));
    if (s >= this.numStripes) return `chunk ${chunkId} does not exist with ${grid} (largest stripe is ${this.numStripes - 1})`;
    return `chunk ${chunkId} does not exist with ${grid}: stripe ${s} has chunks ${s * 2 * this.numStripes}..${s * 2 * this.numStripes + this.chunksIn(s) - 1}`;
  }
}

function checkParameters(numStripes: number, numSubStripesPerStripe: number): string | undefined {
  if (!Number.isInteger(numStripes) || numStripes < 1) return `number of stripes must be an integer ≥ 1, got ${numStripes}`;
  if (!Number.isInteger(numSubStripesPerStripe) || numSubStripesPerStripe < 1) {
    return `number of sub-stripes per stripe must be an integer ≥ 1, got ${numSubStripesPerStripe}`;
  }
  if (numStripes * numSubStripesPerStripe > MAX_SUB_STRIPES) {
    return `stripes × sub-stripes must be ≤ ${MAX_SUB_STRIPES} (sub-stripes of at least 1 arcsecond), got ${numStripes * numSubStripesPerStripe}`;
  }
  return undefined;
}

function checkLat(latDeg: number): number {
  if (!(latDeg >= -90 && latDeg <= 90)) throw new RangeError(`latitude must lie within [-90, 90], got ${latDeg}`);
  return degToRad(latDeg);
}

function checkLon(lonDeg: number): number {
  if (!Number.isFinite(lonDeg)) throw new RangeError(`longitude must be a finite number, got ${lonDeg}`);
  return lonDeg;
}

function clampInt(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Shortest angle between two longitudes, radians in [0, π]. */
function circularDistance(x: number, y: number): number {
  const d = Math.abs(x - y) % TWO_PI;
  return d > PI ? TWO_PI - d : d;
}
