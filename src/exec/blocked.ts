// Jobs a missing source file blocks (`dax run -k`, `dax status`): taken out of what runs, and
// said once per missing file rather than once per job.
import type { Job } from '../graph/job.js';
import type { MissingInput } from '../graph/graph.js';

/** Takes the blocked jobs out of what runs; returns those that were to run (a blocked job that
 * is up to date is no loss). */
export function dropBlocked(toRun: Map<Job, unknown>, blocked: ReadonlyMap<Job, MissingInput>): Map<Job, MissingInput> {
  const dropped = new Map<Job, MissingInput>();
  for (const [job, m] of blocked) if (toRun.delete(job)) dropped.set(job, m);
  return dropped;
}

/** One line per missing input: what is missing, for which job, where its values came from, and
 * how many jobs wait on it. */
export function describeBlocked(blocked: ReadonlyMap<Job, MissingInput>): string[] {
  const byInput = new Map<string, { first: MissingInput; n: number }>();
  for (const m of blocked.values()) {
    const b = byInput.get(m.input);
    if (b) b.n++;
    else byInput.set(m.input, { first: m, n: 1 });
  }
  const lines: string[] = [];
  for (const [input, { first, n }] of byInput) {
    lines.push(`blocked: ${n} job${n === 1 ? '' : 's'} need${n === 1 ? 's' : ''} ${input}: it does not exist and no rule makes it (input of ${first.job.id}${first.origin ? `; ${first.origin}` : ''})`);
  }
  return lines;
}
