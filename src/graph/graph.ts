// Builds the job DAG from targets, back through the rules that make each input.
import { statSync } from 'node:fs';
import path from 'node:path';
import type { ConfigError, Template } from '../config/model.js';
import type { Domains } from './domains.js';
import { Job } from './job.js';
import { isSafeValue, pathTooLong, PathPattern, DEFAULT_WILDCARD_PATTERN, shorten } from './pattern.js';
import type { Pipeline } from './pipeline.js';
import { compilePath, type CompiledEach, type Rule } from './rule.js';
import { err, ok, type Result } from '../util/result.js';
import { closest } from '../config/suggest.js';
import { globFiles, renderGlob, watchDirs } from './glob.js';
import { Containment } from './contain.js';
import { formatJobName, parseJobName } from './jobname.js';
import { didYouMean } from '../config/suggest.js';

export interface Graph {
  jobs: Job[]; // topological: every job after the jobs it depends on
  targets: Job[];
  /** Inputs no rule makes; they exist (checked while planning). */
  sources: Set<string>;
  /** Alternatives passed over because they did not exist: if one appears, the choice changes. */
  absent: Set<string>;
  /** Directories (project-relative) whose entries decide what glob inputs match. */
  watched: Set<string>;
  /** Jobs with an input that does not exist and that no rule makes (only with `allowMissing`),
   * each with the first such input. Their dependents cannot run either: see blockedJobs. */
  blocked: Map<Job, MissingInput>;
}

/** An input no rule makes and that is not there: the job cannot run until it is. */
export interface MissingInput {
  input: string;
  /** The job it is missing for (a dependency, for the dependents of a blocked job). */
  job: Job;
  /** Where the job's wildcard values came from, for the user to trace the path back. */
  origin: string;
}

export interface BuildOptions {
  /** A missing source file blocks the jobs that need it instead of failing the whole plan
   * (`dax status`, `dax run -k`). */
  allowMissing?: boolean;
}

// Most jobs have no deps or no dependents: one shared empty array instead of one each. Frozen, so
// a late push is a loud bug rather than a change every job would see.
const NONE: never[] = Object.freeze([]) as unknown as never[];

const MAX_DEPTH = 200;

/** A target as given: a path or pattern relative to the project, or a rule name. */
export interface TargetRequest {
  text: string;
  template?: Template; // when it came from the Daxfile
}

export function buildGraph(pipeline: Pipeline, domains: Domains, targets: TargetRequest[], opts: BuildOptions = {}): Result<Graph, ConfigError> {
  const b = new Builder(pipeline, domains, opts.allowMissing === true);
  const targetJobs: Job[] = [];
  const seen = new Set<Job>();
  for (const t of targets) {
    const ex = expandTarget(pipeline, domains, t);
    if (!ex.ok) return ex;
    for (const item of ex.value) {
      const tooLong = typeof item === 'string' ? pathTooLong(item) : undefined;
      if (tooLong) return err({ loc: t.template?.loc, message: `target '${shorten(item as string)}' ${tooLong}`, hint: 'shorten the path' });
      const j = typeof item === 'string' ? b.jobFor(item, undefined, 0) : b.jobForValues(item.rule, item.values, 0);
      if (!j.ok) return j;
      if (j.value === undefined) {
        const p = item as string;
        if (!exists(path.join(pipeline.config.projectDir, p))) {
          return err({
            loc: t.template?.loc,
            message: `nothing makes target ${p}: no rule's output matches it and it is not a file`,
            hint: nearRule(p, pipeline) ?? `check the target, or add a rule whose output pattern matches it (rules: ${pipeline.rules.map((r) => r.name).join(', ') || 'none'})`,
          });
        }
        continue;
      }
      if (!seen.has(j.value)) {
        seen.add(j.value);
        targetJobs.push(j.value);
      }
    }
  }
  const resolved = b.resolvePending();
  if (!resolved.ok) return resolved;
  if (resolved.value) {
    const r = b.reorder();
    if (!r.ok) return r;
  }
  b.trim();
  return ok({ jobs: b.order, targets: targetJobs, sources: b.sources, absent: b.absent, watched: b.watched, blocked: b.blocked });
}

