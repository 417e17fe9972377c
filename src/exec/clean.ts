// `dax clean`: removes the outputs dax made. An output is removed only when the journal records
// dax writing it and it is still as dax left it (same size and time): a file made or changed by
// someone else, or one that a link takes out of the project, is kept and said.
import { lstatSync, realpathSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { ConfigError } from '../config/model.js';
import { Lock, type LockInfo } from '../state/lock.js';
import { newRunId } from '../state/runid.js';
import { NoopSnapshot } from '../state/snapshot.js';
import { err, ok, type Result } from '../util/result.js';
import { loadJournal, makePools, planGraph, type Project } from './run.js';
import { workerSlots } from './workers.js';

export type CleanAction =
  | 'remove'
  /** The journal has no record of dax making it. */
  | 'not-made'
  /** Its size or time differ from what dax recorded. */
  | 'changed'
  /** It, or a directory on its way, leads out of the project. */
  | 'outside';

export interface CleanItem {
  path: string;
  job: string;
  action: CleanAction;
}

export function describeKept(a: Exclude<CleanAction, 'remove'>): string {
  switch (a) {
    case 'not-made':
      return 'not made by dax (no record in the journal)';
    case 'changed':
      return 'changed since dax made it';
    case 'outside':
      return 'outside the project (through a symbolic link)';
  }
}

/** What clean would do: the outputs of the jobs the targets name (without targets: of every
 * job the Daxfile's targets need) that exist. */
export function cleanPlan(project: Project, targets: string[]): Result<CleanItem[], ConfigError> {
  const g = planGraph(project, targets, makePools(project.config), workerSlots(project.config));
  if (!g.ok) return g;
  const journal = loadJournal(project);
  const projectDir = project.config.projectDir;
  const root = realpathSync(projectDir);
  const stateDir = path.join(root, '.dax');
  const inside = (abs: string): boolean => {
    let real: string;
    try {
      real = path.join(realpathSync(path.dirname(abs)), path.basename(abs));
    } catch {
      return false;
    }
    const rel = path.relative(root, real);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) && !(real + path.sep).startsWith(stateDir + path.sep);
  };
  const items: CleanItem[] = [];
  for (const job of targets.length ? g.value.targets : g.value.jobs) {
    const rec = journal.jobs.get(job.id)?.lastEnd;
    for (const out of job.outputs) {
      const abs = path.join(projectDir, out);
      const st = lstatSync(abs, { throwIfNoEntry: false });
      if (!st) continue;
      const print = rec?.o.find((o) => o[0] === out);
      const action: CleanAction = !inside(abs) ? 'outside' : !print ? 'not-made' : print[1] !== st.size || print[2] !== st.mtimeMs ? 'changed' : 'remove';
      items.push({ path: out, job: job.id, action });
    }
  }
  return ok(items);
}

export type CleanFailure = { kind: 'locked'; holder: LockInfo } | { kind: 'io'; path: string; message: string };

/** Removes the items to remove, holding the project's lock (a run may be writing them). */
export function cleanApply(project: Project, items: CleanItem[]): Result<number, CleanFailure> {
  const lock = Lock.acquire(project.stateDir, newRunId());
  if (!lock.ok) return err(lock.error.kind === 'held' ? { kind: 'locked', holder: lock.error.holder } : lock.error);
  let removed = 0;
  try {
    for (const it of items) {
      if (it.action !== 'remove') continue;
      try {
        rmSync(path.join(project.config.projectDir, it.path), { recursive: true, force: true });
      } catch (e) {
        return err({ kind: 'io', path: it.path, message: (e as Error).message });
      }
      removed++;
    }
    // The no-op snapshot rests on the removed files: the next run plans.
    if (removed) rmSync(NoopSnapshot.file(project.stateDir), { force: true });
    return ok(removed);
  } finally {
    lock.value.release();
  }
}
