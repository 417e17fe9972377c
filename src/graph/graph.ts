// Builds the job DAG from targets, back through the rules that make each input.
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Template } from '../config/model.js';
import { parseTemplate } from '../config/template.js';
import type { Domains } from './domains.js';
import type { Job } from './job.js';
import { isSafeValue, type Part, PathPattern, DEFAULT_WILDCARD_PATTERN } from './pattern.js';
import type { Pipeline } from './pipeline.js';
import type { PlanError, Rule } from './rule.js';
import { err, ok, type Result } from '../util/result.js';

export interface Graph {
  jobs: Job[]; // topological: every job after the jobs it depends on
  targets: Job[];
  /** Inputs no rule makes; they exist (checked while planning). */
  sources: Set<string>;
  byId: Map<string, Job>;
}

const MAX_DEPTH = 200;

/** A target as given: a path or pattern relative to the project, or a rule name. */
export interface TargetRequest {
  text: string;
  template?: Template; // when it came from the Daxfile
}

export function buildGraph(pipeline: Pipeline, domains: Domains, targets: TargetRequest[]): Result<Graph, PlanError> {
  const b = new Builder(pipeline);
  const targetJobs: Job[] = [];
  const seen = new Set<Job>();
  for (const t of targets) {
    const ex = expandTarget(pipeline, domains, t);
    if (!ex.ok) return ex;
    for (const item of ex.value) {
      const j = typeof item === 'string' ? b.jobFor(item, undefined, undefined, 0) : b.jobForValues(item.rule, item.values, undefined, 0);
      if (!j.ok) return j;
      if (j.value === undefined) {
        const p = item as string;
        if (!exists(path.join(pipeline.config.projectDir, p))) {
          return err({
            loc: t.template?.loc,
            message: `nothing makes target ${p}: no rule's output matches it and it is not a file`,
            hint: `check the target, or add a rule whose output pattern matches it (rules: ${pipeline.rules.map((r) => r.name).join(', ') || 'none'})`,
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
  return ok({ jobs: b.order, targets: targetJobs, sources: b.sources, byId: b.jobs });
}

function exists(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false }) !== undefined;
}

/** A target path, or a job given directly by rule and values (no path matching needed). */
type Expanded = string | { rule: Rule; values: Record<string, string> };

function expandTarget(pipeline: Pipeline, domains: Domains, t: TargetRequest): Result<Expanded[], PlanError> {
  const rule = pipeline.byName.get(t.text);
  let pattern: PathPattern;
  if (rule) {
    pattern = rule.outputs[0]!;
  } else {
    const tk = parseTemplate(t.text);
    if (!tk.ok) return err({ loc: t.template?.loc, message: `target '${t.text}': ${tk.error}` });
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
          const v = pipeline.config.vars[tok.name];
          if (!v || Array.isArray(v.value)) return err({ loc: t.template?.loc, message: `target '${t.text}': {vars.${tok.name}} is not a defined scalar var` });
          parts.push(String(v.value));
          break;
        }
        case 'input':
        case 'output':
          return err({ loc: t.template?.loc, message: `target '${t.text}': {${tok.kind}} has no meaning in a target` });
      }
    }
    const p = PathPattern.create(parts, '', (n) => pipeline.config.wildcards[n]?.pattern ?? DEFAULT_WILDCARD_PATTERN);
    if (!(p instanceof PathPattern)) return err({ loc: t.template?.loc, message: `target '${t.text}': ${p.message}` });
    pattern = p;
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
  readonly jobs = new Map<string, Job>();
  readonly order: Job[] = [];
  readonly sources = new Set<string>();
  private readonly visiting = new Map<Job, Job | undefined>(); // job -> the job that needed it

  constructor(private readonly pipeline: Pipeline) {}

  /** The job making `p` (creating it and its dependencies), or undefined for a source file. */
  jobFor(p: string, known: Rule | undefined, needer: Job | undefined, depth: number): Result<Job | undefined, PlanError> {
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
    return this.jobForValues(rule, values, needer, depth, p);
  }

  jobForValues(rule: Rule, values: Record<string, string>, needer: Job | undefined, depth: number, p?: string): Result<Job, PlanError> {
    const id = rule.jobId(values);
    const existing = this.jobs.get(id);
    if (existing) {
      if (this.visiting.has(existing)) return err(this.cycleError(existing, needer));
      return ok(existing);
    }
    if (depth > MAX_DEPTH) {
      return err({ loc: rule.spec.loc, message: `dependency chain deeper than ${MAX_DEPTH} at ${p ?? rule.outputs[0]!.render(values)} (rule '${rule.name}')`, hint: 'a rule probably matches its own inputs; constrain its wildcards with pattern:' });
    }
    for (const name of rule.wildcards) {
      const v = values[name]!;
      if (!isSafeValue(v)) return err({ loc: rule.spec.loc, message: `wildcard value '${v}' of {${name}} for rule '${rule.name}' is not allowed in a path`, hint: 'values may not be empty, "." or ".." or absolute' });
    }
    const outputs = rule.outputs.map((o) => o.render(values));
    const inputs = rule.inputs.map((i) => i.render(values));
    const job: Job = { index: -1, id, rule, values, outputs, inputs, deps: [], dependents: [] };
    this.jobs.set(id, job);
    this.visiting.set(job, needer);
    for (const input of inputs) {
      const dep = this.jobFor(input, undefined, job, depth + 1);
      if (!dep.ok) return dep;
      if (dep.value === undefined) {
        if (!this.sources.has(input)) {
          if (!exists(path.join(this.pipeline.config.projectDir, input))) {
            return err({
              loc: rule.spec.loc,
              key: `rules.${rule.name}.input`,
              message: `input ${input} of job ${id} does not exist and no rule makes it`,
              hint: 'create the file, fix the input path, or add a rule that makes it',
            });
          }
          this.sources.add(input);
        }
      } else if (!job.deps.includes(dep.value)) {
        job.deps.push(dep.value);
        dep.value.dependents.push(job);
      }
    }
    this.visiting.delete(job);
    job.index = this.order.length;
    this.order.push(job);
    return ok(job);
  }

  private cycleError(repeat: Job, needer: Job | undefined): PlanError {
    const chain: string[] = [repeat.id];
    let j = needer;
    while (j && j !== repeat) {
      chain.push(j.id);
      j = this.visiting.get(j);
    }
    chain.push(repeat.id);
    chain.reverse();
    return {
      loc: repeat.rule.spec.loc,
      message: `dependency cycle: ${chain.join(' -> ')}`,
      hint: 'a job cannot depend on its own output; check the inputs of these rules',
    };
  }
}