/** "did you mean the rule 'generate'?" for a target that is a misspelt rule name. */
function nearRule(target: string, pipeline: Pipeline): string | undefined {
  const near = closest(target, pipeline.rules.map((r) => r.name));
  return near === undefined ? undefined : `did you mean the rule '${near}'? (a rule name as a target runs all of its jobs)`;
}

/** What tells a rule's jobs apart: the one value of a rule with one wildcard (no string to
 * make), else the job's name. */
function jobKey(rule: Rule, values: Record<string, string>): string {
  return rule.wildcards.length === 1 ? values[rule.wildcards[0]!]! : rule.jobId(values);
}

/** Whether a job of `rule` with `values` has the very values of `consumer` (gen[c] for ingest[c]):
 * then both share one values object, and its strings. Values are never changed once made. */
function sameValues(rule: Rule, values: Record<string, string>, consumer: Job): boolean {
  if (rule.wildcards.length !== consumer.rule.wildcards.length) return false;
  for (const w of rule.wildcards) if (consumer.values[w] !== values[w]) return false;
  return true;
}

function exists(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false }) !== undefined;
}

/** A target path, or a job given directly by rule and values (no path matching needed). */
type Expanded = string | { rule: Rule; values: Record<string, string> };

/** The job a job name (`gen[n=3]`, or `gen[3]` in wildcard order) names; undefined when the
 * text is not a job name (a path, a pattern or a rule name). */
export function jobByName(pipeline: Pipeline, t: TargetRequest): Result<{ rule: Rule; values: Record<string, string> }, ConfigError> | undefined {
  const parsed = parseJobName(t.text);
  if (!parsed) return undefined;
  const loc = t.template?.loc;
  const labelled = parsed.items.length > 0 && parsed.items.every((i) => i.label !== undefined);
  const rule = pipeline.byName.get(parsed.rule);
  if (!rule) {
    // `data[1]/x` or a file named like a job is a path; `nosuch[n=1]` is a misspelt job.
    if (!labelled || exists(path.join(pipeline.config.projectDir, t.text))) return undefined;
    const names = pipeline.rules.map((r) => r.name);
    return err({ loc, message: `no job ${t.text}: there is no rule '${parsed.rule}'`, hint: didYouMean(parsed.rule, names) ?? `rules: ${names.join(', ') || 'none'} (dax list shows them and their jobs)` });
  }
  const form = formatJobName(rule.name, rule.wildcards, Object.fromEntries(rule.wildcards.map((w) => [w, '…'])));
  const bad = (message: string, hint?: string): Result<never, ConfigError> => err({ loc, message: `job name ${t.text}: ${message}`, hint: hint ?? `write it as ${form}` });
  if (parsed.items.length !== rule.wildcards.length) {
    return bad(rule.wildcards.length === 0 ? `rule '${rule.name}' has no wildcards` : `rule '${rule.name}' has ${rule.wildcards.length} wildcard${rule.wildcards.length > 1 ? 's' : ''} (${rule.wildcards.join(', ')}), not ${parsed.items.length}`, rule.wildcards.length === 0 ? `write it as ${rule.name}` : undefined);
  }
  const values: Record<string, string> = {};
  if (labelled) {
    for (const { label, value } of parsed.items) {
      if (!rule.wildcards.includes(label!)) return bad(`rule '${rule.name}' has no wildcard '${label}'`, didYouMean(label!, rule.wildcards) ?? `its wildcards: ${rule.wildcards.join(', ')}`);
      if (label! in values) return bad(`'${label}' is given twice`);
      values[label!] = value;
    }
  } else {
    if (parsed.items.some((i) => i.label !== undefined) && rule.wildcards.length > 1) return bad('label every value, or none');
    rule.wildcards.forEach((w, k) => (values[w] = parsed.items[k]!.label !== undefined ? `${parsed.items[k]!.label}=${parsed.items[k]!.value}` : parsed.items[k]!.value));
  }
  for (const w of rule.wildcards) {
    if (!isSafeValue(values[w]!)) return bad(`value '${values[w]}' of {${w}} is not allowed in a path`, 'values may not be empty, "." or ".." or absolute');
  }
  // The values must be ones the rule's output pattern can have (each wildcard's pattern:).
  const back = rule.outputs[0]!.match(rule.outputs[0]!.render(values));
  if (!back || rule.wildcards.some((w) => back[w] !== values[w])) {
    return bad(`the values do not fit rule '${rule.name}' (its output ${rule.outputs[0]!.text}, the wildcards' pattern:)`, 'check the values');
  }
  return ok({ rule, values });
}

