// The no-op fast path (see state/snapshot.ts): a run that finds nothing changed since the last
// run left everything up to date answers from the snapshot, without planning.
import os from 'node:os';
import { existsSync } from 'node:fs';
import { buildStamp } from '../util/build.js';
import { daxVarEnv } from '../config/vars.js';
import { emptyCounts, type Loggers } from '../events/events.js';
import type { Graph } from '../graph/graph.js';
import { Journal } from '../state/journal.js';
import { Lock, type LockInfo } from '../state/lock.js';
import { NoopSnapshot, type NoopSummary } from '../state/snapshot.js';
import { nativeSpawn } from './native.js';
import type { Project } from './run.js';

/** What a no-op depends on besides files: dax's own build, the Daxfile, targets, --set, DAX_VAR_. */
export function noopKey(daxfile: string, targets: string[], sets: Record<string, string>, env: NodeJS.ProcessEnv): string {
  return JSON.stringify([buildStamp(), daxfile, targets, sets, daxVarEnv(env)]);
}

export type NoopOutcome = { kind: 'noop'; run: string } | { kind: 'locked'; holder: LockInfo } | undefined;

/** Answers the run from the snapshot when nothing changed; undefined means: plan as usual. */
export function tryNoop(stateDir: string, projectDir: string, key: string, dryRun: boolean, runId: string, targets: string[], sets: Record<string, string>, log: Loggers): NoopOutcome {
  const t0 = Date.now();
  const journalFile = Journal.path(stateDir);
  const snap = NoopSnapshot.read(stateDir, key);
  if (!snap) return undefined;
  // Thousands of files to check: one native call when the addon is built.
  const batch = nativeSpawn() ?? undefined;
  if (dryRun) {
    if (!NoopSnapshot.holds(snap, stateDir, projectDir, journalFile, batch)) return undefined;
  } else {
    // Any lock file, live or left by a dead run: the full path says who holds it, or takes it
    // over with a message.
    if (existsSync(Lock.path(stateDir))) return undefined;
    const lock = Lock.acquire(stateDir, runId);
    if (!lock.ok) return lock.error.kind === 'held' ? { kind: 'locked', holder: lock.error.holder } : undefined; // the full path reports it
    try {
      // Checked under the lock: no other run can change what it rests on meanwhile.
      if (!NoopSnapshot.holds(snap, stateDir, projectDir, journalFile, batch)) return undefined;
      const journal = Journal.forAppend(stateDir);
      const counts = { ...emptyCounts(), total: snap.summary.total, upToDate: snap.summary.total };
      journal.append({ t: 'run', id: runId, start: t0, targets, sets, keepGoing: false, pid: process.pid, host: os.hostname() });
      journal.append({ t: 'runend', id: runId, end: Date.now(), result: 'ok', counts: { ...counts } });
      journal.close();
      NoopSnapshot.writeJournalStamp(stateDir, journalFile);
    } finally {
      lock.value.release();
    }
  }
  const summary: NoopSummary = snap.summary;
  const counts = { ...emptyCounts(), total: summary.total, upToDate: summary.total };
  for (const report of summary.reports) log.emit({ type: 'report', report });
  log.emit({ type: 'run-end', run: runId, result: dryRun ? 'dry-run' : 'nothing-to-do', counts, elapsedMs: Date.now() - t0 });
  return { kind: 'noop', run: runId };
}

/** After a run that left every job up to date: what the next no-op needs to know. */
export function saveNoop(project: Project, graph: Graph, key: string, summary: NoopSummary): void {
  const present = new Set<string>(project.config.files);
  for (const f of project.domains.files(Object.keys(project.config.wildcards))) present.add(f);
  // What glob inputs match is decided by these directories' entries.
  for (const d of graph.watched) present.add(d);
  const absent = new Set<string>(graph.absent);
  const outputs = new Set<string>();
  for (const job of graph.jobs) {
    // Outputs checked for content (check:) count like inputs: their bytes matter.
    const checked = job.rule.check !== undefined;
    for (const p of job.outputs) (checked ? present : outputs).add(p);
    for (const p of job.inputs) present.add(p);
    for (const sup of job.rule.supersedes) absent.add(sup.render(job.values));
  }
  // An output no job reads only has to exist: its directory's mtime says so.
  const existing = [...outputs].filter((p) => !present.has(p));
  // An alternative passed over at planning may have been built since (the one to build when
  // none existed): what the plan now uses is not required to be absent.
  for (const p of [...absent]) if (present.has(p) || outputs.has(p)) absent.delete(p);
  NoopSnapshot.write(project.stateDir, project.config.projectDir, key, summary, present, existing, absent, Journal.path(project.stateDir));
}
