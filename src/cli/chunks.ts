import { loadConfigCached } from '../config/cache.js';
import { formatConfigError } from '../config/errors.js';
import { Domains } from '../graph/domains.js';
import { plugins } from './project.js';
import { VERSION } from './main.js';
import type { Command } from 'commander';
import { type Result, assertNever, ok, err } from '../util/result.js';
import { Exit } from './exit.js';
import { ExitRequest } from './main.js';
import { type Chunker, boxFromDegrees, boxToDegrees } from '../chunks/chunker.js';
import { chunkerFor } from '../chunks/domain.js';
import { formatChunkList, toRanges } from '../chunks/chunklist.js';

interface ChunksOptions {
  stripes?: string;
  substripes?: string;
  region?: string;
  count?: boolean;
  ranges?: boolean;
  neighbours?: string;
  width?: string;
  excludeSelf?: boolean;
  locate?: string[];
  bounds?: string;
  json?: boolean;
  fromDaxfile?: string;
}

/** `--from-daxfile WILDCARD`: the chunk ids of a wildcard's domain in the Daxfile. */
async function daxfileChunkSource(wildcard: string, directory: string, file: string | undefined): Promise<Result<number[], string>> {
  const config = await loadConfigCached({ cwd: process.cwd(), directory, file, sets: {}, env: process.env }, VERSION);
  if (!config.ok) return err(formatConfigError(config.error));
  if (!config.value.wildcards[wildcard]) return err(`the Daxfile has no wildcard {${wildcard}} (wildcards: ${Object.keys(config.value.wildcards).join(', ') || 'none'})`);
  const values = new Domains(config.value, plugins()).values(wildcard);
  if (!values.ok) return err(formatConfigError(values.error));
  const ids: number[] = [];
  for (const v of values.value) {
    if (!/^\d+$/.test(v)) return err(`wildcard {${wildcard}} has a value '${v}' that is not a chunk id`);
    ids.push(Number(v));
  }
  return ok(ids);
}

/** `dax chunks`: see chunks.md. */
export function registerChunks(program: Command): void {
  program
    .command('chunks')
    .description('list a set of sky chunks, or answer a question about one (Qserv/sphgeom chunking)')
    .option('--stripes <n>', 'number of stripes (declination bands)')
    .option('--substripes <m>', 'number of sub-stripes per stripe')
    .option('--region <ra1,ra2,dec1,dec2>', 'only chunks intersecting this box, degrees; ra1 > ra2 wraps through RA 0')
    .option('--count', 'print only the number of chunks')
    .option('--ranges', 'print consecutive ids as ranges a:b (chunk-list format)')
    .option('--neighbours <id>', 'the chunks within --width degrees of chunk ID, the chunk itself included')
    .option('--width <deg>', 'neighbourhood width in degrees, for --neighbours')
    .option('--exclude-self', 'with --neighbours: leave the chunk itself out')
    .option('--locate <ra dec...>', 'the chunk holding the point RA DEC (degrees)')
    .option('--bounds <id>', 'the RA/Dec bounds of chunk ID in degrees')
    .option('--json', 'machine-readable output')
    .option('--from-daxfile <wildcard>', 'the chunk set of a wildcard of the Daxfile')
    .addHelpText(
      'after',
      `
Examples:
  dax chunks --stripes 340 --substripes 3 --count
  dax chunks --stripes 50 --substripes 5 --region 350,10,-5,5 --ranges
  dax chunks --stripes 50 --substripes 5 --neighbours 2500 --width 1
  dax chunks --stripes 50 --substripes 5 --locate 30 0`,
    )
    .action(async (opts: ChunksOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<{ directory?: string; file?: string }>();
      const out = await runChunks(opts, globals.directory ?? process.cwd(), globals.file);
      if (!out.ok) {
        process.stderr.write(`dax chunks: ${out.error}\n`);
        throw new ExitRequest(Exit.usage);
      }
      process.stdout.write(out.value);
    });
}