function expandTarget(pipeline: Pipeline, domains: Domains, t: TargetRequest): Result<Expanded[], ConfigError> {
  const named = jobByName(pipeline, t);
  if (named) return named.ok ? ok([named.value]) : named;
  const rule = pipeline.byName.get(t.text);
  let pattern: PathPattern;
  if (rule) {
    pattern = rule.outputs[0]!;
  } else {
    const config = pipeline.config;
    const where = t.template?.loc ?? { file: config.daxfile, line: 1, col: 1 };
    const p = compilePath({ text: t.text, loc: where }, config.projectDir, config.projectDir, config.vars, (n) => config.wildcards[n]?.pattern ?? DEFAULT_WILDCARD_PATTERN);
    if (!p.ok) return err({ ...p.error, loc: t.template?.loc, message: `target '${t.text}': ${p.error.message}` });
    pattern = p.value;
  }
  const names = pattern.wildcards;
  const lists: string[][] = [];
  for (const n of names) {
    const v = domains.values(n);
    if (!v.ok) return err({ ...v.error, loc: v.error.loc ?? t.template?.loc, message: `target '${t.text}': ${v.error.message}` });
    lists.push(v.value);
  }
  // A target written exactly as a rule's output pattern names that rule's jobs directly.
  const direct = rule ?? pipeline.rules.find((r) => r.outputs[0]!.text === pattern.text);
  const out: Expanded[] = [];
  const values: Record<string, string> = {};
  const walk = (i: number): void => {
    if (i === names.length) {
      out.push(direct && direct.wildcards.length === names.length ? { rule: direct, values: { ...values } } : pattern.render(values));
      return;
    }
    for (const v of lists[i]!) {
      values[names[i]!] = v;
      walk(i + 1);
    }
  };
  walk(0);
  return ok(out);
}

class Builder {
  /** Each rule's jobs by key (jobKey), and all of them in the order they were made. */
  private readonly byRule = new Map<Rule, Map<string, Job>>();
  private readonly made: Job[] = [];
  readonly order: Job[] = [];
  readonly sources = new Set<string>();
  readonly absent = new Set<string>();
  readonly watched = new Set<string>();
  readonly blocked = new Map<Job, MissingInput>();
  /** Inputs found missing (with allowMissing): looked at once. */
  private readonly missing = new Set<string>();
  /** What each rendered glob matched: jobs often share one. */
  private readonly globCache = new Map<string, string[]>();
  /** The jobs being built, outermost first: a job needed again while on it closes a cycle. */
  private readonly stack: Job[] = [];
  private pending: Array<{ job: Job; slot: number; candidates: string[]; build: number; depth: number }> = [];
  private readonly fnCache = new Map<string, string[]>();

