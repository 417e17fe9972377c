#!/usr/bin/env node
// Engine benchmark: dax against ninja and make on the same two-stage pipeline.
// Usage: npm run bench [-- --quick] [-- --tools dax,ninja] ... (see --help and bench/README.md)

import { existsSync, mkdirSync, readdirSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capture, describeRssMethod, detectRssMethod, measure, which } from './lib/measure.mjs';
import { WORKLOADS } from './lib/workloads.mjs';
import { benchEnv } from './lib/env.mjs';

const REPO = dirname(dirname(fileURLToPath(import.meta.url)));
const DAX_BIN = join(REPO, 'bin', 'dax.js');
const WORK = join(REPO, 'bench', '.work');
const JOURNAL_LOAD = join(REPO, 'bench', 'lib', 'journal-load.mjs');

// ---------------------------------------------------------------------------------------------
// Tools. Each op gives the argv run in the project directory (stdout goes to /dev/null).
// `state` lists the tool's own state files, removed with the outputs before each full build.

const TOOLS = {
  dax: {
    show: 'node bin/dax.js',
    available: () => (existsSync(DAX_BIN) ? null : `missing ${relative(REPO, DAX_BIN)}`),
    version: () => firstLine(capture([process.execPath, DAX_BIN, '--version'])),
    ops: {
      full: (o) => [process.execPath, DAX_BIN, 'run', '--jobs', String(o.jobs)],
      noop: (o) => [process.execPath, DAX_BIN, 'run', '--jobs', String(o.jobs)],
      dry: () => [process.execPath, DAX_BIN, 'run', '-n'],
      // A question to the chunker, no pipeline: `dax chunks` over the whole sky.
      count: () => [process.execPath, DAX_BIN, 'chunks', '--stripes', '340', '--substripes', '3', '--count'],
    },
    state: ['.dax'],
  },
  ninja: {
    show: 'ninja',
    available: () => (which('ninja') ? null : 'ninja not installed (apt-get install ninja-build)'),
    version: () => firstLine(capture(['ninja', '--version'])),
    ops: {
      full: (o) => ['ninja', '-j', String(o.jobs)],
      noop: () => ['ninja'],
      dry: () => ['ninja', '-n'],
    },
    state: ['.ninja_log', '.ninja_deps'],
  },
  make: {
    show: 'make',
    available: () => (which('make') ? null : 'make not installed (apt-get install make)'),
    version: () => firstLine(capture(['make', '--version'])),
    ops: {
      full: (o) => ['make', '-j', String(o.jobs)],
      noop: () => ['make'],
      dry: () => ['make', '-n'],
    },
    state: [],
  },
};

// ---------------------------------------------------------------------------------------------
// Scenarios: the hook for later ones. Fields:
//   id        name for --scenarios
//   label(n)  row label (n = chunks after --quick scaling)
//   workload  key of WORKLOADS (bench/lib/workloads.mjs)
//   chunks    chunk count at full size (--quick divides by 10)
//   op        'full' (delete outputs + tool state before each run, then build),
//             'noop' (on a built project; checks nothing was rebuilt),
//             'dry'  (on a fresh, never-built project; checks nothing was written)
//   command   optional (toolName, opts, n) => argv | null, instead of the tool's op command
//             (null = "n/a" for that tool); `op` still decides the project state and checks
//   repeats   runs per tool (default: --full-runs for 'full', --runs for the others); median wall
//   rss       also print a peak-RSS row
//   keepState keep the tool's state (.dax/) between runs: the workload wrote it
//   default   run without --scenarios (false: only with --all or when named)
//
// Later, for example:
//   { id: 'catalog-dry', label: (n) => `catalog dry run, ${fmtInt(n)} chunks × 3 tables`,
//     workload: 'catalog', chunks: 10_000, op: 'dry', rss: true, default: true },
//   { id: 'chunks-count', label: (n) => `dax chunks --count, ${fmtInt(n)} chunks`, workload: 'two-stage',
//     chunks: 100_000, op: 'dry', default: true,
//     command: (tool) => (tool === 'dax' ? [process.execPath, DAX_BIN, 'chunks', '--count'] : null) },

