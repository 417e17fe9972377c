// Acquisitions as a wildcard domain (`acquisitions: {}`: the ids of queue.json, FIFO) and
// `acq_sources(ID)`, the collected files of one acquisition from its sources.json (the local
// names, e.g. 0_fcs_x.fits under in-progress/ID/sources/): the seams of src/graph/plugins.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DomainPlugin, ExpandFunction, PluginContext, TaskPlugin } from '../graph/plugins.js';
import { err, ok, type Result } from '../util/result.js';
import { Workspace } from './workspace.js';
import { sourcesFile } from './status.js';
import { parseSourcesMap } from '../fits/sources.js';

const wsOf = (ctx: PluginContext): Workspace => new Workspace(ctx.workspace ?? path.join(ctx.projectDir, 'workspace'));

export const acquisitionsDomain: DomainPlugin = {
  key: 'acquisitions',
  live: true,
  files: (_spec, ctx) => [wsOf(ctx).queueFile],
  resolve(spec: unknown, ctx: PluginContext): Result<string[], string> {
    if (spec !== null && (typeof spec !== 'object' || Array.isArray(spec) || Object.keys(spec).length > 0)) {
      return err('acquisitions: expected {} (the ids queued in the workspace\'s queue.json)');
    }
    const ws = wsOf(ctx);
    const q = ws.queue();
    if (!q.ok) return q;
    // Queued but already archived (a release killed before it updated the queue) or aborted: not
    // in the domain, so nothing of it is rebuilt.
    const open = q.value.filter((id) => !aborted(ws, id) && !ws.archived(id));
    // limits.daq: the first N in FIFO order are in progress; the rest wait until one is archived
    // (the run then goes on with the queue, as a live domain does).
    const daq = ctx.limits?.['daq'] ?? 0;
    return ok(daq > 0 ? open.slice(0, daq) : open);
  },
};

function aborted(ws: Workspace, id: string): boolean {
  try {
    return (JSON.parse(readFileSync(path.join(ws.inProgress(id), 'status.json'), 'utf8')) as { state?: string }).state === 'Aborted';
  } catch {
    return false;
  }
}

export const acqSources: ExpandFunction = {
  name: 'acq_sources',
  call(args: string[], ctx: PluginContext): Result<string[], string> {
    const [id] = args;
    if (args.length !== 1 || id === undefined) return err(`acq_sources: expected 1 argument (the acquisition id), got ${args.length}`);
    const dir = wsOf(ctx).inProgress(id);
    const file = sourcesFile(dir);
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      return err(`acq_sources(${id}): cannot read ${file}: ${(e as Error).message}`);
    }
    // Read as dax merge --sources reads it: this dax's entries, or an older dax's plain map.
    const map = parseSourcesMap(data, file, dir);
    if (!map.ok) return err(`acq_sources(${id}): ${map.error.message}`);
    return ok([...map.value.files.values()].map((local) => path.basename(local)));
  },
};

// Written from dist/ so that the CLI's bundle (dist/bundle/) finds it too.
const TASKS = new URL('../acquisition/tasks.js', import.meta.url).href;

/** The steps of rules/acquisition.yaml, run inside dax (see tasks.ts). */
export const acquisitionTasks: TaskPlugin[] = [
  { name: 'acq_collect', module: TASKS, exportName: 'collectTask' },
  { name: 'acq_merge', module: TASKS, exportName: 'mergeTask' },
  { name: 'acq_release', module: TASKS, exportName: 'releaseTask' },
];

export function acquisitionPlugins(): { domains: DomainPlugin[]; functions: ExpandFunction[]; tasks: TaskPlugin[] } {
  return { domains: [acquisitionsDomain], functions: [acqSources], tasks: acquisitionTasks };
}
