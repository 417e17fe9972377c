// A Rule: a RuleSpec compiled for fast matching and rendering of its jobs.
import path from 'node:path';
import { hash53 } from '../util/hash.js';
import type { Config, ConfigError, Loc, RuleSpec, Template, Var } from '../config/model.js';
import { parseTemplate, type Token } from '../config/template.js';
import { DEFAULT_WILDCARD_PATTERN, PathPattern, type Part } from './pattern.js';
import { shellQuote } from './quote.js';
import { formatJobName } from './jobname.js';
import { err, ok, type Result } from '../util/result.js';
import { didYouMean } from '../config/suggest.js';

/** A command piece: literal text, a wildcard, or the job's inputs/outputs. */
type CmdPart =
  | { kind: 'text'; text: string }
  | { kind: 'wildcard'; name: string }
  | { kind: 'input' | 'output'; index?: number }
  | { kind: 'list'; items: string[] }; // a list var: spread like {input}

/** `each: NAME: [fn, args...]`, compiled: args render with the job's values. */
export interface CompiledEach {
  name: string;
  fn: string;
  args: CmdPart[][];
}

/** An input entry, compiled: one path, or alternatives; either maybe repeated by `each`. */
export type CompiledInput =
  | { kind: 'path'; pattern: PathPattern; each: CompiledEach[] }
  | { kind: 'glob'; pattern: PathPattern; each: CompiledEach[] }
  | { kind: 'any'; patterns: PathPattern[]; build: number; each: CompiledEach[] };

export interface RenderedCommand {
  /** For display and for the journal's command hash. */
  display: string;
  shell: boolean;
  argv: string[]; // ['/bin/sh','-c',cmd] for a shell command; a task's arguments
  /** A task plugin's name: `argv` are its arguments, run inside dax (no process). */
  task?: string;
}

export class Rule {
  readonly wildcards: string[];
  readonly resourceList: Array<[string, number]>;
  /** Set when every input is one plain path: the common case, rendered without ceremony. */
  readonly plainInputs: PathPattern[] | undefined;

  private constructor(
    readonly spec: RuleSpec,
    readonly outputs: PathPattern[],
    readonly inputs: CompiledInput[],
    readonly supersedes: PathPattern[],
    private readonly command: { shell: boolean; parts: CmdPart[][]; task?: string } | undefined,
    private readonly env: Array<[string, CmdPart[]]>,
    readonly cwd: PathPattern | undefined,
  ) {
    this.wildcards = outputs[0]?.wildcards ?? [];
    this.resourceList = Object.entries(spec.resources);
    this.plainInputs = inputs.every((i) => i.kind === 'path' && i.each.length === 0)
      ? inputs.map((i) => (i as { pattern: PathPattern }).pattern)
      : undefined;
  }

  /** Renders the arguments of an `each` function for a job. */
  renderEachArgs(e: CompiledEach, values: Record<string, string>): string[] {
    return e.args.map((parts) => renderPlain(parts, values, [], []));
  }

  get name(): string {
    return this.spec.name;
  }

  /** The name of the output check to run on every output, if any (known to be registered). */
  get check(): string | undefined {
    return this.spec.check?.name;
  }

  get description(): string | undefined {
    return this.spec.description;
  }

  /** `outputs: atomic`: the command runs in a job directory; its outputs are moved in on success. */
  get atomicOutputs(): boolean {
    return this.spec.atomicOutputs === true;
  }

