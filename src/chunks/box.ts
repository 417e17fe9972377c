// Longitude/latitude boxes on the sphere (sphgeom's Box, reduced to what the chunker needs).
import { type Result, ok, err } from '../util/result.js';
import {
  FULL_LON,
  HALF_PI,
  PI,
  type LonInterval,
  degToRad,
  lonContains,
  lonDilated,
  lonInterval,
  lonIntersects,
  lonIsFull,
  normalizeLon,
  radToDeg,
} from './angle.js';

/** A closed box: longitudes `lon` (may wrap through 0), latitudes [lat.a, lat.b]; radians. */
export interface Box {
  readonly lon: LonInterval;
  readonly lat: { readonly a: number; readonly b: number };
}

/** The same box in degrees, as users see it. `lonMin > lonMax` means it wraps through 0. */
export interface BoxDegrees {
  lonMin: number;
  lonMax: number;
  latMin: number;
  latMax: number;
}

const clampLat = (x: number): number => Math.min(HALF_PI, Math.max(-HALF_PI, x));

/** A box from radians; latitudes are clipped to [−π/2, π/2]. */
export function makeBox(lon: LonInterval, latA: number, latB: number): Box {
  return { lon, lat: { a: clampLat(latA), b: clampLat(latB) } };
}

/**
 * A box from user degrees. Longitudes within [0, 360] with lonMin > lonMax wrap through 0
 * (e.g. 350..10); outside that range lonMin ≤ lonMax is required (e.g. −10..10).
 */
export function boxFromDegrees(lonMin: number, lonMax: number, latMin: number, latMax: number): Result<Box, string> {
  for (const [name, v] of [['ra min', lonMin], ['ra max', lonMax], ['dec min', latMin], ['dec max', latMax]] as const) {
    if (!Number.isFinite(v)) return err(`${name} is not a finite number: ${v}`);
  }
  if (latMin < -90 || latMax > 90) return err(`dec must lie within [-90, 90], got ${latMin}..${latMax}`);
  if (latMin > latMax) return err(`dec min ${latMin} is greater than dec max ${latMax}`);
  const lon = lonInterval(degToRad(lonMin), degToRad(lonMax));
  if (lon === undefined) {
    return err(`ra ${lonMin}..${lonMax}: a wrapping range (min > max) needs both ends within [0, 360]`);
  }
  return ok(makeBox(lon, degToRad(latMin), degToRad(latMax)));
}

export function boxToDegrees(b: Box): BoxDegrees {
  return { lonMin: radToDeg(b.lon.a), lonMax: radToDeg(b.lon.b), latMin: radToDeg(b.lat.a), latMax: radToDeg(b.lat.b) };
}

export function boxIntersects(x: Box, y: Box): boolean {
  return x.lat.a <= y.lat.b && x.lat.b >= y.lat.a && lonIntersects(x.lon, y.lon);
}

/** Whether the box holds the point (lon, lat) in radians; lon is normalized first. */
export function boxContains(b: Box, lon: number, lat: number): boolean {
  return b.lat.a <= lat && lat <= b.lat.b && lonContains(b.lon, normalizeLon(lon));
}

/** Half the longitude width of the bounding box of a circle of radius r centred at latitude lat. */
function halfWidthForCircle(r: number, lat: number): number {
  if (r <= 0) return 0;
  // A circle reaching a pole spans every longitude.
  if (Math.abs(lat) + r >= HALF_PI) return PI;
  const s = Math.abs(Math.sin(r) / Math.cos(lat));
  return s >= 1 ? HALF_PI : Math.asin(s);
}

/**
 * The bounding box of all points within angle r of the box (sphgeom Box::dilatedBy(r)):
 * latitudes grow by r (not past a pole), longitudes by the widest circle half-width.
 * This is how both chunk boxes and query boxes get their 5e-12 rad safety margin.
 */
export function boxDilatedBy(b: Box, r: number): Box {
  if (r <= 0 || (lonIsFull(b.lon) && b.lat.a === -HALF_PI && b.lat.b === HALF_PI)) return b;
  const maxAbsLat = Math.max(Math.abs(b.lat.a), Math.abs(b.lat.b));
  const lon = lonDilated(b.lon, halfWidthForCircle(r, maxAbsLat));
  const a = b.lat.a > -HALF_PI ? b.lat.a - r : b.lat.a;
  const bb = b.lat.b < HALF_PI ? b.lat.b + r : b.lat.b;
  return makeBox(lon, a, bb);
}

export const FULL_BOX: Box = { lon: FULL_LON, lat: { a: -HALF_PI, b: HALF_PI } };
