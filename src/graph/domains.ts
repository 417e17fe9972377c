// Wildcard domains: the values a wildcard ranges over when a target pattern is expanded.
import type { Config, ConfigError, DomainSpec, WildcardSpec } from '../config/model.js';
import type { Plugins } from './plugins.js';
import path from 'node:path';
import { isSafeValue, pathTooLong, shorten, type PathPattern } from './pattern.js';
import { compilePath } from './rule.js';
import { globFiles, literalGlob, watchDirs } from './glob.js';
import { expandEntries, readValueList } from '../util/ranges.js';
import { displayPath, formatLoc } from '../config/errors.js';
import { compileWildcardPattern, DEFAULT_WILDCARD_PATTERN } from '../config/pattern.js';
import { err, ok, type Result } from '../util/result.js';

export class Domains {
  private readonly cache = new Map<string, string[]>();

  constructor(
    private readonly config: Config,
    readonly plugins: Plugins,
  ) {}

  has(name: string): boolean {
    return this.config.wildcards[name]?.domain !== undefined;
  }

  /** The files the domains of these wildcards are read from (absolute paths). */
  files(names: Iterable<string>): string[] {
    const out: string[] = [];
    for (const name of names) {
      const d = this.config.wildcards[name]?.domain;
      if (!d) continue;
      if (d.kind === 'file') out.push(d.path);
      else if (d.kind === 'glob') {
        // The directories whose entries decide the matches: a file added there changes the domain.
        const g = this.globOf(name, d);
        if (g.ok) for (const dir of watchDirs(this.config.projectDir, g.value.glob)) out.push(path.join(this.config.projectDir, dir));
      }
      else if (d.kind === 'plugin') out.push(...(this.plugins.domains.get(d.name)?.files?.(d.spec, { projectDir: this.config.projectDir, baseDir: d.baseDir, workspace: this.config.workspace, limits: this.config.limits }) ?? []));
    }
    return out;
  }

  /** The values of a wildcard, checked against its pattern. */
  values(name: string): Result<string[], ConfigError> {
    const hit = this.cache.get(name);
    if (hit) return ok(hit);
    const w = this.config.wildcards[name];
    if (!w?.domain) {
      return err({
        message: `wildcard {${name}} has no domain to expand over`,
        hint: `give it one in the Daxfile (wildcards: { ${name}: { values: [...] } } or file:), or name concrete paths`,
      });
    }
    const r = this.resolve(w, w.domain);
    if (!r.ok) return r;
    if (r.value.length === 0 && !w.allowEmpty) return err(this.emptyError(w, w.domain));
    const compiled = compileWildcardPattern(w.pattern ?? DEFAULT_WILDCARD_PATTERN);
    if (!compiled.ok) return err({ loc: w.loc, key: `wildcards.${name}.pattern`, message: compiled.error });
    const re = compiled.value;
    for (const v of r.value) {
      const tooLong = pathTooLong(v);
      if (tooLong) {
        return err({ loc: w.domain.loc, key: `wildcards.${name}`, message: `value '${shorten(v)}' of wildcard {${name}} ${tooLong}`, hint: 'values become parts of paths: shorten the value' });
      }
      if (!re.test(v) || !isSafeValue(v)) {
        return err({
          loc: w.domain.loc,
          key: `wildcards.${name}`,
          message: `value '${v}' of wildcard {${name}} does not match its pattern ${w.pattern ?? DEFAULT_WILDCARD_PATTERN}`,
          hint: 'fix the value or the pattern',
        });
      }
    }
    this.cache.set(name, r.value);
    return r;
  }

  /** Where the values of a wildcard come from, for messages: "the values list at Daxfile.yaml:4:13". */
  origin(name: string): string {
    const d = this.config.wildcards[name]?.domain;
    if (!d) return `{${name}} has no domain: its value came from the target, or from the path that matched the rule's output`;
    const at = formatLoc(d.loc);
    switch (d.kind) {
      case 'values':
        return `{${name}} takes its values from the list at ${at}`;
      case 'file':
        return `{${name}} takes its values from ${displayPath(d.path)} (${at})`;
      case 'glob':
        return `{${name}} takes its values from the files matching ${d.template.text} (${at})`;
      case 'plugin':
        return `{${name}} takes its values from its ${d.name} domain (${at})`;
    }
  }

  /** An empty domain is usually a mistake (a list not written yet, a glob in the wrong place). */
  private emptyError(w: WildcardSpec, d: DomainSpec): ConfigError {
    const hint = `add values, or write allow_empty: true under wildcards.${w.name} if an empty set is expected (targets over it then build nothing)`;
    switch (d.kind) {
      case 'values':
        return { loc: d.loc, key: `wildcards.${w.name}.values`, message: `wildcard {${w.name}} has no values: its values list is empty`, hint };
      case 'file':
        return { loc: d.loc, key: `wildcards.${w.name}.file`, message: `wildcard {${w.name}} has no values: ${displayPath(d.path)} holds none`, hint };
      case 'glob':
        return { loc: d.loc, key: `wildcards.${w.name}.glob`, message: `wildcard {${w.name}} has no values: no file matches ${d.template.text}`, hint };
      case 'plugin':
        return { loc: d.loc, key: `wildcards.${w.name}.${d.name}`, message: `wildcard {${w.name}} has no values: its ${d.name} domain is empty`, hint };
    }
  }

  /** A glob domain's pattern (a path pattern, so it may not leave the project) and its glob. */
  private globOf(name: string, d: Extract<DomainSpec, { kind: 'glob' }>): Result<{ pattern: PathPattern; glob: string }, ConfigError> {
    const c = this.config;
    const p = compilePath(d.template, d.baseDir, c.projectDir, c.vars, (n) => c.wildcards[n]?.pattern ?? DEFAULT_WILDCARD_PATTERN);
    if (!p.ok) return err({ ...p.error, key: `wildcards.${name}.glob` });
    return ok({ pattern: p.value, glob: literalGlob(p.value) });
  }

  private resolve(w: WildcardSpec, d: DomainSpec): Result<string[], ConfigError> {
    switch (d.kind) {
      case 'values':
        return ok(d.values);
      case 'file': {
        const r = readValueList(d.path, displayPath(d.path), { kind: 'any' });
        if (r.ok) return ok(expandEntries(r.value));
        return err({ loc: d.loc, key: `wildcards.${w.name}.file`, message: r.error });
      }
      case 'glob': {
        const g = this.globOf(w.name, d);
        if (!g.ok) return g;
        const values = new Set<string>();
        for (const f of globFiles(this.config.projectDir, g.value.glob)) {
          const v = g.value.pattern.match(f)?.[w.name];
          if (v !== undefined) values.add(v);
        }
        return ok([...values].sort(compareValues));
      }
      case 'plugin': {
        const plugin = this.plugins.domains.get(d.name);
        if (!plugin) return err({ loc: d.loc, key: `wildcards.${w.name}.${d.name}`, message: `unknown domain kind '${d.name}'` });
        const r = plugin.resolve(d.spec, { projectDir: this.config.projectDir, baseDir: d.baseDir, workspace: this.config.workspace, limits: this.config.limits });
        if (r.ok) return r;
        return err({ loc: d.loc, key: `wildcards.${w.name}.${d.name}`, message: r.error });
      }
    }
  }
}

/** Integers in numeric order, before other values in code-point order. */
function compareValues(a: string, b: string): number {
  const ia = INT.test(a);
  const ib = INT.test(b);
  if (ia && ib) return Number(a) - Number(b);
  if (ia !== ib) return ia ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
const INT = /^-?\d+$/;