  /** `checks`, `tasks`: the names of the registered output checks and tasks; others are errors. */
  static compile(spec: RuleSpec, config: Config, checks: ReadonlySet<string>, tasks: ReadonlySet<string> = new Set()): Result<Rule, ConfigError> {
    const projectDir = config.projectDir;
    if (spec.check && !checks.has(spec.check.name)) {
      const known = [...checks].sort();
      return err({
        loc: spec.check.loc,
        key: `rules.${spec.name}.check`,
        message: `unknown check '${spec.check.name}'; known checks: ${known.join(', ') || 'none'}`,
        hint: didYouMean(spec.check.name, known) ?? 'use one of the known checks, or remove check:',
      });
    }
    const constraint = (name: string): string => config.wildcards[name]?.pattern ?? DEFAULT_WILDCARD_PATTERN;
    const paths = (list: Template[], key: string): Result<PathPattern[], ConfigError> => {
      const out: PathPattern[] = [];
      for (const [i, t] of list.entries()) {
        const r = compilePath(t, spec.dir, projectDir, config.vars, constraint);
        if (!r.ok) return err({ ...r.error, key: `rules.${spec.name}.${key}[${i}]` });
        out.push(r.value);
      }
      return ok(out);
    };
    const outputs = paths(spec.outputs, 'output');
    if (!outputs.ok) return outputs;
    const inputs: CompiledInput[] = [];
    for (const [i, entry] of spec.inputs.entries()) {
      const key = `rules.${spec.name}.input[${i}]`;
      const each: CompiledEach[] = [];
      for (const e of entry.each) {
        const args: CmdPart[][] = [];
        for (const a of e.args) {
          const r = compileCommandText(a.text, a.loc, config.vars);
          if (!r.ok) return err({ ...r.error, key });
          args.push(r.value);
        }
        each.push({ name: e.name, fn: e.fn, args });
      }
      const list = entry.kind === 'any' ? entry.templates : [entry.template];
      const pats: PathPattern[] = [];
      for (const t of list) {
        const r = compilePath(t, spec.dir, projectDir, config.vars, constraint);
        if (!r.ok) return err({ ...r.error, key });
        pats.push(r.value);
      }
      inputs.push(entry.kind === 'any' ? { kind: 'any', patterns: pats, build: entry.build, each } : { kind: entry.kind, pattern: pats[0]!, each });
    }
    const supersedes = paths(spec.supersedes, 'supersedes');
    if (!supersedes.ok) return supersedes;
    let command: { shell: boolean; parts: CmdPart[][]; task?: string } | undefined;
    if (spec.run?.kind === 'task' && !tasks.has(spec.run.name)) {
      const known = [...tasks].sort();
      return err({
        loc: spec.run.loc,
        key: `rules.${spec.name}.task`,
        message: `unknown task '${spec.run.name}'; known tasks: ${known.join(', ') || 'none'}`,
        hint: didYouMean(spec.run.name, known) ?? 'use one of the known tasks, or run a command with run:',
      });
    }
    if (spec.run) {
      const texts = spec.run.kind === 'shell' ? [spec.run.text] : spec.run.args;
      const parts: CmdPart[][] = [];
      for (const t of texts) {
        const r = compileCommandText(t, spec.run.loc, config.vars);
        if (!r.ok) return err({ ...r.error, key: `rules.${spec.name}.run` });
        parts.push(r.value);
      }
      command = { shell: spec.run.kind === 'shell', parts, ...(spec.run.kind === 'task' ? { task: spec.run.name } : {}) };
    }
    const env: Array<[string, CmdPart[]]> = [];
    for (const [k, v] of Object.entries(spec.env)) {
      const r = compileCommandText(v, spec.loc, config.vars);
      if (!r.ok) return err({ ...r.error, key: `rules.${spec.name}.env.${k}` });
      env.push([k, r.value]);
    }
    let cwd: PathPattern | undefined;
    if (spec.cwd) {
      const r = compilePath(spec.cwd, spec.dir, projectDir, config.vars, constraint);
      if (!r.ok) return err({ ...r.error, key: `rules.${spec.name}.cwd` });
      cwd = r.value;
    }
    return ok(new Rule(spec, outputs.value, inputs, supersedes.value, command, env, cwd));
  }

  /** A job's id, which is its name: `rule[w1=v1,w2=v2]`, a TARGET a user can paste back. */
  jobId(values: Record<string, string>): string {
    return formatJobName(this.name, this.wildcards, values);
  }

