// Schema validation of one Daxfile (or included file) with ajv, each error mapped to the
// file:line:col of the offending key or value and phrased as what was expected.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { ConfigError } from './model.js';
import { COLON_HINT, keyString, type KeyPath, type SourceFile } from './yaml-source.js';
import { closest, didYouMean } from './suggest.js';

export type FileKind = 'root' | 'include';

/** Top-level keys an included file may have. */
export const INCLUDE_KEYS = ['include', 'vars', 'limits', 'wildcards', 'rules'] as const;

interface SchemaNode {
  properties?: Record<string, unknown>;
  required?: string[];
  errorMessage?: string;
  [k: string]: unknown;
}

/** Hints for values users often get wrong, by key name. */
const HINTS: Record<string, string> = {
  timeout: 'write e.g. timeout: 600, timeout: 10m or timeout: 1h30m',
  version: 'this dax reads Daxfile version 1; write version: 1',
  run: 'a string runs under /bin/sh -c; a list such as [tool, --flag, "{input}"] runs without a shell',
  resources: 'write e.g. resources: { jobs: 1, merge: 1 }',
};

let validators: Record<FileKind, ValidateFunction> | undefined;
const require = createRequire(import.meta.url);

function loadSchema(): SchemaNode {
  // src/config and dist/config are both two levels below the package root.
  const url = new URL('../../schemas/daxfile.schema.json', import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as SchemaNode;
}

/** The Daxfile schema and the one for included files (no version/targets/report, nothing required). */
export function daxfileSchemas(): Record<FileKind, SchemaNode> {
  const schema = loadSchema();
  const props = { ...(schema.properties ?? {}) };
  delete props.version;
  delete props.targets;
  delete props.report;
  delete props.allow_outside;
  return { root: schema, include: { ...schema, $id: `${String(schema.$id)}#include`, properties: props, required: [] } };
}

/** The ajv options the validators are compiled with (at build time too, see scripts/gen-validators.mjs). */
export function newAjv(extra: Record<string, unknown> = {}): Ajv {
  // Loaded only when compiling: a built dax never needs ajv itself to validate a Daxfile.
  const { Ajv: AjvClass } = require('ajv') as typeof import('ajv');
  const ajv = new AjvClass({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true, ...extra });
  // Editors (VS Code, yaml-language-server) show `errorMessage`; we phrase our errors with it too.
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  return ajv;
}

function getValidators(): Record<FileKind, ValidateFunction> {
  if (validators) return validators;
  // Compiled at build time into dist/ (ajv standalone code): loading it is much cheaper than
  // importing ajv and compiling the schema on every fresh start. Run from sources, compile here.
  // The path goes through dist/config, so the CLI's bundle (dist/bundle/) finds it too.
  try {
    validators = require('../config/daxfile.validators.cjs') as Record<FileKind, ValidateFunction>;
    return validators;
  } catch {
    /* not built: compile */
  }
  const schemas = daxfileSchemas();
  const ajv = newAjv();
  validators = { root: ajv.compile(schemas.root), include: ajv.compile(schemas.include) };
  return validators;
}

/** All schema errors of a file, in file order (the first is the one to report). */
export function validateSource(src: SourceFile, kind: FileKind): ConfigError[] {
  if (kind === 'include' && isRecord(src.data)) {
    const bad = Object.keys(src.data).filter((k) => !(INCLUDE_KEYS as readonly string[]).includes(k));
    if (bad.length > 0) {
      return bad.map((k) => ({
        loc: src.locate([k]),
        key: k,
        message: `key '${k}' is not allowed in an included file; expected only: ${INCLUDE_KEYS.join(', ')}`,
        hint: k === 'version' || k === 'targets' || k === 'report' || k === 'allow_outside' ? `move '${k}' to the including Daxfile` : didYouMean(k, INCLUDE_KEYS),
      }));
    }
  }
  const validate = getValidators()[kind];
  if (validate(src.data)) return [];
  const errors = misspeltRequired(relevant(validate.errors ?? []));
  const mapped = errors.map((e) => mapError(e, src));
  mapped.sort((a, b) => (a.loc && b.loc ? a.loc.line - b.loc.line || a.loc.col - b.loc.col : 0));
  return mapped;
}

/** Drops errors that another one explains better. */
function relevant(errors: ErrorObject[]): ErrorObject[] {
  const drop = new Set<number>();
  errors.forEach((e, i) => {
    // A bad property name: report the propertyNames error once, not its inner keyword errors.
    if (e.propertyName !== undefined) drop.add(i);
    if (e.keyword !== 'anyOf' && e.keyword !== 'oneOf') return;
    // The branch errors of an anyOf come right before it, at its path or below (our anyOf
    // schemas have no sibling validation keywords).
    const p = e.instancePath;
    const branch: number[] = [];
    for (let j = i - 1; j >= 0; j--) {
      const q = errors[j]!.instancePath;
      if (q === p || q.startsWith(`${p}/`)) branch.push(j);
      else break;
    }
    const deeper = branch.filter((j) => errors[j]!.instancePath !== p);
    const chosen = deeper.length === 0 ? chosenBranch(branch.map((j) => errors[j]!)) : undefined;
    const below = deeper.length > 0 ? unseenBranch(errors, branch, p) : undefined;
    if (chosen !== undefined) {
      // The value has every key one branch requires (`slurm:` of a Slurm worker): its own
      // errors (a misspelt key, with a suggestion) say more than "expected one of the shapes".
      drop.add(i);
      for (const j of branch) if (errors[j]!.parentSchema !== chosen) drop.add(j);
    } else if (below !== undefined) {
      // Every branch that failed at the value itself lacks a required key, and some error below
      // comes from none of them: from a branch that has all its keys (a Slurm worker's bad
      // `bundle:`), whose errors are the ones to report.
      drop.add(i);
      for (const j of branch) if (!below.includes(j)) drop.add(j);
    } else if (deeper.length > 0) {
      // The value has the shape of one branch (e.g. a list) but a bad element: report that.
      drop.add(i);
      for (const j of branch) if (errors[j]!.instancePath === p) drop.add(j);
    } else {
      for (const j of branch) drop.add(j);
    }
  });
  return errors.filter((_, i) => !drop.has(i));
}

/** Of an anyOf's branch errors (indexes `branch`, the value at `p`): the errors below the value
 * that no branch failing at the value raised (by the schema of the key they are under), when
 * every branch failing at the value misses a required key; else undefined. */
function unseenBranch(errors: ErrorObject[], branch: number[], p: string): number[] | undefined {
  const atValue = branch.filter((j) => errors[j]!.instancePath === p);
  const failed = new Set(atValue.map((j) => errors[j]!.parentSchema));
  if (failed.size === 0 || [...failed].some((s) => !atValue.some((j) => errors[j]!.parentSchema === s && errors[j]!.keyword === 'required'))) return undefined;
  const unseen = branch.filter((j) => {
    const e = errors[j]!;
    if (e.instancePath === p) return false;
    const key = e.instancePath.slice(p.length + 1).split('/')[0]!.replace(/~1/g, '/').replace(/~0/g, '~');
    return ![...failed].some((s) => (s?.properties as Record<string, unknown> | undefined)?.[key] === e.parentSchema);
  });
  return unseen.length > 0 ? unseen : undefined;
}

/** Of an anyOf's branch errors (grouped by the branch schema that raised them), the branch
 * whose required keys are all there, when exactly one is: the value means that shape. */
function chosenBranch(branchErrors: ErrorObject[]): unknown {
  const schemas = new Set(branchErrors.map((e) => e.parentSchema));
  const complete = [...schemas].filter((s) => s !== undefined && !branchErrors.some((e) => e.parentSchema === s && e.keyword === 'required'));
  return schemas.size > 1 && complete.length === 1 ? complete[0] : undefined;
}

/** A missing required key next to an unknown key that is its misspelling (ouptut for output):
 * the unknown key is the one to report, with the suggestion. */
function misspeltRequired(errors: ErrorObject[]): ErrorObject[] {
  const unknown = new Map<string, string[]>();
  for (const e of errors) {
    if (e.keyword !== 'additionalProperties') continue;
    const names = unknown.get(e.instancePath) ?? [];
    names.push(String((e.params as Record<string, unknown>).additionalProperty));
    unknown.set(e.instancePath, names);
  }
  return errors.filter((e) => {
    if (e.keyword !== 'required') return true;
    const missing = String((e.params as Record<string, unknown>).missingProperty);
    return !(unknown.get(e.instancePath) ?? []).some((name) => closest(name, [missing]) !== undefined);
  });
}

function pathOf(pointer: string, data: unknown): Array<string | number> {
  if (pointer === '') return [];
  const out: Array<string | number> = [];
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      const n = Number(seg);
      out.push(n);
      cur = cur[n];
    } else {
      out.push(seg);
      cur = isRecord(cur) ? cur[seg] : undefined;
    }
  }
  return out;
}

