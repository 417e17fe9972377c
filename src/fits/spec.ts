// Loads a Data Product Specification: read (file or stdin), parse JSON, validate against
// schemas/dpspec.schema.json, then the checks a schema cannot express (selection patterns,
// regular expressions, literal cards, unique source names). Failures are MergeErrors.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { createRequire } from 'node:module';
import type { DpSpec, Keyword } from './dpspec.types.js';
import { type Card, formatCard, parseCard, valueFromJson, CARD_LENGTH } from './card.js';
import { type CompiledRule, compileRules } from './rules.js';
import { type MergeError, mergeError } from './errors.js';
import { type Result, ok, err, assertNever } from '../util/result.js';


/** A validated specification with its keyword cards and compiled rules, indexed like `sources`. */
export interface PreparedSpec {
  spec: DpSpec;
  /** Where it was read from: a file path, or `-` for stdin. */
  origin: string;
  /** fitsKeywords sources: their cards; fitsFile sources: undefined. */
  keywords: (Card[] | undefined)[];
  /** fitsFile sources: their rules, or undefined for the default (copy all). */
  rules: (CompiledRule[] | undefined)[];
}

let validator: ValidateFunction | undefined;
const require = createRequire(import.meta.url);

/** The specification's schema. */
export function dpspecSchema(): { $id?: string } {
  // src/fits and dist/fits are both two levels below the package root.
  return JSON.parse(readFileSync(new URL('../../schemas/dpspec.schema.json', import.meta.url), 'utf8')) as { $id?: string };
}

/** The ajv the validator is compiled with (at build time too, see scripts/gen-validators.mjs). */
export function newDpspecAjv(extra: Record<string, unknown> = {}): Ajv {
  const { Ajv: AjvClass } = require('ajv') as typeof import('ajv');
  return new AjvClass({ allErrors: false, discriminator: true, strict: false, ...extra });
}

function getValidator(): ValidateFunction {
  if (validator) return validator;
  // Compiled at build time into dist/ when built; compiled here when running from sources.
  try {
    validator = (require('../fits/dpspec.validator.cjs') as { spec: ValidateFunction }).spec;
  } catch {
    validator = newDpspecAjv().compile(dpspecSchema());
  }
  return validator;
}

/** Reads and prepares the specification file `file`. */
export async function loadSpec(file: string): Promise<Result<PreparedSpec, MergeError>> {
  let text: string;
  try {
    // Read at once: a specification is small, and `dax queue` should not wait on the thread pool.
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    return err(mergeError('spec-not-found', `specification ${file}: ${why}`, { file }));
  }
  return parseSpec(text, path.resolve(file));
}

/** Parses and prepares specification text read from `origin` (a path, or `-` for stdin). */
export function parseSpec(text: string, origin: string): Result<PreparedSpec, MergeError> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return err(mergeError('invalid-json', `specification ${origin}: invalid JSON: ${(e as Error).message}`, { file: origin }));
  }
  return prepareSpec(data, origin);
}

/** Validates parsed JSON as a specification. */
export function prepareSpec(data: unknown, origin: string): Result<PreparedSpec, MergeError> {
  const invalid = (pointer: string, message: string): Result<PreparedSpec, MergeError> =>
    err(mergeError('bad-spec', `specification ${origin}: ${pointer || '/'}: ${message}`, { file: origin, pointer: pointer || '/' }));
  const validate = getValidator();
  if (!validate(data)) {
    const e = validate.errors?.[0];
    if (!e) throw new Error('schema validation failed without an error');
    const d = describeError(e);
    return invalid(d.pointer, d.message);
  }
  const spec = data as DpSpec; // the schema just proved the shape the generated types describe
  // Source names label messages, alerts and collected files: each must name one source.
  const named = new Map<string, string>();
  const all: [string, string][] = spec.sources.map((s, i) => [s.sourceName, `/sources/${i}/sourceName`]);
  if (spec.target.source) all.push([spec.target.source.sourceName, '/target/source/sourceName']);
  for (const [name, pointer] of all) {
    const first = named.get(name);
    if (first !== undefined) return invalid(pointer, `sourceName ${JSON.stringify(name)} is already used at ${first}; every source needs its own name`);
    named.set(name, pointer);
  }
  const keywords: (Card[] | undefined)[] = [];
  const rules: (CompiledRule[] | undefined)[] = [];
  for (const [i, source] of spec.sources.entries()) {
    switch (source.type) {
      case 'fitsKeywords': {
        const cards: Card[] = [];
        for (const [j, kw] of source.keywords.entries()) {
          const c = keywordCard(kw);
          if (!c.ok) return invalid(`/sources/${i}/keywords/${j}${c.error.field}`, c.error.message);
          cards.push(c.value);
        }
        keywords.push(cards);
        rules.push(undefined);
        break;
      }
      case 'fitsFile': {
        keywords.push(undefined);
        if (source.keywordRules === undefined) {
          rules.push(undefined);
          break;
        }
        const compiled = compileRules(source.keywordRules);
        if (!compiled.ok) return invalid(`/sources/${i}/keywordRules${compiled.error.path}`, compiled.error.message);
        rules.push(compiled.value);
        break;
      }
      default:
        return assertNever(source);
    }
  }
  return ok({ spec, origin, keywords, rules });
}