const jobsLabel = (n, w) => `${fmtInt(n)} chunks (${fmtInt(n * WORKLOADS[w].jobsPerChunk)} jobs)`;

export const SCENARIOS = [
  { id: 'full', label: (n) => `full build, ${jobsLabel(n, 'two-stage')}`, workload: 'two-stage', chunks: 1_000, op: 'full', default: true },
  { id: 'full-shell', label: (n) => `full build, every job through a shell, ${jobsLabel(n, 'shell')}`, workload: 'shell', chunks: 1_000, op: 'full', default: true },
  { id: 'noop', label: (n) => `no-op, ${jobsLabel(n, 'two-stage')}`, workload: 'two-stage', chunks: 1_000, op: 'noop', default: true },
  // The 10k full build is only the setup of the 10k no-op; reported with --all.
  { id: 'full-10k', label: (n) => `full build, ${jobsLabel(n, 'two-stage')}`, workload: 'two-stage', chunks: 10_000, op: 'full', default: false },
  { id: 'noop-10k', label: (n) => `no-op, ${jobsLabel(n, 'two-stage')}`, workload: 'two-stage', chunks: 10_000, op: 'noop', default: true },
  { id: 'dry-100k', label: (n) => `dry run, ${jobsLabel(n, 'two-stage')}`, workload: 'two-stage', chunks: 100_000, op: 'dry', rss: true, default: true },
  // A journal of 10^6 records (5 earlier runs of 100,000 jobs, a start and an end each) on a
  // never-built project: loading it alone, and a dry run over it.
  { id: 'journal-load', label: (n) => `\`Journal.load\` of ${fmtInt(n * 20)} journal records (node start-up included)`, workload: 'journal-1m', chunks: 50_000, op: 'dry', keepState: true, default: true,
    command: (tool) => (tool === 'dax' ? [process.execPath, JOURNAL_LOAD] : null) },
  { id: 'journal-dry', label: (n) => `dry run over a journal of ${fmtInt(n * 20)} records, ${jobsLabel(n, 'journal-1m')}`, workload: 'journal-1m', chunks: 50_000, op: 'dry', keepState: true, rss: true, default: true,
    command: (tool) => (tool === 'dax' ? [process.execPath, DAX_BIN, 'run', '-n'] : null) },
  // The catalog pipeline of rules/catalog.yaml over the whole sky (90 stripes: 10,084 chunks) x 3 tables.
  { id: 'catalog-dry-10k', label: (n) => `catalog dry run, ${jobsLabel(n, 'catalog')}`, workload: 'catalog', chunks: 10_000, op: 'dry', rss: true, default: true },
  { id: 'chunks-count', label: () => '`dax chunks --stripes 340 --substripes 3 --count`', workload: 'none', chunks: 1, op: 'count', default: true },
];

// Goals, checked on the figures of one scenario each.
export const GOALS = [
  { scenario: 'catalog-dry-10k', text: 'catalog dry run over 10,000 chunks x 3 tables: dax < 3 s', check: (r) => limitGoal(r, 3000) },
  { scenario: 'chunks-count', text: 'dax chunks --stripes 340 --substripes 3 --count: < 0.5 s', check: (r) => limitGoal(r, 500) },
  { scenario: 'full', text: 'full build of 1,000 chunks: dax ≤ 1.0× the faster of ninja and make', check: (r) => fastestGoal(r, 1.0) },
  { scenario: 'full-shell', text: 'full build of 1,000 chunks, every job through a shell: dax ≤ 1.0× the faster of ninja and make', check: (r) => fastestGoal(r, 1.0) },
  { scenario: 'noop-10k', text: 'no-op on 10,000 chunks: dax ≤ 1.5× ninja wall time', check: (r) => ratioGoal(r, 1.5) },
  {
    scenario: 'dry-100k',
    text: 'dry run of 100,000 chunks: dax < 1 s and ≤ 200 MB peak RSS',
    check: (r) => {
      const d = r.dax;
      if (!d) return { met: null, why: 'dax not measured' };
      if (!d.ok) return { met: null, why: `dax ${d.error}` };
      if (d.rssKiB == null) return { met: null, why: 'no RSS figure' };
      const mb = (d.rssKiB * 1024) / 1e6;
      const met = d.wallMs < 1000 && mb <= 200;
      return { met, why: `dax ${fmtMs(d.wallMs)} (< 1 s: ${d.wallMs < 1000 ? 'yes' : 'no'}), ${fmtKiB(d.rssKiB)} (≤ 200 MB: ${mb <= 200 ? 'yes' : 'no'})` };
    },
  },
  { scenario: 'journal-load', text: 'a journal of 10^6 records loads in < 1 s', check: (r) => limitGoal(r, 1000) },
];