function mapError(e: ErrorObject, src: SourceFile): ConfigError {
  const keyPath = pathOf(e.instancePath, src.data);
  const where = keyString(keyPath);
  const parent = (e.parentSchema ?? {}) as SchemaNode;
  const params = e.params as Record<string, unknown>;
  const at = (p: KeyPath, key: string, message: string, hint?: string): ConfigError => ({
    loc: src.locate(p),
    key: key === '' ? undefined : key,
    message,
    hint,
  });
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const allowed = Object.keys(parent.properties ?? {});
      const p = [...keyPath, name];
      const place = where === '' ? 'at the top level' : `in ${where}`;
      const near = closest(name, allowed);
      return near === undefined
        ? at(p, keyString(p), `unknown key '${name}' ${place}; expected one of: ${allowed.join(', ')}`)
        : at(p, keyString(p), `unknown key '${name}' ${place} — did you mean '${near}'?`, `expected one of: ${allowed.join(', ')}`);
    }
    case 'required': {
      const name = String(params.missingProperty);
      return at(keyPath, where, `missing required key '${name}'${where === '' ? '' : ` in ${where}`}`);
    }
    case 'propertyNames': {
      const name = String(params.propertyName);
      const p = [...keyPath, name];
      const rule = (parent.propertyNames ?? {}) as SchemaNode;
      const expected = rule.errorMessage ?? ruleMessageFromRef(rule);
      return at(p, keyString(p), `invalid name '${name}' in ${where}: ${expected}`);
    }
    default: {
      const got = `got ${describe(e.data)}`;
      const expected = parent.errorMessage ?? expectedOf(e);
      const last = keyPath[keyPath.length - 1];
      // A command on a line of its own (`run:` then the command, or `- echo a: b` in a list) with
      // ": " in it parses as a mapping.
      const colon = keyPath.includes('run') && isRecord(e.data) && Object.keys(e.data).some((k) => /\s/.test(k));
      return at(keyPath, where, `${expected}, ${got}`, colon ? COLON_HINT : typeof last === 'string' ? HINTS[last] : undefined);
    }
  }
}

