// dax graph: the plan's rule graph (or with --jobs its job graph) as DOT, SVG or HTML.
import type { Command } from 'commander';
import path from 'node:path';
import { projectStatus } from '../exec/status.js';
import { GRAPH_FORMATS, isGraphFormat, jobGraph, renderGraph, ruleGraph, type GraphFormat } from '../graph-view/index.js';
import { writeFileAtomic } from '../util/atomic.js';
import { configError, loadProject } from './project.js';
import { globals, usageError } from './options.js';

/** Above this many jobs a job graph is a hairball no layout makes readable (and dagre is slow). */
export const MAX_JOB_GRAPH = 2000;

interface GraphOptions {
  set: string[];
  jobs?: boolean;
  format?: string;
  output?: string;
}

const BY_EXTENSION: Record<string, GraphFormat> = { '.dot': 'dot', '.gv': 'dot', '.svg': 'svg', '.html': 'html', '.htm': 'html' };

export function registerGraph(program: Command): void {
  program
    .command('graph')
    .description('the rule graph of the plan (with --jobs its job graph), each node coloured by state')
    .argument('[targets...]', "paths, patterns or rule names (default: the Daxfile's targets)")
    .option('--jobs', `the job graph instead of the rule graph (at most ${MAX_JOB_GRAPH} jobs)`)
    .option('--format <format>', `${GRAPH_FORMATS.join(', ')} (default: from -o's extension, else dot)`)
    .option('-o, --output <file>', 'write to FILE (atomically) instead of standard output')
    .option('--set <NAME=VALUE>', 'set a var, as for dax run', (v: string, p: string[]) => [...p, v], [])
    .action(async (targets: string[], opts: GraphOptions, cmd: Command) => {
      const format = opts.format ?? (opts.output !== undefined ? BY_EXTENSION[path.extname(opts.output).toLowerCase()] : undefined) ?? 'dot';
      if (!isGraphFormat(format)) usageError(`--format must be one of ${GRAPH_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
      const { project } = await loadProject(globals(cmd), opts.set);
      const st = projectStatus(project, targets);
      if (!st.ok) configError(st.error);
      const jobs = st.value.jobs;
      if (opts.jobs && jobs.length > MAX_JOB_GRAPH) {
        usageError(
          `the job graph of ${targets.length ? 'these targets' : "the Daxfile's targets"} has ${jobs.length} jobs, more than dax graph --jobs draws (${MAX_JOB_GRAPH})\n` +
            '  hint: name fewer targets (e.g. one rule\'s output for one wildcard value), or leave out --jobs for the rule graph',
        );
      }
      const g = opts.jobs ? jobGraph(jobs) : ruleGraph(jobs, project.pipeline.rules.map((r) => r.name));
      const text = renderGraph(g, format, {
        // The Daxfile with its directory's name: "catalog/Daxfile.yaml", wherever dax ran.
        title: path.relative(path.dirname(project.config.projectDir), project.config.daxfile),
        subtitle: targets.length ? `targets: ${targets.join(' ')}` : "the Daxfile's targets",
      });
      if (opts.output === undefined) {
        process.stdout.write(text);
        return;
      }
      const w = writeFileAtomic(opts.output, text);
      if (!w.ok) usageError(`${w.error.message}\n  hint: check that the directory exists and is writable`);
    });
}