function limitGoal(r, maxMs) {
  const d = r.dax;
  if (!d) return { met: null, why: 'dax not measured' };
  if (!d.ok) return { met: null, why: `dax ${d.error}` };
  return { met: d.wallMs < maxMs, why: `dax ${fmtMs(d.wallMs)} (limit ${fmtMs(maxMs)})` };
}

/** dax against the faster of ninja and make (whichever were measured). */
function fastestGoal(r, max) {
  const d = r.dax;
  if (!d) return { met: null, why: 'dax not measured' };
  if (!d.ok) return { met: null, why: `dax ${d.error}` };
  const others = ['ninja', 'make'].filter((t) => r[t]?.ok);
  if (!others.length) return { met: null, why: 'neither ninja nor make measured' };
  const best = others.reduce((a, b) => (r[b].wallMs < r[a].wallMs ? b : a));
  const ratio = d.wallMs / r[best].wallMs;
  return { met: ratio <= max, why: `dax ${fmtMs(d.wallMs)} / ${best} ${fmtMs(r[best].wallMs)} = ${fmtRatio(ratio)} (limit ${max}×)` };
}

function ratioGoal(r, max) {
  const d = r.dax;
  const n = r.ninja;
  if (!d || !n) return { met: null, why: `${!d ? 'dax' : 'ninja'} not measured` };
  if (!d.ok) return { met: null, why: `dax ${d.error}` };
  if (!n.ok) return { met: null, why: `ninja ${n.error}` };
  const ratio = d.wallMs / n.wallMs;
  return { met: ratio <= max, why: `dax ${fmtMs(d.wallMs)} / ninja ${fmtMs(n.wallMs)} = ${fmtRatio(ratio)} (limit ${max}×)` };
}

// ---------------------------------------------------------------------------------------------
// Options

const HELP = `Usage: npm run bench -- [options]   (or: node bench/engine.mjs [options])

  --quick              N/10 chunks everywhere (a fast smoke run; goals are then indicative only)
  --tools LIST         comma-separated, from: ${Object.keys(TOOLS).join(',')} (default: all)
  --scenarios LIST     comma-separated scenario ids: ${SCENARIOS.map((s) => s.id).join(',')}
                       (default: ${SCENARIOS.filter((s) => s.default).map((s) => s.id).join(',')})
  --all                every scenario, including the 10,000-chunk full build (normally setup only)
  --runs N             runs per no-op / dry-run measurement, median reported (default 3)
  --full-runs N        runs per full build (default 1)
  --jobs N             parallel jobs for full builds and dax no-op (default 8)
  --rss                a peak-RSS row for every scenario (default: dry run only)
  --timeout SEC        per-command limit (default 600)
  --build              run \`npm run build\` first, so dax is measured from current sources
  --rss-method M       gnu-time or proc-poll (default: gnu-time when /usr/bin/time is GNU time)
  --keep               keep bench/.work/ (the generated projects) afterwards
  --json FILE          also write the raw figures as JSON
  -h, --help           this text
`;

