// Angles and longitude intervals with the semantics of lsst/sphgeom (Angle, NormalizedAngle,
// NormalizedAngleInterval), so that chunk boundaries come out bit-for-bit like Qserv's.
// Radians inside; degrees only at the edges (CLI, domain specs, example tools).

export const PI = Math.PI;
export const TWO_PI = 2 * Math.PI;
export const HALF_PI = 0.5 * Math.PI;
const RAD_PER_DEG = Math.PI / 180;
const DEG_PER_RAD = 180 / Math.PI;

export const degToRad = (deg: number): number => deg * RAD_PER_DEG;
export const radToDeg = (rad: number): number => rad * DEG_PER_RAD;

/** A longitude in [0, 2π] (2π itself is kept, as sphgeom's NormalizedAngle does). */
export function normalizeLon(a: number): number {
  if (a < 0) return (a % TWO_PI) + TWO_PI;
  if (a > TWO_PI) return a % TWO_PI;
  return a;
}

/**
 * A closed longitude interval: the points swept counter-clockwise from `a` to `b`.
 * `a > b` means it wraps through 0: [a, 2π) ∪ [0, b]. [0, 2π] is the full circle.
 */
export interface LonInterval {
  readonly a: number;
  readonly b: number;
}

export const FULL_LON: LonInterval = { a: 0, b: TWO_PI };

const isNormalized = (x: number): boolean => x >= 0 && x <= TWO_PI;

/**
 * The interval from x to y (radians). If both lie in [0, 2π], y < x means a wrapping interval;
 * otherwise x ≤ y is required and [x, y] is normalized (full if it spans 2π or more).
 * Returns undefined for x > y outside [0, 2π] (sphgeom throws there).
 */
export function lonInterval(x: number, y: number): LonInterval | undefined {
  if (!isNormalized(x) || !isNormalized(y)) {
    if (x > y) return undefined;
    if (y - x >= TWO_PI) return FULL_LON;
  }
  return { a: normalizeLon(x), b: normalizeLon(y) };
}

export const lonWraps = (i: LonInterval): boolean => i.a > i.b;
export const lonIsFull = (i: LonInterval): boolean => i.a === 0 && i.b === TWO_PI;

export function lonContains(i: LonInterval, x: number): boolean {
  return lonWraps(i) ? x <= i.b || i.a <= x : i.a <= x && x <= i.b;
}

export function lonIntersects(i: LonInterval, x: LonInterval): boolean {
  if (lonWraps(x)) return lonWraps(i) ? true : !(x.a > i.b && x.b < i.a);
  if (lonWraps(i)) return !(i.a > x.b && i.b < x.a);
  return !(x.b < i.a || x.a > i.b);
}

/** Morphological dilation by w ≥ 0 (sphgeom NormalizedAngleInterval::dilatedBy). */
export function lonDilated(i: LonInterval, w: number): LonInterval {
  if (lonIsFull(i) || w === 0) return i;
  if (w >= PI) return FULL_LON;
  let a = i.a - w;
  let b = i.b + w;
  if (lonWraps(i)) {
    // Both ends moved towards each other across 0: they crossed, so the circle is covered.
    if (a <= b) return FULL_LON;
  } else {
    if (a < 0) {
      a += TWO_PI;
      if (a <= b) return FULL_LON;
    }
    if (b > TWO_PI) {
      b -= TWO_PI;
      if (a <= b) return FULL_LON;
    }
  }
  return lonInterval(a, b) ?? FULL_LON;
}

/** Size of the interval in radians, in [0, 2π]. */
export function lonSize(i: LonInterval): number {
  if (lonIsFull(i)) return TWO_PI;
  const d = i.b - i.a;
  return d < 0 ? TWO_PI + d : d;
}
