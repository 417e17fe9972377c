// The Pipeline: the compiled rules of a Config and the answer to "which rule makes this path?".
import type { Config, ConfigError } from '../config/model.js';
import { Rule } from './rule.js';
import type { Plugins } from './plugins.js';
import { err, ok, type Result } from '../util/result.js';

export interface Producer {
  rule: Rule;
  values: Record<string, string>;
}

export class Pipeline {
  readonly byName: Map<string, Rule>;

  private constructor(
    readonly config: Config,
    readonly rules: Rule[],
  ) {
    this.byName = new Map(rules.map((r) => [r.name, r]));
  }

  static create(config: Config, plugins: Plugins): Result<Pipeline, ConfigError> {
    const rules: Rule[] = [];
    for (const spec of config.rules) {
      const r = Rule.compile(spec, config, plugins.checks, new Set(plugins.tasks.keys()));
      if (!r.ok) return r;
      rules.push(r.value);
    }
    return ok(new Pipeline(config, rules));
  }

  /** The one rule that makes `path`, undefined when none does; two rules is an error. */
  producer(path: string): Result<Producer | undefined, ConfigError> {
    let found: Producer | undefined;
    for (const rule of this.rules) {
      for (const out of rule.outputs) {
        const values = out.match(path);
        if (!values) continue;
        if (found && found.rule !== rule) {
          return err({
            loc: rule.spec.loc,
            key: `rules.${rule.name}.output`,
            message: `two rules make ${path}: '${found.rule.name}' (${found.rule.spec.loc.file}:${found.rule.spec.loc.line}) and '${rule.name}' (${rule.spec.loc.file}:${rule.spec.loc.line})`,
            hint: 'make their output patterns disjoint, or constrain a wildcard with pattern:',
          });
        }
        found = { rule, values };
        break;
      }
    }
    return ok(found);
  }
}