function parseArgs(argv) {
  const o = {
    quick: false, tools: Object.keys(TOOLS), scenarios: null, all: false, runs: 3, fullRuns: 1,
    jobs: 8, rssAll: false, timeout: 600, build: false, keep: false, json: null, rssMethod: null,
  };
  const args = [...argv];
  const val = (flag) => {
    const v = args.shift();
    if (v === undefined) die(`${flag} needs a value`);
    return v;
  };
  const int = (flag) => {
    const v = Number(val(flag));
    if (!Number.isInteger(v) || v < 1) die(`${flag} needs a positive integer`);
    return v;
  };
  while (args.length) {
    let a = args.shift();
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      args.unshift(a.slice(eq + 1));
      a = a.slice(0, eq);
    }
    switch (a) {
      case '--quick': o.quick = true; break;
      case '--tools': {
        const want = list(val(a), Object.keys(TOOLS), 'tool');
        o.tools = Object.keys(TOOLS).filter((t) => want.includes(t));
        break;
      }
      case '--scenarios': o.scenarios = list(val(a), SCENARIOS.map((s) => s.id), 'scenario'); break;
      case '--all': o.all = true; break;
      case '--runs': o.runs = int(a); break;
      case '--full-runs': o.fullRuns = int(a); break;
      case '--jobs': o.jobs = int(a); break;
      case '--rss': o.rssAll = true; break;
      case '--timeout': o.timeout = int(a); break;
      case '--build': o.build = true; break;
      case '--rss-method': o.rssMethod = list(val(a), ['gnu-time', 'proc-poll'], 'RSS method')[0]; break;
      case '--keep': o.keep = true; break;
      case '--json': o.json = val(a); break;
      case '-h': case '--help': process.stdout.write(HELP); process.exit(0); break;
      default: die(`unknown option ${a}\n\n${HELP}`);
    }
  }
  return o;
}

function list(v, allowed, what) {
  const items = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const i of items) if (!allowed.includes(i)) die(`unknown ${what} '${i}' (known: ${allowed.join(', ')})`);
  return items;
}

