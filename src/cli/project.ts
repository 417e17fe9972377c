// Loading a project for a command: the engine's loadProject with the domain plugins this CLI
// registers (sky chunks). Config errors are printed here, exit code 2.
import { formatConfigError } from '../config/errors.js';
import { parseSets } from '../config/vars.js';
import type { ConfigError } from '../config/model.js';
import { emptyPlugins, type Plugins } from '../graph/plugins.js';
import type { Project } from '../exec/run.js';
import { loadProject as load } from '../exec/project.js';
import { chunkPlugins } from '../chunks/domain.js';
import { acquisitionPlugins } from '../acquisition/domain.js';
import { Exit } from './exit.js';
import path from 'node:path';
import { ExitRequest, VERSION, type GlobalOptions } from './main.js';

export function plugins(): Plugins {
  const p = emptyPlugins();
  const acq = acquisitionPlugins();
  for (const c of [chunkPlugins(), acq]) {
    for (const d of c.domains) p.domains.set(d.key, d);
    for (const f of c.functions) p.functions.set(f.name, f);
  }
  for (const t of acq.tasks) p.tasks.set(t.name, t);
  return p;
}

export function configError(e: ConfigError): never {
  process.stderr.write(`dax: ${formatConfigError(e)}\n`);
  throw new ExitRequest(Exit.usage);
}

/** `lastRun`: the --set values are the last run's, not the user's (dax status, dax run -n): one
 * of a var the Daxfile no longer has is left out, saying so, rather than an error. */
export async function loadProject(g: GlobalOptions, setItems: string[], opts: { lastRun?: boolean } = {}): Promise<{ project: Project; sets: Record<string, string> }> {
  // --workspace reaches the config as the var it sets (see config/load.ts).
  const sets = parseSets(g.workspace !== undefined ? [...setItems, `workspace=${path.resolve(g.workspace)}`] : setItems);
  if (!sets.ok) configError(sets.error);
  const loadWith = (s: Record<string, string>): ReturnType<typeof load> =>
    load({ cwd: process.cwd(), directory: g.directory, file: g.file, sets: s, env: process.env, plugins: plugins(), version: VERSION });
  let values = sets.value;
  let project = await loadWith(values);
  if (!project.ok && opts.lastRun && project.error.key === '--set') {
    const bare = await loadWith({});
    if (bare.ok) {
      const kept: Record<string, string> = {};
      for (const [k, v] of Object.entries(values)) {
        if (k in bare.value.config.vars) kept[k] = v;
        else process.stderr.write(`dax: the last run's --set ${k}=${v} is left out: the Daxfile has no var ${k} now\n`);
      }
      values = kept;
      project = await loadWith(kept);
    }
  }
  if (!project.ok) configError(project.error);
  for (const w of project.value.config.warnings ?? []) process.stderr.write(`dax: warning: ${formatConfigError(w)}\n`);
  return { project: project.value, sets: values };
}
