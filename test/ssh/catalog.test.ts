// The catalog pipeline across SSH workers without a shared file system: the same database as a
// run on this machine alone; a host lost mid-run; dax killed -9 while remote jobs run.
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { events, repo, waitFor } from '../engine/helpers.js';
import { startHosts, type Hosts } from './hosts.js';
import { hostProject, runDax, startDax } from './run.js';

let hosts: Hosts | undefined;
afterEach(async () => {
  await hosts?.stop();
  hosts = undefined;
});

/** A catalog project whose generate and partition jobs note each run in a ledger (a file on
 * this machine that the hosts' jobs can write too), taking `pause` seconds each. */
function catalog(h: Hosts, workers: string[], pause = 0): { dir: string; ledger: string } {
  const ledgerDir = join(h.dir, 'ledger');
  mkdirSync(ledgerDir, { recursive: true, mode: 0o777 });
  chmodSync(ledgerDir, 0o777);
  const ledger = join(ledgerDir, `${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(ledger, '', { mode: 0o666 });
  chmodSync(ledger, 0o666);
  const noted = (tool: string): string => `sh -c 'echo "$DAX_JOB $DAX_WORKER" >> ${ledger}; sleep ${pause}; exec "$@"' sh node ${join(repo, 'examples/catalog/bin', tool)}.mjs`;
  const tool = (name: string): string => `node ${join(repo, 'examples/catalog/bin', name)}.mjs`;
  const dir = hostProject(h, {
    'Daxfile.yaml': `version: 1
include: [${JSON.stringify(join(repo, 'rules/catalog.yaml'))}]
local: { slots: 1 }
workers:
${workers.map((w) => `  ${w}: { ssh: ${w}, slots: 3, workdir: ${join(h.hosts.get(w)!.dir, 'work')} }`).join('\n')}
vars:
  data: out
  db: out/catalog.db
  rows: 200
  generate: ${JSON.stringify(noted('generate'))}
  partition: ${JSON.stringify(noted('partition'))}
  ingest: ${tool('ingest')}
  publish: ${tool('publish')}
wildcards:
  chunk:
    pattern: '[0-9]+'
    chunks: { stripes: 85, substripes: 12, region: { ra: [0, 2], dec: [-1, 1] } }
  table: { values: [Object, Forced_Source] }
report: [chunk]
targets: ['{vars.data}/published.db']
`,
  });
  return { dir, ledger };
}

function dump(dir: string): string {
  const db = new Database(join(dir, 'out/catalog.db'), { readonly: true });
  try {
    return ['Object', 'Forced_Source'].map((t) => JSON.stringify(db.prepare(`SELECT * FROM ${t} ORDER BY chunkId, id, overlap`).all())).join('\n');
  } finally {
    db.close();
  }
}

const notices = (stdout: string, kind: string): unknown[] =>
  events(stdout).flatMap((e) => (e.type === 'notice' && (e.notice as { kind: string }).kind === kind ? [e.notice] : []));

const ledgerLines = (f: string): string[] => readFileSync(f, 'utf8').split('\n').filter((l) => l !== '');

describe('the catalog on SSH workers', () => {
  it('gives the same database across two workers without a shared file system as on this machine alone', async () => {
    hosts = await startHosts(['h1', 'h2']);
    const here = catalog(hosts, ['h1', 'h2']);
    const local = await runDax(hosts, here.dir, 'run', '--workers', 'local', '--jobs', '2');
    expect(local.stderr).toBe('');
    expect(local.code).toBe(0);
    const there = catalog(hosts, ['h1', 'h2']);
    const r = await runDax(hosts, there.dir, 'run', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(dump(there.dir)).toBe(dump(here.dir));
    const ends = events(r.stdout).filter((e) => e.type === 'job-end');
    const on = new Set(ends.filter((e) => /^catalog_(generate|partition)/.test(e.rule as string)).map((e) => e.worker));
    expect(on.has('h1') && on.has('h2')).toBe(true);
    // ingest and publish are pinned to this machine (the database is here).
    expect(ends.filter((e) => /^catalog_(ingest|publish)/.test(e.rule as string)).every((e) => e.worker === 'local')).toBe(true);
    const reports = events(r.stdout).filter((e) => e.type === 'report' && (e.report as { kind: string }).kind === 'worker');
    expect(reports.map((e) => (e.report as { worker: { worker: string } }).worker.worker).sort()).toEqual(['h1', 'h2', 'local']);
    // Nothing left to do, and a second run sends nothing: the workers hold their inputs.
    const again = await runDax(hosts, there.dir, 'run');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/nothing to do|up to date/);
  }, 180_000);

  it('completes when a host is lost mid-run, and the report names the lost worker', async () => {
    hosts = await startHosts(['h1', 'h2']);
    const p = catalog(hosts, ['h1', 'h2'], 0.3);
    const run = startDax(hosts, p.dir, 'run', '--json');
    await waitFor(() => ledgerLines(p.ledger).filter((l) => l.endsWith(' h2')).length >= 2, 'jobs on h2', 60_000);
    await hosts.kill('h2');
    const r = await run.done;
    writeFileSync('/tmp/dax-ssh-lost.json', r.stdout);
    expect(r.code).toBe(0);
    const ev = events(r.stdout);
    const h2 = ev.find((e) => e.type === 'report' && (e.report as { worker?: { worker: string } }).worker?.worker === 'h2')!.report as { worker: { lost: number; down?: string } };
    expect(h2.worker.lost).toBeGreaterThan(0);
    expect(h2.worker.down).toMatch(/connection/);
    expect(notices(r.stdout, 'worker-down')).toEqual([{ kind: 'worker-down', worker: 'h2', why: h2.worker.down }]);
    // Every chunk is in the database all the same.
    const status = await runDax(hosts, p.dir, 'status');
    expect(status.stdout).toMatch(/h2.*down/);
    const again = await runDax(hosts, p.dir, 'run', '--workers', 'local,h1');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/nothing to do|up to date/);
  }, 180_000);

  it('re-attaches after kill -9 of dax: no job that finished on a host runs twice', async () => {
    hosts = await startHosts(['h1', 'h2']);
    const p = catalog(hosts, ['h1', 'h2'], 0.5);
    const first = startDax(hosts, p.dir, 'run', '--json');
    await waitFor(() => ledgerLines(p.ledger).length >= 5, 'remote jobs to start', 60_000);
    process.kill(first.pid, 'SIGKILL');
    await first.done;
    const r = await runDax(hosts, p.dir, 'run', '--json');
    writeFileSync('/tmp/dax-ssh-kill.json', r.stdout);
    expect(r.code).toBe(0);
    expect(notices(r.stdout, 'lock-taken-over')).toHaveLength(1);
    const attached = notices(r.stdout, 'attached');
    expect(attached.length).toBeGreaterThan(0);
    // A job that ran on a host ran there once (a local job of the killed dax is stopped and rerun).
    const runs = new Map<string, string[]>();
    for (const [job, worker] of ledgerLines(p.ledger).map((l) => l.split(' '))) runs.set(job!, [...(runs.get(job!) ?? []), worker!]);
    const remote = [...runs].filter(([, on]) => on[0] !== 'local');
    expect(remote.length).toBeGreaterThan(0);
    expect(remote.filter(([, on]) => on.length > 1)).toEqual([]);
    const again = await runDax(hosts, p.dir, 'run');
    expect(again.stdout).toMatch(/nothing to do|up to date/);
  }, 180_000);
});