  /** The rendered command for the given values and (possibly temporary) paths. */
  renderCommand(values: Record<string, string>, inputs: string[], outputs: string[]): RenderedCommand | undefined {
    if (!this.command) return undefined;
    if (this.command.shell) {
      const text = renderShell(this.command.parts[0]!, values, inputs, outputs);
      return { display: text, shell: true, argv: plainArgv(text) ?? ['/bin/sh', '-c', text] };
    }
    const argv: string[] = [];
    for (const parts of this.command.parts) {
      const only = parts.length === 1 ? parts[0]! : undefined;
      if (only && (only.kind === 'input' || only.kind === 'output') && only.index === undefined) {
        argv.push(...(only.kind === 'input' ? inputs : outputs));
      } else if (only && only.kind === 'list') {
        argv.push(...only.items);
      } else {
        argv.push(renderPlain(parts, values, inputs, outputs));
      }
    }
    const task = this.command.task;
    if (task !== undefined) return { display: [task, ...argv].map(shellQuote).join(' '), shell: false, argv, task };
    return { display: argv.map(shellQuote).join(' '), shell: false, argv };
  }

  renderEnv(values: Record<string, string>, inputs: string[], outputs: string[]): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, parts] of this.env) env[k] = renderPlain(parts, values, inputs, outputs);
    return env;
  }

  /** A hash of what the job runs: command, env and cwd. A change makes the job rerun. */
  commandHash(values: Record<string, string>, inputs: string[], outputs: string[]): string {
    const cmd = this.renderCommand(values, inputs, outputs);
    // A shell command is hashed by its text: how it is started (see plainArgv) is not what it does.
    let s = cmd ? (cmd.shell ? 's:' + cmd.display : cmd.task !== undefined ? 't:' + cmd.display : 'a:' + cmd.argv.join('\u0000')) : '-';
    if (this.env.length) for (const [k, v] of Object.entries(this.renderEnv(values, inputs, outputs))) s += `\u0001${k}=${v}`;
    if (this.cwd) s += `\u0002${this.cwd.render(values)}`;
    return hash53(s);
  }
}

// Like make: a shell command made only of plain words is run without the shell, saving one
// exec per job. Plain words have no quoting, expansion, redirection or operators, and the first
// is not a shell builtin or keyword (whose meaning differs outside a shell).
const PLAIN = /^[A-Za-z0-9_\-+.,:/@%^ ]+$/;
const SHELL_WORDS = new Set(
  ('. : [ ! { } alias bg break case cd command continue do done echo elif else esac eval exec exit export false fc fg fi for ' +
    'getopts hash if in jobs kill newgrp printf pwd read readonly return set shift test then times trap true type ulimit umask ' +
    'unalias unset until wait while').split(' '),
);

export function plainArgv(text: string): string[] | undefined {
  if (!PLAIN.test(text)) return undefined;
  const words = text.split(' ').filter((w) => w !== '');
  if (words.length === 0 || SHELL_WORDS.has(words[0]!)) return undefined;
  return words;
}

/** Renders command parts; `quote` is shellQuote for a shell command, identity for argv and env. */
function renderParts(parts: CmdPart[], values: Record<string, string>, inputs: string[], outputs: string[], quote: (v: string) => string): string {
  let s = '';
  for (const p of parts) {
    switch (p.kind) {
      case 'text':
        s += p.text;
        break;
      case 'wildcard':
        s += quote(values[p.name]!);
        break;
      case 'input':
      case 'output': {
        const list = p.kind === 'input' ? inputs : outputs;
        s += p.index === undefined ? list.map(quote).join(' ') : quote(list[p.index] ?? '');
        break;
      }
      case 'list':
        s += p.items.map(quote).join(' ');
        break;
    }
  }
  return s;
}

const asIs = (v: string): string => v;
const renderShell = (parts: CmdPart[], values: Record<string, string>, inputs: string[], outputs: string[]): string =>
  renderParts(parts, values, inputs, outputs, shellQuote);