function die(msg) {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Formatting

function fmtInt(n) {
  return n.toLocaleString('en-US');
}
function fmtMs(ms) {
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
function fmtKiB(k) {
  const mb = (k * 1024) / 1e6;
  return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
}
function fmtRatio(x) {
  return `${x.toFixed(x < 10 ? 2 : 1)}×`;
}
function firstLine(s) {
  return s ? s.split('\n')[0].trim() : null;
}
function cellText(s) {
  return s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
}
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const log = (msg) => process.stderr.write(`${msg}\n`);

// ---------------------------------------------------------------------------------------------
// Projects: one fresh directory per (tool, workload, chunks, kind) under bench/.work/run-*/.
// kind 'main' serves full builds and no-ops; kind 'fresh' is never built (dry runs).

const projects = new Map();

function projectFor(root, tool, sc, n) {
  const kind = sc.op === 'dry' ? 'fresh' : 'main';
  const key = `${tool}|${sc.workload}|${n}|${kind}`;
  let p = projects.get(key);
  if (p) return p;
  const writer = WORKLOADS[sc.workload]?.[tool];
  const dir = join(root, `${tool}-${sc.workload}-${n}-${kind}`);
  p = { dir, tool, n, built: false, error: null, na: !writer };
  if (writer) {
    mkdirSync(dir, { recursive: true });
    writer(dir, n);
  }
  projects.set(key, p);
  return p;
}

/** Removes outputs and the tool's own state. */
function reset(p, keepState = false) {
  for (const f of ['out', ...(keepState ? [] : TOOLS[p.tool].state)]) rmSync(join(p.dir, f), { recursive: true, force: true });
}

/** Files under out/ and their newest mtime. */
function snapshot(dir) {
  let files = 0;
  let newest = 0;
  const walk = (d) => {
    let ents;
    try {
      ents = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      const f = join(d, e.name);
      if (e.isDirectory()) walk(f);
      else {
        files++;
        newest = Math.max(newest, statSync(f).mtimeMs);
      }
    }
  };
  walk(join(dir, 'out'));
  return { files, newest };
}

function expectedOutputs(sc, n) {
  return n * WORKLOADS[sc.workload].jobsPerChunk;
}

function failure(r) {
  if (r.timedOut) return 'timed out';
  const lines = r.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  // Prefer a line that says what went wrong over a usage dump.
  const msg = (lines.find((l) => /error|cannot|not found|unknown|missing|fail/i.test(l)) ?? lines[0] ?? '').replace(/^(dax: )?(error:\s*)?/i, '');
  const code = r.code != null ? `exit ${r.code}` : r.signal ? `signal ${r.signal}` : 'could not start';
  return `error: ${code}${msg ? `: ${msg.slice(0, 110)}` : ''}`;
}

let current = null; // the running child, for SIGINT

async function run(argv, p, o) {
  return measure(argv, { cwd: p.dir, method: o.rssMethod, timeoutMs: o.timeout * 1000, onSpawn: (c) => (current = c) });
}

/** Makes sure a 'main' project is fully built (setup, not reported). */
async function ensureBuilt(p, sc, o) {
  if (p.built || p.error) return;
  reset(p);
  log(`  setup: ${p.tool} full build of ${fmtInt(p.n)} chunks ...`);
  const r = await run(TOOLS[p.tool].ops.full(o), p, o);
  if (!r.ok) {
    p.error = `setup ${failure(r)}`;
    return;
  }
  const s = snapshot(p.dir);
  if (s.files !== expectedOutputs(sc, p.n)) p.error = `setup built ${s.files}/${expectedOutputs(sc, p.n)} outputs`;
  else p.built = true;
  log(`  setup: ${p.tool} done in ${fmtMs(r.wallMs)}`);
}

/** Runs one scenario for all tools; returns { tool: result }. */
async function runScenario(sc, o, root) {
  const n = o.quick ? Math.max(1, Math.round(sc.chunks / 10)) : sc.chunks;
  const repeats = sc.repeats ?? (sc.op === 'full' ? o.fullRuns : o.runs);
  const label = sc.label(n);
  log(`\n== ${label}`);
  const res = {};
  const live = [];
  for (const tool of o.tools) {
    if (o.missing[tool]) {
      res[tool] = { ok: false, skipped: true, error: 'skipped: not installed' };
      continue;
    }
    const argv = sc.command ? sc.command(tool, o, n) : TOOLS[tool].ops[sc.op]?.(o);
    const p = projectFor(root, tool, sc, n);
    if (!argv || p.na) {
      res[tool] = { ok: false, na: true, error: 'n/a' };
      continue;
    }
    if (sc.op === 'noop') await ensureBuilt(p, sc, o);
    if (p.error) {
      res[tool] = { ok: false, error: p.error };
      log(`  ${tool}: ${p.error}`);
      continue;
    }
    res[tool] = { ok: true, runs: [], warn: null, argv };
    live.push({ tool, p, argv });
  }
  // Repeats are interleaved across tools so that background noise hits them alike.
  for (let i = 0; i < repeats; i++) {
    for (const { tool, p, argv } of live) {
      const cell = res[tool];
      if (!cell.ok || cell.slow) continue;
      let before = null;
      if (sc.op === 'full' || sc.op === 'dry') reset(p, sc.keepState);
      if (sc.op === 'noop') before = snapshot(p.dir);
      const r = await run(argv, p, o);
      if (!r.ok) {
        Object.assign(cell, { ok: false, error: failure(r) });
        if (sc.op === 'full') p.built = false;
        log(`  ${tool}: ${cell.error}`);
        continue;
      }
      cell.runs.push({ wallMs: r.wallMs, rssKiB: r.rssKiB, cpuS: r.cpuS });
      // A run slower than 30 s is not repeated: its median would not say more, and it costs minutes.
      if (r.wallMs > 30_000 && i + 1 < repeats) cell.slow = true;
      // Checks, outside the timed region.
      const after = snapshot(p.dir);
      if (sc.op === 'full') {
        const want = expectedOutputs(sc, n);
        p.built = after.files === want;
        if (!p.built) cell.warn = `built ${after.files}/${want} outputs`;
      } else if (sc.op === 'noop') {
        if (after.files !== before.files || after.newest !== before.newest) cell.warn = 'rebuilt outputs';
      } else if (sc.op === 'dry' && after.files > 0) {
        cell.warn = `dry run wrote ${after.files} files under out/`;
      }
      log(`  ${tool} run ${i + 1}/${repeats}: ${fmtMs(r.wallMs)}${r.rssKiB ? `, ${fmtKiB(r.rssKiB)}` : ''}${cell.warn ? ` (${cell.warn})` : ''}`);
    }
  }
  for (const { tool } of live) {
    const c = res[tool];
    if (c.ok) {
      c.wallMs = median(c.runs.map((x) => x.wallMs));
      const rss = c.runs.map((x) => x.rssKiB).filter((x) => x != null);
      c.rssKiB = rss.length ? Math.max(...rss) : null;
      const cpu = c.runs.map((x) => x.cpuS).filter((x) => x != null);
      c.cpuS = cpu.length === c.runs.length && cpu.length > 0 ? median(cpu) : null;
    }
  }
  return { id: sc.id, label, n, repeats, op: sc.op, rss: sc.rss, results: res };
}

// ---------------------------------------------------------------------------------------------
// Machine info and report

function machineInfo(o) {
  const cpus = os.cpus();
  const info = [
    ['nproc', `${capture(['nproc']) ?? os.availableParallelism()}${cpus[0] ? ` (${cpus[0].model.trim()})` : ''}`],
    ['memory', `${Math.round(os.totalmem() / 2 ** 30)} GiB`],
    ['load average at start', os.loadavg().map((x) => x.toFixed(2)).join(' ')],
    ['node', process.version],
  ];
  for (const t of o.tools) info.push([t, o.missing[t] ? `missing (${o.missing[t]})` : (TOOLS[t].version() ?? 'unknown version')]);
  const rev = firstLine(capture(['git', '-C', REPO, 'rev-parse', '--short', 'HEAD']));
  if (rev) info.push(['dax commit', rev]);
  info.push(['peak RSS method', describeRssMethod(o.rssMethod)]);
  return info;
}

function render(o, info) {
  const out = [];
  out.push(`## dax engine benchmark${o.quick ? ' (--quick: N/10 chunks)' : ''}`, '');
  for (const [k, v] of info) out.push(`- ${k}: ${v}`);
  out.push('');
  const tools = o.tools;
  const vs = tools.includes('dax') ? ['ninja', 'make'].filter((t) => tools.includes(t)) : [];
  out.push(`| scenario | ${tools.join(' | ')} |${vs.map((t) => ` dax/${t} |`).join('')}`);
  out.push(`|---|${tools.map(() => '---:').join('|')}|${vs.map(() => '---:|').join('')}`);
  for (const s of o.done) {
    const wallLabel = `${s.label}${s.repeats > 1 ? `, median of ${s.repeats}` : ''}`;
    const r = s.results;
    const q = (f) => vs.map((t) => ` ${r.dax?.ok && r[t]?.ok && f(r.dax) && f(r[t]) ? fmtRatio(f(r.dax) / f(r[t])) : '–'} |`).join('');
    const cells = tools.map((t) => {
      const c = r[t];
      if (!c.ok) return cellText(c.error);
      const once = c.runs.length < s.repeats ? ` (${c.runs.length} run: slow)` : '';
      return cellText(`${fmtMs(c.wallMs)}${once}${c.warn ? ` ⚠ ${c.warn}` : ''}`);
    });
    out.push(`| ${wallLabel} | ${cells.join(' | ')} |${q((c) => c.wallMs)}`);
    // A full build keeps every core busy: its wall time follows the CPU the tool and its jobs take.
    if (s.op === 'full' && tools.every((t) => !r[t].ok || r[t].cpuS != null)) {
      const cc = tools.map((t) => (r[t].ok ? `${r[t].cpuS.toFixed(2)} s` : '–'));
      out.push(`| CPU (user + sys, the tool and its jobs), ${s.label.replace(/^./, (c) => c.toLowerCase())} | ${cc.join(' | ')} |${q((c) => c.cpuS)}`);
    }
    if (s.rss || o.rssAll) {
      const rc = tools.map((t) => (r[t].ok ? (r[t].rssKiB != null ? fmtKiB(r[t].rssKiB) : '–') : cellText(r[t].error)));
      out.push(`| peak RSS, ${s.label.replace(/^./, (c) => c.toLowerCase())} | ${rc.join(' | ')} |${q((c) => c.rssKiB)}`);
    }
  }
  out.push('');
  out.push(
    `Wall time: median of ${o.runs} runs for no-op and dry run, ${o.fullRuns} run${o.fullRuns > 1 ? 's' : ''} for full builds ` +
      '(outputs and tool state deleted before each). MB = 10^6 bytes. stdout of every command goes to /dev/null.',
  );
  out.push(
    `Commands (in each tool's own fresh project directory): ` +
      Object.entries(TOOLS)
        .filter(([t]) => tools.includes(t))
        .map(([t, d]) => {
          const s = (argv) => [d.show, ...argv.slice(t === 'dax' ? 2 : 1)].join(' ');
          return `${t}: full \`${s(d.ops.full(o))}\`, no-op \`${s(d.ops.noop(o))}\`, dry run \`${s(d.ops.dry(o))}\``;
        })
        .join('; ') +
      '.',
  );
  out.push('');
  out.push(`### Goals${o.quick ? ' (--quick: measured at N/10 chunks, indicative only)' : ''}`, '');
  for (const g of GOALS) {
    const s = o.done.find((d) => d.id === g.scenario);
    let verdict;
    if (!s) verdict = { met: null, why: `scenario '${g.scenario}' not run` };
    else verdict = g.check(s.results);
    const word = verdict.met === true ? 'met' : verdict.met === false ? 'NOT MET' : 'not evaluated';
    out.push(`- ${g.text}: **${word}** — ${verdict.why}`);
  }
  out.push('');
  if (o.notes.length) {
    out.push('Notes:');
    for (const n of o.notes) out.push(`- ${n}`);
    out.push('');
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------

function newestMtime(dir, ext) {
  let newest = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const f = join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (f.endsWith(ext)) newest = Math.max(newest, statSync(f).mtimeMs);
    }
  };
  try {
    walk(dir);
  } catch {
    /* none */
  }
  return newest;
}

async function main() {
  const t0 = Date.now();
  const o = parseArgs(process.argv.slice(2));
  o.notes = [];
  const envNote = benchEnv();
  if (envNote) o.notes.push(`${envNote}.`);
  o.missing = {};
  o.done = [];
  for (const t of o.tools) {
    const why = TOOLS[t].available();
    if (why) {
      o.missing[t] = why;
      o.notes.push(`${t} skipped: ${why}.`);
    }
  }
  if (o.tools.includes('dax')) {
    if (o.build) {
      log('npm run build ...');
      const b = spawnSync('npm', ['run', 'build'], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] });
      if (b.status !== 0) o.notes.push('`npm run build` failed: dax measured from the existing dist/.');
    }
    const distMain = join(REPO, 'dist', 'cli', 'main.js');
    const distTime = existsSync(distMain) ? statSync(distMain).mtimeMs : 0;
    if (!distTime) o.notes.push('dist/ is not built (`npm run build`): dax cannot run.');
    else if (newestMtime(join(REPO, 'src'), '.ts') > newestMtime(join(REPO, 'dist'), '.js')) {
      o.notes.push('some src/ files are newer than dist/: dax was measured from the last build (use --build).');
    }
  }
  const forced = o.rssMethod != null;
  o.rssMethod ??= detectRssMethod();
  if (!forced && o.rssMethod !== 'gnu-time') o.notes.push('GNU time not found (`apt-get install time`): peak RSS polled from /proc.');
  if (o.quick) o.notes.push('--quick: every scenario at 1/10 of its chunks; the goals are defined at full size.');
  const info = machineInfo(o);

  const selected = SCENARIOS.filter((s) => (o.scenarios ? o.scenarios.includes(s.id) : s.default || o.all));
  const root = join(WORK, `run-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  mkdirSync(root, { recursive: true });
  const cleanup = () => {
    if (o.keep) {
      log(`kept ${relative(process.cwd(), root) || root}`);
      return;
    }
    rmSync(root, { recursive: true, force: true });
    try {
      rmdirSync(WORK); // only when no other run is using it
    } catch {
      /* not empty */
    }
  };
  process.on('SIGINT', () => {
    if (current?.pid) {
      try {
        process.kill(-current.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
    cleanup();
    process.exit(130);
  });

  try {
    for (const sc of selected) o.done.push(await runScenario(sc, o, root));
  } finally {
    cleanup();
  }
  o.notes.push(`the whole benchmark took ${fmtMs(Date.now() - t0)} (setup builds included).`);
  const report = render(o, info);
  process.stdout.write(`\n${report}`);
  if (o.json) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(o.json, JSON.stringify({ machine: Object.fromEntries(info), quick: o.quick, scenarios: o.done }, null, 2));
  }
}

main().catch((e) => {
  process.stderr.write(`bench: ${e?.stack ?? e}\n`);
  process.exit(1);
});
