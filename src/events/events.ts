// Everything dax tells the user is one of these events, handed to a logger (tty, plain, json).
import type { RunResult } from '../state/records.js';

export interface Counts {
  total: number; // jobs in the plan
  upToDate: number;
  toRun: number;
  done: number; // ran and succeeded in this run
  failed: number;
  skipped: number; // not started: a dependency failed, or the run stopped
  incomplete: number; // stopped while running
  running: number;
}

export type DaxEvent =
  | { type: 'message'; level: 'error' | 'warn' | 'info' | 'debug'; text: string }
  | { type: 'run-start'; run: string; targets: string[]; counts: Counts; jobs: number }
  | { type: 'plan'; job: string; rule: string; reason: string; command?: string }
  | { type: 'job-start'; job: string; rule: string; attempt: number; worker: string; log: string; reason: string }
  | {
      type: 'job-end';
      job: string;
      rule: string;
      attempt: number;
      status: 'ok' | 'failed' | 'incomplete';
      exit: number | null;
      signal?: string;
      why?: string;
      durationMs: number;
      log: string;
      logTail?: string[];
      retry: boolean;
    }
  | { type: 'job-skipped'; job: string; rule: string; why: string }
  | { type: 'progress'; counts: Counts; elapsedMs: number }
  | { type: 'report'; title: string; lines: string[]; data?: unknown }
  | { type: 'run-end'; run: string; result: RunResult | 'nothing-to-do' | 'dry-run'; counts: Counts; elapsedMs: number };

export interface Logger {
  event(e: DaxEvent): void;
  close(): void;
}

export function emptyCounts(): Counts {
  return { total: 0, upToDate: 0, toRun: 0, done: 0, failed: 0, skipped: 0, incomplete: 0, running: 0 };
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
