// `dax status` for acquisitions: the workspace's acquisitions by state (appended to the rules'
// table), and `dax status ID` for one acquisition (sources with transfer state, alerts, times).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { GlobalOptions } from './main.js';
import { workspaceOf } from './acq.js';
import { readStatus, STATES, type AcqStatus } from '../acquisition/status.js';
import { workspaceReport, type WorkspaceReport } from '../acquisition/report.js';
import { formatSize } from '../util/size.js';
import { daxfilePath } from '../config/cache.js';

/** Answers `dax status ID` (true) when ID is an acquisition, or `dax status` without a Daxfile. */
export async function acquisitionStatus(g: GlobalOptions, args: string[], json: boolean): Promise<boolean> {
  const noProject = !existsSync(daxfilePath({ cwd: process.cwd(), directory: g.directory, file: g.file }));
  if (args.length !== 1 && !(noProject && args.length === 0)) return false;
  const ws = await workspaceOf(g);
  if (args.length === 0) {
    const r = await workspaceSummary(g);
    if (!r) return false;
    process.stdout.write(json ? JSON.stringify({ acquisitions: r.report }) + '\n' : r.lines.join('\n') + '\n');
    return true;
  }
  const dir = ws.dirOf(args[0]!);
  if (!dir) return false;
  const s = readStatus(dir);
  if (!s.ok) return false;
  // status.json holds each source's transfer state: sources.json is written from it, under its lock.
  process.stdout.write(json ? JSON.stringify({ ...s.value, directory: dir }) + '\n' : describe(s.value, dir) + '\n');
  return true;
}

function describe(s: AcqStatus, dir: string): string {
  const lines = [`acquisition ${s.id}: ${s.state}${s.error ? ' (error)' : ''}`, `  product  ${s.fileId}.fits${s.result ? ` (${s.result})` : ''}`, `  directory ${dir}`];
  lines.push('  sources:');
  for (const x of s.sources) {
    const detail = [x.method, x.bytes !== undefined ? formatSize(x.bytes) : undefined, x.attempts ? `${x.attempts} attempt${x.attempts === 1 ? '' : 's'}` : undefined, x.collectedAt ? `collected ${x.collectedAt}` : undefined].filter((d) => d !== undefined);
    lines.push(`    ${x.state.padEnd(12)} ${x.location} -> ${x.local}${detail.length ? ` (${detail.join(', ')})` : ''}`);
    if (x.error !== undefined) lines.push(`      last error: ${x.error}`);
  }
  if (s.receivers.length) lines.push('  receivers:');
  for (const r of s.receivers) lines.push(`    ${r.state.padEnd(12)} ${r.host ? `${r.host}:` : ''}${r.path}${r.method ? ` (${r.method})` : ''}`);
  lines.push(s.alerts.length ? '  alerts:' : '  alerts: none');
  for (const a of s.alerts) lines.push(`    ${a.severity.padEnd(8)} ${a.timestamp} ${a.id}: ${a.description}`);
  lines.push('  times:');
  for (const st of STATES) if (s.times[st]) lines.push(`    ${st.padEnd(11)} ${s.times[st]}`);
  return lines.join('\n');
}

/** The workspace's acquisitions, or undefined when there is no workspace. */
export async function workspaceSummary(g: GlobalOptions): Promise<{ report: WorkspaceReport; lines: string[] } | undefined> {
  const ws = await workspaceOf(g);
  if (!existsSync(path.join(ws.root, 'in-progress')) && !existsSync(ws.queueFile)) return undefined;
  const report = workspaceReport(ws);
  const free = report.storage ? `${formatSize(report.storage.free)} free of ${formatSize(report.storage.total)}` : 'free space unknown';
  const lines = [`acquisitions in ${ws.root} (${free}): ${report.queue.length} queued, ${report.archived} archived`];
  for (const st of STATES) {
    const ids = report.byState[st];
    if (st === 'Completed' || ids.length === 0) continue;
    lines.push(`  ${st} (${ids.length})`);
    for (const id of ids) {
      const a = report.acquisitions.find((x) => x.id === id)!;
      lines.push(`    ${id}${a.error ? '  ERROR' : ''}`);
      for (const al of a.alerts) lines.push(`      ${al.severity}: ${al.description}`);
    }
  }
  return { report, lines };
}
