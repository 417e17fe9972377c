// Loading a project for a command: the Daxfile, its compiled pipeline, the domains with the
// plugins registered, and where .dax/ lives. Config errors are printed here, exit code 2.
import path from 'node:path';
import { formatConfigError } from '../config/errors.js';
import { parseSets } from '../config/vars.js';
import { loadConfigCached } from '../config/cache.js';
import type { ConfigError } from '../config/model.js';
import { Domains } from '../graph/domains.js';
import { Pipeline } from '../graph/pipeline.js';
import { emptyPlugins, type Plugins } from '../graph/plugins.js';
import { builtinChecks } from '../state/checks.js';
import type { Project } from '../exec/run.js';
import { chunkPlugins } from '../chunks/domain.js';
import { Exit } from './exit.js';
import { ExitRequest, VERSION, type GlobalOptions } from './main.js';

export function plugins(): Plugins {
  const p = emptyPlugins();
  const c = chunkPlugins();
  for (const d of c.domains) p.domains.set(d.key, d);
  for (const f of c.functions) p.functions.set(f.name, f);
  for (const name of builtinChecks().keys()) p.checks.add(name);
  return p;
}

export function configError(e: ConfigError): never {
  process.stderr.write(`dax: ${formatConfigError(e)}\n`);
  throw new ExitRequest(Exit.usage);
}

export async function loadProject(g: GlobalOptions, setItems: string[]): Promise<{ project: Project; sets: Record<string, string> }> {
  const sets = parseSets(setItems);
  if (!sets.ok) configError(sets.error);
  const config = await loadConfigCached({ cwd: process.cwd(), directory: g.directory, file: g.file, sets: sets.value, env: process.env }, VERSION);
  if (!config.ok) configError(config.error);
  const registered = plugins();
  const pipeline = Pipeline.create(config.value, registered);
  if (!pipeline.ok) configError(pipeline.error);
  const project: Project = {
    config: config.value,
    pipeline: pipeline.value,
    domains: new Domains(config.value, registered),
    stateDir: path.join(config.value.projectDir, '.dax'),
    checks: builtinChecks(),
  };
  return { project, sets: sets.value };
}
