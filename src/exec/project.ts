// Loading a project: the Daxfile (through the config cache), its compiled pipeline, the wildcard
// domains with the caller's plugins, and where .dax/ lives. Failures are values.
import path from 'node:path';
import { loadConfigCached } from '../config/cache.js';
import type { ConfigError } from '../config/model.js';
import { Domains } from '../graph/domains.js';
import { Pipeline } from '../graph/pipeline.js';
import { emptyPlugins, type Plugins } from '../graph/plugins.js';
import { builtinChecks } from '../state/checks.js';
import type { OutputCheck } from '../state/staleness.js';
import { ok, type Result } from '../util/result.js';
import type { Project } from './run.js';

export interface ProjectOptions {
  cwd: string;
  directory?: string; // -C
  file?: string; // -f
  sets: Record<string, string>; // --set
  env: NodeJS.ProcessEnv; // DAX_VAR_NAME
  /** Domain kinds and input functions of domain modules (chunks, acquisitions). */
  plugins?: Plugins;
  /** Output checks by name (`check:`); default the built-in ones. */
  checks?: Map<string, OutputCheck>;
  /** dax's version: part of the config cache's key. */
  version: string;
}

export async function loadProject(o: ProjectOptions): Promise<Result<Project, ConfigError>> {
  const { directory, file } = o;
  const config = await loadConfigCached({ cwd: o.cwd, ...(directory !== undefined ? { directory } : {}), ...(file !== undefined ? { file } : {}), sets: o.sets, env: o.env }, o.version);
  if (!config.ok) return config;
  const checks = o.checks ?? builtinChecks();
  // The check names a rule may use are the ones registered here.
  const plugins: Plugins = { ...(o.plugins ?? emptyPlugins()), checks: new Set([...(o.plugins?.checks ?? []), ...checks.keys()]) };
  const pipeline = Pipeline.create(config.value, plugins);
  if (!pipeline.ok) return pipeline;
  return ok({
    config: config.value,
    pipeline: pipeline.value,
    domains: new Domains(config.value, plugins),
    stateDir: path.join(config.value.projectDir, '.dax'),
    checks,
  });
}
