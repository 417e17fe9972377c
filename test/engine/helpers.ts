// Helpers for the engine's end-to-end tests: temp projects, the real CLI (bin/dax.js, which runs
// dist/), and small waits. Every test runs `dax` as a user would, without a TTY and with CI=true.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { procStat } from '../../src/util/proc.js';
import { repo } from '../repo.js';

export { repo };
export const DAX = join(repo, 'bin/dax.js');

// ---------------------------------------------------------------------------------------------
// Projects and files

const made: string[] = [];

/** A temp project with the given files (project-relative path -> text). */
export function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dax-engine-'));
  made.push(dir);
  for (const [rel, text] of Object.entries(files)) write(dir, rel, text);
  return dir;
}

/** Removes the projects this test file made (kept when DAX_TEST_KEEP is set, to look at). */
export function removeProjects(): void {
  if (process.env['DAX_TEST_KEEP']) return;
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function write(dir: string, rel: string, text: string): void {
  const p = join(dir, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
}

export function read(dir: string, rel: string): string {
  return readFileSync(join(dir, rel), 'utf8');
}

export function exists(dir: string, rel: string): boolean {
  return existsSync(join(dir, rel));
}

/** Every file below dir (relative paths, sorted), directories not listed. */
export function files(dir: string, under = ''): string[] {
  const out: string[] = [];
  const base = join(dir, under);
  if (!existsSync(base)) return out;
  for (const e of readdirSync(base, { withFileTypes: true })) {
    const rel = under ? `${under}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...files(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

/** Lines of a file that exists or not (missing = no lines). */
export function lines(dir: string, rel: string): string[] {
  if (!exists(dir, rel)) return [];
  return read(dir, rel).split('\n').filter((l) => l !== '');
}

/** How many times each line occurs. */
export function tally(items: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(i, (m.get(i) ?? 0) + 1);
  return m;
}

// ---------------------------------------------------------------------------------------------
// Running dax

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The environment of a dax run: CI=true, none of the runner's own DAX_ variables. */
export function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DAX_')) e[k] = v;
  return { ...e, CI: 'true', ...extra };
}

/** Runs `dax ARGS` with cwd = dir and waits for it. */
export function dax(dir: string, ...args: string[]): Result {
  return daxEnv(dir, {}, ...args);
}

/** dax with variables added to its environment. */
export function daxEnv(dir: string, extra: Record<string, string>, ...args: string[]): Result {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [DAX, ...args], { cwd: dir, env: env(extra), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}

export interface Started {
  child: ChildProcess;
  pid: number;
  /** What it printed so far. */
  out: { stdout: string; stderr: string };
  done: Promise<Result>;
}

/** Starts `dax ARGS` in dir without waiting; the child is dax itself (its pid is dax's). */
export function start(dir: string, ...args: string[]): Started {
  return startEnv(dir, {}, ...args);
}

/** start with variables added to dax's environment. */
export function startEnv(dir: string, extra: Record<string, string>, ...args: string[]): Started {
  const t0 = performance.now();
  const child = spawn(process.execPath, [DAX, ...args], { cwd: dir, env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out.stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (out.stderr += s));
  const done = new Promise<Result>((res) => {
    child.on('close', (code, signal) => res({ code, signal, stdout: out.stdout, stderr: out.stderr, ms: performance.now() - t0 }));
  });
  return { child, pid: child.pid!, out, done };
}

/** The JSON events of a `--json` run, checking that every stdout line is one. */
export function events(stdout: string): Array<Record<string, unknown> & { type: string }> {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const e = JSON.parse(l) as Record<string, unknown> & { type: string };
      if (typeof e.type !== 'string') throw new Error(`event without a type: ${l}`);
      return e;
    });
}

/** The ids of the jobs a --json run started (attempt 1 only), in order. */
export function started(stdout: string): string[] {
  return events(stdout)
    .filter((e) => e.type === 'job-start' && e.attempt === 1)
    .map((e) => e.job as string);
}

// ---------------------------------------------------------------------------------------------
// Waiting and processes

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until cond() is true; throws with `what` after timeoutMs. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Whether a process exists (zombies count as gone: they run nothing). */
export function alive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

/** The process group of a live process. */
export function pgidOf(pid: number): number {
  const stat = procStat(pid);
  if (!stat) throw new Error(`no process ${pid}`);
  return stat.pgrp;
}

/** Live (non-zombie) processes in a process group. */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = procStat(Number(name)); // undefined: it exited while we looked
    if (stat && stat.pgrp === pgid && stat.state !== 'Z') out.push(Number(name));
  }
  return out;
}

/** Waits for a signalled process group to be empty: a kill is delivered as each member next
 * runs, so one may still be about to die when its leader's end is reported. A member the kill
 * missed (a sleep 30) fails it. */
export async function groupGone(pgid: number, timeoutMs = 5_000): Promise<void> {
  await waitFor(() => groupMembers(pgid).length === 0, `process group ${pgid} to be gone`, timeoutMs).catch((e: Error) => {
    throw new Error(`${e.message} (left: ${groupMembers(pgid).join(' ')})`);
  });
}

/** A pid that belonged to a process that has exited. */
export function deadPid(): number {
  const r = spawnSync('true');
  const pid = r.pid;
  if (!pid || alive(pid)) throw new Error('could not find a dead pid');
  return pid;
}