function ruleMessageFromRef(rule: SchemaNode): string {
  // propertyNames that $ref a definition: the definition carries the message.
  const ref = typeof rule.$ref === 'string' ? rule.$ref : '';
  if (ref.endsWith('/wildcardName')) return 'expected letters, digits and _ (not starting with a digit; input, output and vars are reserved)';
  return 'expected letters, digits and _ (not starting with a digit)';
}

function expectedOf(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type':
      return `expected ${describeType(p.type)}`;
    case 'const':
      return `expected ${JSON.stringify(p.allowedValue)}`;
    case 'enum':
      return `expected one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'minimum':
      return `expected a number >= ${String(p.limit)}`;
    case 'exclusiveMinimum':
      return `expected a number > ${String(p.limit)}`;
    case 'maximum':
      return `expected a number <= ${String(p.limit)}`;
    case 'exclusiveMaximum':
      return `expected a number < ${String(p.limit)}`;
    case 'minLength':
      return 'expected a non-empty string';
    case 'minItems':
      return `expected at least ${String(p.limit)} item(s)`;
    case 'maxItems':
      return `expected at most ${String(p.limit)} item(s)`;
    case 'pattern':
      return `expected a string matching ${String(p.pattern)}`;
    default:
      return `invalid value (${e.message ?? e.keyword})`;
  }
}

function describeType(t: unknown): string {
  const one = (s: string): string => {
    switch (s) {
      case 'object':
        return 'a mapping';
      case 'array':
        return 'a list';
      case 'string':
        return 'a string';
      case 'integer':
        return 'an integer';
      case 'number':
        return 'a number';
      case 'boolean':
        return 'true or false';
      case 'null':
        return 'nothing';
      default:
        return s;
    }
  };
  const list = Array.isArray(t) ? t.map(String) : String(t).split(',');
  return list.map(one).join(' or ');
}

/** A value as it appears in a message. */
export function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  return 'a mapping';
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
