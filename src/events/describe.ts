// Events in words: the text of notices and reports, shared by every logger and `dax status`.
import { formatValueList } from '../util/ranges.js';
import { formatSize } from '../util/size.js';
import { reasonGroup, type Reason } from '../state/reasons.js';
import type { Notice, Report, WildcardReport } from './events.js';

export function describeNotice(n: Notice): string {
  switch (n.kind) {
    case 'lock-taken-over':
      return `took over the lock of a dax run that is no longer alive (pid ${n.pid} on ${n.host}, run ${n.run}, started ${new Date(n.start).toISOString()}: ${n.why})`;
    case 'orphans-stopped':
      return `stopped ${n.groups} job process group${n.groups === 1 ? '' : 's'} left running by run ${n.run}`;
    case 'superseded-removed':
      return `removed ${n.path}: superseded by ${n.by.join(', ')}`;
    case 'live-run':
      return `another dax run holds this project's lock (${n.holder}); dax run would exit 3 now`;
    case 'stopping':
      return `${n.reason}: starting nothing new; stopping running jobs`;
    case 'worker-down':
      return `worker ${n.worker} is down: ${n.why}`;
    case 'attached':
      return `re-attached to ${n.job} on ${n.worker} (${n.handle})`;
    case 'state-write-failed':
      return `could not write ${n.path}: ${n.message}`;
    case 'space-low':
      return `only ${formatSize(n.free)} free on the file system of ${n.path}, below limits.min_free (${formatSize(n.min)}): starting no new job until space is back`;
    case 'space-back':
      return `free space is back above limits.min_free (${formatSize(n.min)}): starting jobs again`;
    case 'internal-error':
      return `internal error: ${n.message}`;
  }
}

function short(values: string[]): string {
  const text = formatValueList(values).trim().split('\n').join(', ');
  return text.length > 200 ? text.slice(0, 200) + ' …' : text;
}

/** A report's headline and detail lines. */
export function describeReport(r: Report): { title: string; lines: string[] } {
  switch (r.kind) {
    case 'wildcard':
      return describeWildcard(r.wildcard);
    case 'worker': {
      const w = r.worker;
      const parts = [`${w.ok} jobs done`, `${w.failed} failed`, `${w.incomplete} incomplete`];
      if (w.lost) parts.push(`${w.lost} lost`);
      parts.push(`busy ${(w.busyMs / 1000).toFixed(1)}s`);
      return { title: `worker ${w.worker}: ${parts.join(', ')}${w.down ? ` (down: ${w.down})` : ''}`, lines: [] };
    }
  }
}

function describeWildcard(r: WildcardReport): { title: string; lines: string[] } {
  const c = r.counts;
  const lines: string[] = [];
  if (r.failed.length) lines.push(`failed: ${short(r.failed)}`);
  if (r.incomplete.length) lines.push(`incomplete: ${short(r.incomplete)}`);
  if (r.file && r.failed.length) lines.push(`failed values written to ${r.file} (usable as a wildcard domain: file: ${r.file})`);
  return {
    title: `${r.wildcard}: ${c.finished} finished, ${c.failed} failed, ${c['not-started']} not started, ${c.incomplete} incomplete${c.running ? `, ${c.running} running` : ''}`,
    lines,
  };
}

/** Reasons grouped by kind, the most common first: `[['command changed', 165]]`. */
export function reasonGroups(reasons: Iterable<Reason>): Array<[string, number]> {
  const n = new Map<string, number>();
  for (const r of reasons) {
    const l = reasonGroup(r);
    n.set(l, (n.get(l) ?? 0) + 1);
  }
  return [...n].sort((a, b) => b[1] - a[1]);
}