const renderPlain = (parts: CmdPart[], values: Record<string, string>, inputs: string[], outputs: string[]): string =>
  renderParts(parts, values, inputs, outputs, asIs);

function tokens(t: Template): Result<Token[], ConfigError> {
  const r = parseTemplate(t.text);
  if (!r.ok) return err({ loc: t.loc, message: r.error });
  return ok(r.value);
}

function varText(v: Var | undefined, name: string, loc: Loc): Result<string, ConfigError> {
  if (!v) return err({ loc, message: `{vars.${name}} is not defined`, hint: `define it under vars: or pass --set ${name}=VALUE` });
  if (Array.isArray(v.value)) return err({ loc, message: `{vars.${name}} is a list and cannot be used in a path` });
  return ok(String(v.value));
}

/** Compiles a path template: vars substituted, relative to its file (or to the file of a
 * var that starts it), normalized, checked not to escape the project. */
export function compilePath(
  t: Template,
  ruleDir: string,
  projectDir: string,
  vars: Record<string, Var>,
  constraint: (name: string) => string,
): Result<PathPattern, ConfigError> {
  const tk = tokens(t);
  if (!tk.ok) return tk;
  let base = ruleDir;
  const first = tk.value[0];
  if (first && first.kind === 'var') base = vars[first.name]?.baseDir ?? ruleDir;
  const parts: Part[] = [];
  for (const tok of tk.value) {
    switch (tok.kind) {
      case 'text':
        parts.push(tok.text);
        break;
      case 'wildcard':
        parts.push({ wildcard: tok.name });
        break;
      case 'var': {
        const v = varText(vars[tok.name], tok.name, t.loc);
        if (!v.ok) return v;
        parts.push(v.value);
        break;
      }
      case 'input':
      case 'output':
        return err({ loc: t.loc, message: `{${tok.kind}} cannot be used in a path` });
    }
  }
  // Absolute paths are allowed only inside the project: make them project-relative.
  const first0 = parts[0];
  if (typeof first0 === 'string' && path.isAbsolute(first0)) {
    const rel = path.relative(projectDir, first0);
    parts[0] = rel === '' ? '.' : rel;
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      return err({ loc: t.loc, message: `path '${t.text}' is outside the project directory ${projectDir}`, hint: 'keep every input, output, log and cwd inside the project' });
    }
    base = projectDir;
  }
  const baseRel = path.relative(projectDir, base).split(path.sep).join('/');
  const pat = PathPattern.create(parts, baseRel, constraint);
  if (pat instanceof PathPattern) return ok(pat);
  return err({ loc: t.loc, message: pat.message, hint: 'keep every input, output, log and cwd inside the project' });
}

function compileCommandText(text: string, loc: Loc, vars: Record<string, Var>): Result<CmdPart[], ConfigError> {
  const tk = tokens({ text, loc });
  if (!tk.ok) return tk;
  const parts: CmdPart[] = [];
  for (const tok of tk.value) {
    switch (tok.kind) {
      case 'text':
        parts.push({ kind: 'text', text: tok.text });
        break;
      case 'wildcard':
        parts.push({ kind: 'wildcard', name: tok.name });
        break;
      case 'var': {
        const v = vars[tok.name];
        if (!v) return err({ loc, message: `{vars.${tok.name}} is not defined`, hint: `define it under vars: or pass --set ${tok.name}=VALUE` });
        // Var values are the user's own configuration, not data: a scalar is inserted as written
        // so a var may hold options; a list is spread and quoted item by item.
        if (Array.isArray(v.value)) parts.push({ kind: 'list', items: v.value.map(String) });
        else parts.push({ kind: 'text', text: String(v.value) });
        break;
      }
      case 'input':
      case 'output':
        parts.push({ kind: tok.kind, index: tok.index });
        break;
    }
  }
  return ok(parts);
}