  private readonly containment: Containment;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly domains: Domains,
    private readonly allowMissing: boolean,
  ) {
    this.containment = new Containment(pipeline.config.projectDir, pipeline.config.allowOutside);
  }

  /** A path that symlinks take outside the project: an error, unless allow_outside lists the place. */
  private escapes(job: Job, what: 'output' | 'input' | 'cwd', p: string): ConfigError | undefined {
    const why = this.containment.outside(p, what === 'cwd');
    if (why === undefined) return undefined;
    return {
      loc: job.rule.spec.loc,
      key: `rules.${job.rule.name}.${what}`,
      message: `${what} ${p} of job ${shorten(job.id)} is outside the project: ${why}`,
      hint: 'make it a directory inside the project, or list the place under allow_outside: in the Daxfile',
    };
  }

  /** The job making `p` (creating it and its dependencies), or undefined for a source file. */
  jobFor(p: string, known: Rule | undefined, depth: number, consumer?: Job): Result<Job | undefined, ConfigError> {
    let rule = known;
    let values: Record<string, string> | undefined;
    if (rule) values = rule.outputs[0]!.match(p);
    if (!rule || !values) {
      const prod = this.pipeline.producer(p);
      if (!prod.ok) return prod;
      if (!prod.value) return ok(undefined);
      rule = prod.value.rule;
      values = prod.value.values;
    }
    if (consumer && sameValues(rule, values, consumer)) values = consumer.values;
    return this.jobForValues(rule, values, depth, p, consumer);
  }

  jobForValues(rule: Rule, values: Record<string, string>, depth: number, p?: string, consumer?: Job): Result<Job, ConfigError> {
    let jobs = this.byRule.get(rule);
    if (!jobs) this.byRule.set(rule, (jobs = new Map<string, Job>()));
    const key = jobKey(rule, values);
    const existing = jobs.get(key);
    if (existing) {
      if (existing.index === -1) return err(this.cycleError(existing));
      return ok(existing);
    }
    if (depth > MAX_DEPTH) {
      return err({ loc: rule.spec.loc, message: `dependency chain deeper than ${MAX_DEPTH} at ${p ?? rule.outputs[0]!.render(values)} (rule '${rule.name}')`, hint: 'a rule probably matches its own inputs; constrain its wildcards with pattern:' });
    }
    for (const name of rule.wildcards) {
      const v = values[name]!;
      if (!isSafeValue(v)) return err({ loc: rule.spec.loc, message: `wildcard value '${v}' of {${name}} for rule '${rule.name}' is not allowed in a path`, hint: 'values may not be empty, "." or ".." or absolute' });
    }
    // A job whose one input is this job's one output (ingest[c] of gen[c]) shares the array:
    // job arrays are not changed once the graph is built.
    const outputs = rule.outputs.length === 1 && p !== undefined && consumer?.inputs.length === 1 && consumer.inputs[0] === p && consumer.rule.plainInputs
      ? consumer.inputs
      : rule.outputs.map((o) => o.render(values));
    for (const o of outputs) {
      const why = pathTooLong(o);
      if (why) return err({ loc: rule.spec.loc, key: `rules.${rule.name}.output`, message: `output ${shorten(o)} of rule '${rule.name}' ${why}`, hint: 'shorten the output pattern or the wildcard values' });
    }
    // Plain inputs are rendered at once into an array of the exact size (one grown by push has
    // room for 17): with 10^5 jobs that is most of the graph's memory.
    const plain = rule.plainInputs;
    const inputs = plain ? (plain.length ? plain.map((pat) => pat.render(values)) : NONE) : [];
    const job = new Job(rule, values, outputs, inputs, NONE);
    // Shared with the consumer's inputs, the outputs were just checked as those.
    for (let k = 0; k < outputs.length && outputs !== consumer?.inputs; k++) {
      const e = this.escapes(job, 'output', outputs[k]!);
      if (e) return err(e);
    }
    if (rule.cwd) {
      const e = this.escapes(job, 'cwd', rule.cwd.render(values));
      if (e) return err(e);
    }
    jobs.set(key, job);
    this.made.push(job);
    this.stack.push(job);
    if (plain) {
      for (let i = 0; i < inputs.length; i++) {
        const r = this.addInput(job, inputs[i]!, depth, i);
        if (!r.ok) return r;
      }
    } else {
      for (const entry of rule.inputs) {
        const lists = this.eachLists(rule, entry.each, values);
        if (!lists.ok) return lists;
        // One scratch object for every combination: these loops run ~10^6 times in a big plan.
        const combo: Record<string, string> = { ...values };
        const visit = (k: number): Result<void, ConfigError> => {
          if (k < entry.each.length) {
            for (const v of lists.value[k]!) {
              combo[entry.each[k]!.name] = v;
              const r = visit(k + 1);
              if (!r.ok) return r;
            }
            return ok(undefined);
          }
          if (entry.kind === 'path') return this.addInput(job, entry.pattern.render(combo), depth);
          if (entry.kind === 'glob') return this.addGlob(job, renderGlob(entry.pattern, combo), depth);
          // Which alternative to use is decided once every target's jobs are known.
          this.pending.push({ job, slot: job.inputs.length, candidates: entry.patterns.map((pt) => pt.render(combo)), build: entry.build, depth });
          job.inputs.push('');
          return ok(undefined);
        };
        const r = visit(0);
        if (!r.ok) return r;
      }
    }
    this.stack.pop();
    job.index = this.order.length;
    this.order.push(job);
    return ok(job);
  }

  /** Adds an input to a job, and the job that makes it. */
  private addInput(job: Job, input: string, depth: number, slot?: number): Result<void, ConfigError> {
    const why = pathTooLong(input);
    if (why) return err({ loc: job.rule.spec.loc, key: `rules.${job.rule.name}.input`, message: `input ${shorten(input)} of job ${shorten(job.id)} ${why}`, hint: 'shorten the input pattern or the values it uses' });
    const out = this.escapes(job, 'input', input);
    if (out) return err(out);
    if (slot === undefined) job.inputs.push(input);
    else job.inputs[slot] = input;
    const dep = this.jobFor(input, undefined, depth + 1, job);
    if (!dep.ok) return dep;
    // The path is held once: the producer's output string, not a second rendering of it.
    if (dep.value) this.shareOutput(job, slot ?? job.inputs.length - 1, dep.value);
    if (dep.value === undefined) {
      if (!this.sources.has(input)) {
        if (this.missing.has(input) || !exists(path.join(this.pipeline.config.projectDir, input))) {
          const origin = this.origin(job);
          if (!this.allowMissing) {
            return err({
              loc: job.rule.spec.loc,
              key: `rules.${job.rule.name}.input`,
              message: `input ${input} of job ${job.id} does not exist and no rule makes it${origin ? ` (${origin})` : ''}`,
              hint: 'create the file, fix the input path, or add a rule that makes it; dax status and dax run -k show what does not need it',
            });
          }
          // A value with a reason: the plan goes on, and this job (with its dependents) is blocked.
          this.missing.add(input);
          if (!this.blocked.has(job)) this.blocked.set(job, { input, job, origin });
          return ok(undefined);
        }
        this.sources.add(input);
      }
    } else this.link(job, dep.value);
    return ok(undefined);
  }

  /** Where the job's wildcard values came from ('' for a job without wildcards). */
  private origin(job: Job): string {
    return job.rule.wildcards.map((w) => `${w}=${job.values[w]}: ${this.domains.origin(w)}`).join('; ');
  }

  /** Adds every file a glob matches as an input (sorted), and watches what decides the matches. */
  private addGlob(job: Job, glob: string, depth: number): Result<void, ConfigError> {
    let matches = this.globCache.get(glob);
    if (!matches) {
      const projectDir = this.pipeline.config.projectDir;
      matches = globFiles(projectDir, glob);
      this.globCache.set(glob, matches);
      for (const d of watchDirs(projectDir, glob)) this.watched.add(d);
    }
    for (const m of matches) {
      const r = this.addInput(job, m, depth);
      if (!r.ok) return r;
    }
    return ok(undefined);
  }

  private shareOutput(job: Job, slot: number, dep: Job): void {
    const input = job.inputs[slot]!;
    for (const o of dep.outputs) {
      if (o === input) {
        job.inputs[slot] = o;
        return;
      }
    }
  }

  private link(job: Job, dep: Job): void {
    if (job.deps === NONE) job.deps = [dep];
    else if (!job.deps.includes(dep)) job.deps.push(dep);
    else return;
    if (dep.dependents === NONE) dep.dependents = [job];
    else dep.dependents.push(job);
  }

  /** Arrays grown by push keep spare room: copy those to their exact size once the graph is done. */
  trim(): void {
    for (const job of this.order) {
      if (job.inputs.length === 0) job.inputs = NONE;
      else if (!job.rule.plainInputs) job.inputs = job.inputs.slice();
      if (job.deps.length > 1) job.deps = job.deps.slice();
      if (job.dependents.length > 1) job.dependents = job.dependents.slice();
    }
  }

  /** The values of each `each` of an input entry, for one job. */
  private eachLists(rule: Rule, each: CompiledEach[], values: Record<string, string>): Result<string[][], ConfigError> {
    const lists: string[][] = [];
    for (const e of each) {
      const args = rule.renderEachArgs(e, values);
      const key = `${e.fn}\u0000${args.join('\u0000')}`;
      let list = this.fnCache.get(key);
      if (!list) {
        const r = this.callFunction(rule, e.fn, args);
        if (!r.ok) return r;
        for (const v of r.value) {
          if (!isSafeValue(v)) return err({ loc: rule.spec.loc, message: `each ${e.name}: value '${v}' from ${e.fn}(${args.join(', ')}) is not allowed in a path` });
        }
        list = r.value;
        this.fnCache.set(key, list);
      }
      lists.push(list);
    }
    return ok(lists);
  }

  private callFunction(rule: Rule, fn: string, args: string[]): Result<string[], ConfigError> {
    if (fn === 'domain') return this.domains.values(args[0]!);
    const f = this.domains.plugins.functions.get(fn);
    const where = { loc: rule.spec.loc, key: `rules.${rule.name}.input` };
    if (!f) return err({ ...where, message: `unknown function '${fn}' in each`, hint: `functions: domain, ${[...this.domains.plugins.functions.keys()].join(', ')}` });
    const r = f.call(args, { projectDir: this.pipeline.config.projectDir, baseDir: rule.spec.dir, workspace: this.pipeline.config.workspace });
    return r.ok ? r : err({ ...where, message: `${fn}(${args.join(', ')}): ${r.error}` });
  }

  /** Chooses each pending alternative: the first that exists or that a job of this plan makes,
   * else the one to build. Building one may add more pending choices; repeat until none. */
  resolvePending(): Result<boolean, ConfigError> {
    if (this.pending.length === 0) return ok(false);
    // Which planned job makes a path: one map lookup per candidate instead of matching rules.
    const byOutput = new Map<string, Job>();
    for (const job of this.made) for (const o of job.outputs) byOutput.set(o, job);
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      const before = this.made.length;
      for (const p of batch) {
        let chosen: string | undefined;
        let dep: Job | undefined;
        for (const c of p.candidates) {
          dep = byOutput.get(c);
          if (dep || exists(path.join(this.pipeline.config.projectDir, c))) {
            chosen = c;
            break;
          }
          this.absent.add(c);
        }
        if (dep) {
          p.job.inputs[p.slot] = chosen!;
          this.shareOutput(p.job, p.slot, dep);
          this.link(p.job, dep);
          continue;
        }
        const r = this.addInput(p.job, chosen ?? p.candidates[p.build]!, p.depth, p.slot);
        if (!r.ok) return r;
        for (let k = before; k < this.made.length; k++) for (const o of this.made[k]!.outputs) byOutput.set(o, this.made[k]!);
      }
    }
    return ok(true);
  }

  /** Dependencies added after their dependents: order everything again, depth first. */
  reorder(): Result<void, ConfigError> {
    const state = new Map<Job, 1 | 2>();
    const order: Job[] = [];
    for (const root of this.order) {
      if (state.has(root)) continue;
      const stack: Array<[Job, number]> = [[root, 0]];
      state.set(root, 1);
      while (stack.length) {
        const top = stack[stack.length - 1]!;
        const [job, i] = top;
        if (i < job.deps.length) {
          top[1]++;
          const d = job.deps[i]!;
          const st = state.get(d);
          if (st === 1) {
            const cycle = [...stack.slice(stack.findIndex(([j]) => j === d)).map(([j]) => j.id), d.id];
            return err({ loc: d.rule.spec.loc, message: `dependency cycle: ${cycle.join(' -> ')}`, hint: 'a job cannot depend on its own output; check the inputs of these rules' });
          }
          if (st === undefined) {
            state.set(d, 1);
            stack.push([d, 0]);
          }
        } else {
          stack.pop();
          state.set(job, 2);
          job.index = order.length;
          order.push(job);
        }
      }
    }
    // Not splice(...order): a spread of 10^5 arguments overflows the stack.
    this.order.length = 0;
    for (const j of order) this.order.push(j);
    return ok(undefined);
  }

  private cycleError(repeat: Job): ConfigError {
    const chain = this.stack.slice(this.stack.indexOf(repeat)).map((j) => j.id);
    chain.push(repeat.id);
    return {
      loc: repeat.rule.spec.loc,
      message: `dependency cycle: ${chain.join(' -> ')}`,
      hint: 'a job cannot depend on its own output; check the inputs of these rules',
    };
  }
}

/** Every job that cannot run because an input is missing: the graph's blocked jobs and, through
 * them, their dependents (each with the missing input at the root). Empty when nothing is. */
export function blockedJobs(graph: Graph): Map<Job, MissingInput> {
  const out = new Map<Job, MissingInput>();
  if (graph.blocked.size === 0) return out;
  // Topological order: a job's deps are decided before it.
  for (const job of graph.jobs) {
    const own = graph.blocked.get(job);
    if (own) {
      out.set(job, own);
      continue;
    }
    for (const d of job.deps) {
      const m = out.get(d);
      if (m) {
        out.set(job, m);
        break;
      }
    }
  }
  return out;
}
