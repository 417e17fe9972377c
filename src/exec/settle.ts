// A run of the default targets until the live plugin domains hold still: jobs that change a live
// domain (acquisitions archived, or queued by another process meanwhile) leave work the plan did
// not hold, so the project is loaded again and run again, until a round leaves the domains' files
// as it found them (what `dax run` does: it works the queue until nothing is left).
import { statSync } from 'node:fs';
import type { WildcardSpec } from '../config/model.js';
import { runPipeline, type Project, type RunOptions, type RunOutcome } from './run.js';

/** A project loaded for one round, with the --set values it was loaded with. */
export interface LoadedProject {
  project: Project;
  sets: Record<string, string>;
}

/** Size and mtime of the files the live plugin domains are read from (queue.json). */
export function domainStamp(project: Project): string {
  const live = (w: WildcardSpec): boolean => w.domain?.kind === 'plugin' && project.domains.plugins.domains.get(w.domain.name)?.live === true;
  const names = Object.values(project.config.wildcards).filter(live).map((w) => w.name);
  return project.domains
    .files(names)
    .map((f) => {
      const s = statSync(f, { throwIfNoEntry: false });
      return s ? `${f}:${s.size}:${s.mtimeMs}` : `${f}:-`;
    })
    .join('\n');
}

/** runPipeline, again with `load()`'s fresh project while a round of the default targets ended
 * ok and changed a live domain. Named targets, a dry run or any other end is one round. `force`
 * (-B) applies to the first round only. */
export async function runUntilSettled(load: () => Promise<LoadedProject>, opts: Omit<RunOptions, 'sets'>): Promise<RunOutcome> {
  for (let force = !!opts.force; ; force = false) {
    const { project, sets } = await load();
    const before = domainStamp(project);
    const outcome = await runPipeline(project, { ...opts, sets, force });
    if (opts.dryRun || opts.targets.length > 0 || outcome.kind !== 'done' || outcome.result !== 'ok' || domainStamp(project) === before) return outcome;
  }
}
