import type { Rule } from './rule.js';

/** A Job: one rule with its wildcard values; the unit dax runs, records and reports. */
export interface Job {
  index: number; // position in the graph's topological order
  id: string;
  rule: Rule;
  values: Record<string, string>;
  outputs: string[]; // project-relative paths
  inputs: string[];
  deps: Job[]; // the jobs that make this job's inputs
  dependents: Job[];
}
