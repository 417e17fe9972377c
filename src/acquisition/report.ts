// What `dax status` says about the workspace: acquisitions in progress by state with their
// active alerts, the archived ones counted (not read: there may be many thousands), and the
// free space of the workspace's file system (daqif's GetActiveDaqs / QueryStorageStatus).
import { readdirSync, statfsSync } from 'node:fs';
import { readStatus, STATES, type AcqState, type AcqStatus, type Alert } from './status.js';
import type { Workspace } from './workspace.js';

export interface WorkspaceReport {
  workspace: string;
  queue: string[];
  storage: { free: number; total: number } | null;
  byState: Record<AcqState, string[]>;
  archived: number;
  acquisitions: Array<Pick<AcqStatus, 'id' | 'fileId' | 'state' | 'error' | 'updated'> & { alerts: Alert[] }>;
}

const entries = (dir: string): string[] => {
  try {
    return readdirSync(dir).filter((n) => !n.startsWith('.'));
  } catch {
    return [];
  }
};

export function storageOf(dir: string): { free: number; total: number } | null {
  try {
    const s = statfsSync(dir);
    return { free: s.bavail * s.bsize, total: s.blocks * s.bsize };
  } catch {
    return null;
  }
}

export function workspaceReport(ws: Workspace): WorkspaceReport {
  const byState = Object.fromEntries(STATES.map((s) => [s, [] as string[]])) as Record<AcqState, string[]>;
  const queue = ws.queue();
  const order = new Map((queue.ok ? queue.value : []).map((id, i) => [id, i]));
  const ids = entries(ws.inProgress()).sort((a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity));
  const acquisitions: WorkspaceReport['acquisitions'] = [];
  for (const id of ids) {
    const s = readStatus(ws.inProgress(id));
    if (!s.ok) continue;
    const { fileId, state, error, updated, alerts } = s.value;
    byState[state].push(id);
    acquisitions.push({ id, fileId, state, error, updated, alerts });
  }
  const archived = entries(ws.archive()).length;
  return { workspace: ws.root, queue: queue.ok ? queue.value : [], storage: storageOf(ws.root), byState, archived, acquisitions };
}
