// What a rule's command is made of, as the journal keeps it: the command and env as written, and
// the values of the vars they use. One record per rule and run (not per job: journals hold 10^6
// records), so that "command changed" can say what changed.
import type { Var, VarValue } from '../config/model.js';
import { parseTemplate } from '../config/template.js';
import type { Rule } from '../graph/rule.js';
import type { CmdRecord } from './records.js';

/** A rule's command print: a CmdRecord without its run. */
export type CmdPrint = Omit<CmdRecord, 't' | 'r'>;

const prints = new WeakMap<Rule, CmdPrint>();

export function cmdPrint(rule: Rule, vars: Readonly<Record<string, Var>>): CmdPrint {
  const hit = prints.get(rule);
  if (hit) return hit;
  const spec = rule.spec;
  const texts: string[] = [];
  const p: CmdPrint = { rule: rule.name, run: spec.run ? (spec.run.kind === 'shell' ? spec.run.text : spec.run.args) : null, vars: {} };
  if (spec.run) texts.push(...(spec.run.kind === 'shell' ? [spec.run.text] : spec.run.args));
  if (Object.keys(spec.env).length) {
    p.env = { ...spec.env };
    texts.push(...Object.values(spec.env));
  }
  if (spec.cwd) {
    p.cwd = spec.cwd.text;
    texts.push(spec.cwd.text);
  }
  for (const t of texts) {
    const tokens = parseTemplate(t);
    if (!tokens.ok) continue;
    for (const tok of tokens.value) if (tok.kind === 'var' && vars[tok.name]) p.vars[tok.name] = vars[tok.name]!.value;
  }
  prints.set(rule, p);
  return p;
}

const changes = new WeakMap<CmdRecord, { now: CmdPrint; lines: string[] }>();

/** What differs between the print a job last ran with and the rule's print now: lines like
 * `var generate: 'node gen.mjs' -> 'sh slow.sh'`. Empty when the record says nothing (an old
 * journal, or a difference in the rendered paths only). */
export function cmdChanges(before: CmdRecord | undefined, now: CmdPrint): string[] {
  if (!before) return [];
  const hit = changes.get(before);
  if (hit && hit.now === now) return hit.lines;
  const lines: string[] = [];
  const was = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  for (const name of new Set([...Object.keys(before.vars), ...Object.keys(now.vars)])) {
    const a = before.vars[name];
    const b = now.vars[name];
    if (!was(a, b)) lines.push(`var ${name}: ${show(a)} -> ${show(b)}`);
  }
  if (!was(before.run, now.run)) lines.push(`run: ${show(before.run)} -> ${show(now.run)}`);
  const envA = before.env ?? {};
  const envB = now.env ?? {};
  for (const k of new Set([...Object.keys(envA), ...Object.keys(envB)])) {
    if (envA[k] !== envB[k]) lines.push(`env ${k}: ${show(envA[k])} -> ${show(envB[k])}`);
  }
  if (before.cwd !== now.cwd) lines.push(`cwd: ${show(before.cwd)} -> ${show(now.cwd)}`);
  changes.set(before, { now, lines });
  return lines;
}

function show(v: VarValue | string[] | null | undefined): string {
  if (v === undefined || v === null) return '(none)';
  if (Array.isArray(v)) return `[${v.map((x) => show(x)).join(', ')}]`;
  const s = String(v);
  const short = s.length > 60 ? `${s.slice(0, 57)}...` : s;
  return `'${short.replace(/\n/g, '\\n')}'`;
}