/** Everything `dax chunks` prints, or the usage error to report. */
export async function runChunks(opts: ChunksOptions, directory: string, file: string | undefined): Promise<Result<string, string>> {
  const modes = (['neighbours', 'locate', 'bounds', 'fromDaxfile'] as const).filter((m) => opts[m] !== undefined);
  if (modes.length > 1) return err(`choose one of ${modes.map(flag).join(', ')}`);
  type Mode = (typeof modes)[number] | 'list';
  const first = modes[0];
  const mode: Mode = first === undefined ? 'list' : first;
  if (opts.width !== undefined && mode !== 'neighbours') return err('--width goes with --neighbours');
  if (opts.excludeSelf && mode !== 'neighbours') return err('--exclude-self goes with --neighbours');
  if (opts.region !== undefined && mode !== 'list') return err(`--region cannot be combined with ${flag(mode)}`);
  if ((opts.count || opts.ranges) && (mode === 'locate' || mode === 'bounds')) {
    return err(`${opts.count ? '--count' : '--ranges'} cannot be combined with ${flag(mode)}`);
  }

  if (mode === 'fromDaxfile') {
    const ids = await daxfileChunkSource(opts.fromDaxfile ?? '', directory, file);
    return ids.ok ? ok(formatSet(ids.value, opts, {})) : ids;
  }

  if (opts.stripes === undefined || opts.substripes === undefined) return err('--stripes and --substripes are required');
  const made = chunkerFor(opts.stripes, opts.substripes);
  if (!made.ok) return made;
  const chunker = made.value;
  const grid = { stripes: chunker.numStripes, substripes: chunker.numSubStripesPerStripe };

  switch (mode) {
    case 'list':
      return listChunks(chunker, opts, grid);
    case 'neighbours': {
      const id = chunkId(chunker, opts.neighbours ?? '');
      if (!id.ok) return id;
      if (opts.width === undefined) return err('--neighbours needs --width DEG');
      const width = number(opts.width, '--width');
      if (!width.ok) return width;
      if (width.value < 0) return err(`--width must be ≥ 0, got ${opts.width}`);
      const all = chunker.neighbours(id.value, width.value);
      const ids = opts.excludeSelf ? all.filter((n) => n !== id.value) : all;
      return ok(formatSet(ids, opts, { ...grid, chunk: id.value, width: width.value, includesSelf: !opts.excludeSelf }));
    }
    case 'locate': {
      const args = (opts.locate ?? []).flatMap((a) => a.split(',')).filter((a) => a !== '');
      const [raText, decText] = args;
      if (args.length !== 2 || raText === undefined || decText === undefined) return err(`--locate takes RA and DEC in degrees, got ${JSON.stringify(opts.locate)}`);
      const ra = number(raText, 'RA');
      const dec = number(decText, 'DEC');
      if (!ra.ok) return ra;
      if (!dec.ok) return dec;
      if (dec.value < -90 || dec.value > 90) return err(`DEC must lie within [-90, 90], got ${dec.value}`);
      const at = chunker.getSubChunk(ra.value, dec.value);
      if (opts.json) return ok(json({ ...grid, ra: ra.value, dec: dec.value, chunk: at.chunkId, subChunk: at.subChunkId }));
      return ok(`${at.chunkId}\n`);
    }
    case 'bounds': {
      const id = chunkId(chunker, opts.bounds ?? '');
      if (!id.ok) return id;
      const info = chunker.chunkInfo(id.value);
      const b = boxToDegrees(chunker.getChunkNominalBounds(id.value));
      const d = boxToDegrees(chunker.getChunkBounds(id.value));
      if (opts.json) {
        return ok(
          json({
            ...grid,
            chunk: id.value,
            stripe: info.stripe,
            chunkInStripe: info.chunk,
            chunksInStripe: info.chunksInStripe,
            subChunks: info.subChunks,
            ra: [b.lonMin, b.lonMax],
            dec: [b.latMin, b.latMax],
            // What intersection and locate actually test: the box with its 5e-12 rad margin.
            dilated: { ra: [d.lonMin, d.lonMax], dec: [d.latMin, d.latMax] },
          }),
        );
      }
      return ok(`ra ${round(b.lonMin)} ${round(b.lonMax)}\ndec ${round(b.latMin)} ${round(b.latMax)}\n`);
    }
    default:
      return assertNever(mode);
  }
}

function listChunks(chunker: Chunker, opts: ChunksOptions, grid: { stripes: number; substripes: number }): Result<string, string> {
  if (opts.region === undefined) {
    // Counting the whole sky needs no ids at all.
    if (opts.count) return ok(opts.json ? json({ ...grid, count: chunker.countAllChunks() }) : `${chunker.countAllChunks()}\n`);
    return ok(formatSet(chunker.getAllChunks(), opts, grid));
  }
  const parts = opts.region.split(',').map((p) => p.trim());
  if (parts.length !== 4) return err(`--region takes RA1,RA2,DEC1,DEC2 in degrees, got "${opts.region}"`);
  const names = ['RA1', 'RA2', 'DEC1', 'DEC2'] as const;
  const nums: number[] = [];
  for (const [i, name] of names.entries()) {
    const n = number(parts[i] ?? '', name);
    if (!n.ok) return err(`--region: ${n.error}`);
    nums.push(n.value);
  }
  const [ra1 = NaN, ra2 = NaN, dec1 = NaN, dec2 = NaN] = nums; // four, parsed above
  const box = boxFromDegrees(ra1, ra2, dec1, dec2);
  if (!box.ok) return err(`--region: ${box.error}`);
  const region = { ra: [ra1, ra2], dec: [dec1, dec2] };
  return ok(formatSet(chunker.getChunksIn(box.value), opts, { ...grid, region }));
}

/** A set of ids: count, ranges or one per line; JSON carries `extra` too. */
function formatSet(ids: number[], opts: ChunksOptions, extra: Record<string, unknown>): string {
  if (opts.json) {
    const body: Record<string, unknown> = { ...extra, count: ids.length };
    if (!opts.count) body.chunks = ids;
    if (opts.ranges && !opts.count) body.ranges = toRanges(ids).map(([a, b]) => (a === b ? `${a}` : `${a}:${b}`));
    return json(body);
  }
  if (opts.count) return `${ids.length}\n`;
  if (opts.ranges) return formatChunkList(ids);
  return ids.length === 0 ? '' : `${ids.join('\n')}\n`;
}

function chunkId(chunker: Chunker, text: string): Result<number, string> {
  if (!/^\d+$/.test(text.trim())) return err(`chunk id must be a non-negative integer, got "${text}"`);
  const id = Number(text);
  return chunker.isValidChunk(id) ? ok(id) : err(chunker.invalidChunkMessage(id));
}

function number(text: string, what: string): Result<number, string> {
  const n = text.trim() === '' ? NaN : Number(text);
  return Number.isFinite(n) ? ok(n) : err(`${what} must be a number, got "${text}"`);
}

const flag = (mode: string): string => `--${mode.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
const json = (x: unknown): string => `${JSON.stringify(x)}\n`;
/** Degrees for people: 12 significant digits hide binary noise such as 3.5999999999999996. */
const round = (x: number): number => Number(x.toPrecision(12));
