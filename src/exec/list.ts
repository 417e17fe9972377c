// `dax list`: the Daxfile's rules (description, wildcards, how many jobs the targets need of
// each) and its targets. The counts need the graph; a Daxfile whose graph cannot be built
// (a missing source file) is still listed, without them.
import type { ConfigError } from '../config/model.js';
import { makePools, planGraph, type Project } from './run.js';
import { workerSlots } from './workers.js';

export interface RuleEntry {
  name: string;
  description: string | undefined;
  wildcards: string[];
  /** Jobs of this rule the Daxfile's targets need; undefined when the graph could not be built. */
  jobs: number | undefined;
  outputs: string[];
  /** Where it is defined: file:line. */
  at: string;
}

export interface Listing {
  rules: RuleEntry[];
  targets: string[];
  /** Why there are no job counts. */
  graphError: ConfigError | undefined;
}

export function listProject(project: Project): Listing {
  const g = planGraph(project, [], makePools(project.config), workerSlots(project.config));
  const counts = new Map<string, number>();
  if (g.ok) for (const j of g.value.jobs) counts.set(j.rule.name, (counts.get(j.rule.name) ?? 0) + 1);
  return {
    rules: project.pipeline.rules.map((r) => ({
      name: r.name,
      description: r.description,
      wildcards: r.wildcards,
      jobs: g.ok ? (counts.get(r.name) ?? 0) : undefined,
      outputs: r.outputs.map((o) => o.text),
      at: `${r.spec.loc.file}:${r.spec.loc.line}`,
    })),
    targets: project.config.targets.map((t) => t.text),
    graphError: g.ok ? undefined : g.error,
  };
}