/** The card of a specification keyword; checks that it can be written. */
function keywordCard(kw: Keyword): Result<Card, { field: string; message: string }> {
  let card: Card;
  switch (kw.type) {
    case 'valueKeyword':
      card = { kind: 'value', name: kw.name, value: valueFromJson(kw.value), comment: kw.comment };
      break;
    case 'esoKeyword':
      card = { kind: 'hierarch', name: `ESO ${kw.name}`, value: valueFromJson(kw.value), comment: kw.comment };
      break;
    case 'literalKeyword': {
      const parsed = parseCard(kw.value.padEnd(CARD_LENGTH));
      if (!parsed.ok) return err({ field: '/value', message: `not a FITS card: ${parsed.error}` });
      if (parsed.value.kind === 'end') return err({ field: '/value', message: 'END cannot be a keyword' });
      card = parsed.value;
      break;
    }
    default:
      return assertNever(kw);
  }
  const f = formatCard(card);
  if (!f.ok) return err({ field: '', message: f.error });
  return ok(card);
}

/** A JSON pointer to the offending value and a message a person can act on. */
function describeError(e: ErrorObject): { pointer: string; message: string } {
  const p = e.instancePath;
  switch (e.keyword) {
    case 'required':
      return { pointer: `${p}/${String(e.params.missingProperty)}`, message: 'required property is missing' };
    case 'additionalProperties':
      return { pointer: `${p}/${String(e.params.additionalProperty)}`, message: 'unknown property' };
    case 'discriminator': {
      const tag = String(e.params.tag);
      const value = (e.params as { tagValue?: unknown }).tagValue;
      return {
        pointer: `${p}/${tag}`,
        message:
          value === undefined
            ? `${tag} is missing or not a string`
            : `${JSON.stringify(value)} is not a known ${tag}${knownTypes(p)}`,
      };
    }
    case 'const':
      return { pointer: p, message: `must be ${JSON.stringify(e.params.allowedValue)}` };
    case 'pattern':
      return { pointer: p, message: `must match ${String(e.params.pattern)}${patternHint(String(e.params.pattern))}` };
    default:
      return { pointer: p, message: e.message ?? e.keyword };
  }
}

function knownTypes(pointer: string): string {
  if (/\/keywordRules\/\d+$/.test(pointer)) return ' (filter, transform)';
  if (/\/keywords\/\d+$/.test(pointer)) return ' (valueKeyword, esoKeyword, literalKeyword)';
  if (/^\/sources\/\d+$/.test(pointer)) return ' (fitsKeywords, fitsFile)';
  return '';
}

function patternHint(pattern: string): string {
  if (pattern === '^[ -~]*$') return ' (printable ASCII only)';
  if (pattern === '^[A-Z0-9_-]{1,8}$') return ' (a FITS keyword name: 1-8 of A-Z 0-9 _ -)';
  if (pattern.startsWith('^[+-][vec]+ ')) return ' (<sign><classes> <name-glob>, e.g. "+e INS *")';
  return '';
}
