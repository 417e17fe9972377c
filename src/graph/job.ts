import type { Rule } from './rule.js';

/** A Job: one rule with its wildcard values; the unit dax runs, records and reports. */
export class Job {
  index = -1; // position in the graph's topological order
  deps: Job[]; // the jobs that make this job's inputs
  dependents: Job[];

  constructor(
    readonly rule: Rule,
    public values: Record<string, string>,
    public outputs: string[], // project-relative paths
    public inputs: string[],
    /** The empty list the graph shares between jobs. */
    none: Job[],
  ) {
    this.deps = none;
    this.dependents = none;
  }

  /** Its name, `rule[w1=v1,w2=v2]`, made when asked: a graph of 10^5 jobs holds none of them
   * (they were a third of its memory), and a run names each job only a few times. */
  get id(): string {
    return this.rule.jobId(this.values);
  }
}
