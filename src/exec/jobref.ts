// One job named on the command line: by its name (`gen[n=3]`, what dax prints) or by a path it
// makes. `dax log` and `dax why` start from one.
import path from 'node:path';
import type { ConfigError } from '../config/model.js';
import { didYouMean } from '../config/suggest.js';
import { jobByName } from '../graph/graph.js';
import { formatJobName } from '../graph/jobname.js';
import type { Rule } from '../graph/rule.js';
import { err, ok, type Result } from '../util/result.js';
import type { Project } from './run.js';

export interface JobRef {
  rule: Rule;
  values: Record<string, string>;
  id: string;
}

export function findJob(project: Project, text: string): Result<JobRef, ConfigError> {
  const { pipeline } = project;
  const named = jobByName(pipeline, { text });
  if (named) return named.ok ? ok({ ...named.value, id: formatJobName(named.value.rule.name, named.value.rule.wildcards, named.value.values) }) : named;
  const rule = pipeline.byName.get(text);
  if (rule) {
    if (rule.wildcards.length === 0) return ok({ rule, values: {}, id: rule.name });
    return err({ message: `'${text}' is a rule with ${rule.wildcards.length > 1 ? 'wildcards' : 'a wildcard'} (${rule.wildcards.join(', ')}): name one of its jobs`, hint: `e.g. ${formatJobName(rule.name, rule.wildcards, Object.fromEntries(rule.wildcards.map((w) => [w, '…'])))} (dax list shows the rules)` });
  }
  // A path as `dax run` takes it: relative to the project.
  const prod = pipeline.producer(path.posix.normalize(text));
  if (!prod.ok) return prod;
  if (prod.value) return ok({ ...prod.value, id: prod.value.rule.jobId(prod.value.values) });
  const names = pipeline.rules.map((r) => r.name);
  return err({
    message: `no job ${text}: it is not a job name, a rule without wildcards, or a path a rule makes`,
    hint: didYouMean(text, names) ?? 'name a job as dax prints it, e.g. gen[n=3] (dax list shows the rules)',
  });
}

/** A hint naming the job of the wildcards' domains nearest to `ref`, when one of its values is
 * not in its wildcard's domain (`gen[n=3]` where n is 1 or 2: did you mean gen[n=2]?). */
export function nearJob(project: Project, ref: JobRef): string | undefined {
  const values = { ...ref.values };
  let changed = false;
  for (const w of ref.rule.wildcards) {
    if (!project.domains.has(w)) continue;
    const known = project.domains.values(w);
    if (!known.ok || known.value.includes(values[w]!)) continue;
    const hint = didYouMean(values[w]!, known.value);
    if (!hint) return `${w}=${values[w]} is not among the values of {${w}}`;
    values[w] = hint.replace(/^did you mean '(.*)'\?$/, '$1');
    changed = true;
  }
  return changed ? `did you mean ${formatJobName(ref.rule.name, ref.rule.wildcards, values)}?` : undefined;
}
