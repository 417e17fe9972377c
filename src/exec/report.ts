// Reports by wildcard value (e.g. per chunk): a value is finished when all its jobs are, failed
// when any failed, incomplete when any stopped mid-way, else not started. The failed values are
// written in the value-list format, so the file can be fed back as a wildcard domain to retry.
import path from 'node:path';
import type { ValueState, WildcardReport } from '../events/events.js';
import type { Graph } from '../graph/graph.js';
import type { Job } from '../graph/job.js';
import type { Domains } from '../graph/domains.js';
import { formatValueList } from '../util/ranges.js';
import { writeFileAtomic, type AtomicWriteError } from '../util/atomic.js';
import type { Result } from '../util/result.js';

import type { JobState } from './scheduler.js';

/** `domain`: the wildcard's declared values, when it has a domain; values outside it (a
 * neighbour chunk outside the set, say) are helpers, not what the run is about. */
export function reportByWildcard(graph: Graph, wildcard: string, stateOf: (job: Job) => JobState, domain?: ReadonlySet<string>): WildcardReport {
  const byValue = new Map<string, ValueState>();
  const rank: Record<ValueState, number> = { finished: 0, 'not-started': 1, running: 2, incomplete: 3, failed: 4 };
  for (const job of graph.jobs) {
    const v = job.values[wildcard];
    if (v === undefined || (domain && !domain.has(v))) continue;
    const s = stateOf(job);
    const vs: ValueState = s === 'ok' ? 'finished' : s === 'pending' ? 'not-started' : s;
    const cur = byValue.get(v);
    // A value with some jobs finished and some pending has not finished: pending wins over ok.
    if (cur === undefined || rank[vs] > rank[cur]) byValue.set(v, vs);
  }
  const counts: Record<ValueState, number> = { finished: 0, failed: 0, incomplete: 0, running: 0, 'not-started': 0 };
  const failed: string[] = [];
  const incomplete: string[] = [];
  for (const [v, s] of byValue) {
    counts[s]++;
    if (s === 'failed') failed.push(v);
    if (s === 'incomplete') incomplete.push(v);
  }
  return { wildcard, counts, failed, incomplete };
}

/** The values of a wildcard's domain, if it has one. */
export function domainOf(domains: Domains, wildcard: string): Set<string> | undefined {
  if (!domains.has(wildcard)) return undefined;
  const v = domains.values(wildcard);
  return v.ok ? new Set(v.value) : undefined;
}

/** Writes .dax/failed-<wildcard>.txt (empty when nothing failed), atomically; the report names
 * it, project-relative. */
export function writeFailedList(stateDir: string, projectDir: string, r: WildcardReport): Result<void, AtomicWriteError> {
  const file = path.join(stateDir, `failed-${r.wildcard}.txt`);
  const w = writeFileAtomic(file, formatValueList(r.failed));
  if (w.ok) r.file = path.relative(projectDir, file);
  return w;
}
