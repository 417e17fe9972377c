// Wildcard domains: the values a wildcard ranges over when a target pattern is expanded.
import type { Config, ConfigError, DomainSpec, WildcardSpec } from '../config/model.js';
import type { Plugins } from './plugins.js';
import { isSafeValue } from './pattern.js';
import { expandEntries, readValueList } from '../util/ranges.js';
import { displayPath } from '../config/errors.js';
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
      else if (d.kind === 'plugin') out.push(...(this.plugins.domains.get(d.name)?.files?.(d.spec, { projectDir: this.config.projectDir, baseDir: d.baseDir }) ?? []));
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
    const compiled = compileWildcardPattern(w.pattern ?? DEFAULT_WILDCARD_PATTERN);
    if (!compiled.ok) return err({ loc: w.loc, key: `wildcards.${name}.pattern`, message: compiled.error });
    const re = compiled.value;
    for (const v of r.value) {
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

  private resolve(w: WildcardSpec, d: DomainSpec): Result<string[], ConfigError> {
    switch (d.kind) {
      case 'values':
        return ok(d.values);
      case 'file': {
        const r = readValueList(d.path, displayPath(d.path), { kind: 'any' });
        if (r.ok) return ok(expandEntries(r.value));
        return err({ loc: d.loc, key: `wildcards.${w.name}.file`, message: r.error });
      }
      case 'plugin': {
        const plugin = this.plugins.domains.get(d.name);
        if (!plugin) return err({ loc: d.loc, key: `wildcards.${w.name}.${d.name}`, message: `unknown domain kind '${d.name}'` });
        const r = plugin.resolve(d.spec, { projectDir: this.config.projectDir, baseDir: d.baseDir });
        if (r.ok) return r;
        return err({ loc: d.loc, key: `wildcards.${w.name}.${d.name}`, message: r.error });
      }
    }
  }
}
