// `dax workers`: whether each SSH worker can take jobs: it connects (its host key known), its
// workdir is writable, the commands its rules start are there, how much disk is free, and
// which agent its sessions run (dax's own is installed on the way, as a run would).
import type { Config, RuleSpec, WorkerSpec } from '../../config/model.js';
import { shellQuote as q } from '../../graph/quote.js';
import { SshConnection } from './connection.js';
import type { AgentKind } from './agent.js';
import { installAgent } from './install.js';

export interface WorkerCheck {
  worker: string;
  host: string;
  connect: string; // 'ok' or why not
  workdir: string; // 'writable' or why not
  missing: string[]; // commands not found on the host
  freeBytes: number | undefined;
  /** The agent a run's sessions start there ('-' when it cannot be told). */
  agent: AgentKind | '-';
  usable: boolean;
}

/** The program a rule's command starts: its first word, vars filled in (none for a
 * placeholder or a relative path, which only the job's directory gives meaning to). */
export function programOf(rule: RuleSpec, config: Config): string | undefined {
  const run = rule.run;
  if (!run) return undefined;
  const text = (run.kind === 'shell' ? run.text : run.args[0] ?? '').replace(/\{vars\.([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name: string) => {
    const v = config.vars[name]?.value;
    return v === undefined ? m : Array.isArray(v) ? v.join(' ') : String(v);
  });
  const first = /^\s*(\S+)/.exec(text)?.[1];
  if (!first || first.includes('{') || (first.includes('/') && !first.startsWith('/'))) return undefined;
  return first;
}

/** The programs the rules that may run on `w` start, and rsync when files are copied. */
export function programsFor(w: WorkerSpec, config: Config): string[] {
  const names = new Set<string>();
  for (const r of config.rules) {
    if (r.workers && !r.workers.names.includes(w.name)) continue;
    const p = programOf(r, config);
    if (p) names.add(p);
  }
  if (!w.sharedFs) names.add('rsync');
  return [...names].sort();
}

export async function checkWorker(w: WorkerSpec, config: Config): Promise<WorkerCheck> {
  const conn = new SshConnection(w.ssh);
  const result: WorkerCheck = { worker: w.name, host: w.ssh, connect: 'ok', workdir: '-', missing: [], freeBytes: undefined, agent: '-', usable: false };
  try {
    const m = await conn.open();
    if (!m.ok) return { ...result, connect: m.error };
    const programs = programsFor(w, config);
    const r = await conn.run(
      [
        `d=${q(w.workdir)}`,
        'if mkdir -p "$d" 2>/dev/null && t="$d/.dax-probe.$$" && : > "$t" 2>/dev/null && rm -f "$t"; then echo "workdir writable"; else echo "workdir not-writable"; fi',
        ...programs.map((p) => `command -v ${q(p)} >/dev/null 2>&1 || echo "missing ${p}"`),
        'echo "free $(df -Pk "$d" 2>/dev/null | awk \'NR==2 {print $4}\')"',
        'command -v perl >/dev/null 2>&1 && echo "have perl"',
      ].join('\n') + '\n',
    );
    if (!r.ok) return { ...result, connect: r.error };
    const out = r.value.stdout;
    result.workdir = /^workdir writable$/m.test(out) ? 'writable' : `cannot write to ${w.workdir}`;
    result.missing = [...out.matchAll(/^missing (.*)$/gm)].map((x) => x[1]!);
    const free = /^free (\d+)$/m.exec(out)?.[1];
    result.freeBytes = free === undefined ? undefined : Number(free) * 1024;
    result.usable = result.workdir === 'writable' && result.missing.length === 0;
    const native = w.agent === 'auto' && result.workdir === 'writable' && (await installAgent(conn, w.workdir)) !== undefined;
    result.agent = native ? 'native' : w.agent !== 'sh' && /^have perl$/m.test(out) ? 'perl' : 'sh';
    return result;
  } finally {
    await conn.close();
  }
}
