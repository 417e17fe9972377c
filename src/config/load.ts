// Daxfile loading: find the file → parse YAML with positions → includes → schema validation →
// merge → typed Config (model.ts) → static checks. Schema and static-check errors come all at
// once (the first carries the rest, in file order); the others stop loading at the first.
import { parseSize } from '../util/size.js';
import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { LOCAL_WORKER, type Config, type ConfigError, type DomainSpec, type EachSpec, type InputSpec, type Loc, type RuleSpec, type RunSpec, type Template, type Var, type WildcardSpec } from './model.js';
import type { Daxfile, Rule, Wildcard } from './daxfile.types.js';
import { err, ok, type Result } from '../util/result.js';
import { keyString, readSource, type KeyPath, type SourceFile } from './yaml-source.js';
import { validateSource, type FileKind } from './validate.js';
import { parseDuration } from './duration.js';
import { resolveVars } from './vars.js';
import { configErrors, formatLoc } from './errors.js';
import { checkConfig, type RuleSource } from './checks.js';
import { daxfilePath } from './cache.js';
import { checkPins, workerSpecs } from './workers.js';
import { workspaceDir } from './workspace.js';

export { formatConfigError } from './errors.js';
export { parseSets } from './vars.js';

export interface LoadOptions {
  cwd: string;
  /** -C DIR */
  directory?: string;
  /** -f FILE (relative to DIR when both are given, as make does) */
  file?: string;
  /** --set NAME=VALUE, already split (see parseSets) */
  sets: Record<string, string>;
  env: NodeJS.ProcessEnv;
}


/** Keys of a rule that RuleSpec models; any other key goes to `extra`. */
const MODELLED = new Set(['output', 'input', 'run', 'task', 'resources', 'retries', 'timeout', 'cwd', 'env', 'supersedes', 'check', 'description', 'outputs', 'workers']);

export function loadConfig(opts: LoadOptions): Result<Config, ConfigError> {
  const daxfile = daxfilePath(opts);
  if (!existsSync(daxfile)) {
    return err({
      message: `no Daxfile: ${daxfile} does not exist`,
      hint: opts.file ? 'check the path given to -f' : 'run dax in a project directory, or pass -C DIR or -f FILE',
    });
  }
  if (statSync(daxfile).isDirectory()) {
    return err({ message: `${daxfile} is a directory, not a Daxfile`, hint: `pass -C ${daxfile} instead` });
  }
  const projectDir = path.dirname(daxfile);

  const loaded: SourceFile[] = []; // post-order: a file after everything it includes
  const tree = loadTree(daxfile, 'root', [], new Set(), loaded, opts.cwd);
  if (!tree.ok) return tree;
  const root = loaded[loaded.length - 1]!;
  const files = new Map(loaded.map((s) => [s.path, s]));

  // Merge in order: a later file (and the including file, which comes after its includes) wins
  // for vars, limits and wildcards; a rule defined twice is an error.
  const fileVars: Record<string, Var> = {};
  const limits: Record<string, number> = {};
  let minFree = 0;
  const limitLocs: Record<string, Loc> = {};
  const wildcards: Record<string, WildcardSpec> = {};
  const wildcardSources: Record<string, SourceFile> = {};
  const rules: RuleSpec[] = [];
  const ruleSources: RuleSource[] = [];
  const ruleByName = new Map<string, RuleSpec>();
  // Errors of the merge step, all of them: a user fixes them in one go.
  const problems: ConfigError[] = [];
  for (const src of loaded) {
    const d = src.data as Partial<Daxfile>;
    for (const [name, value] of Object.entries(d.vars ?? {})) {
      fileVars[name] = { value, baseDir: src.dir, loc: src.locate(['vars', name]) };
    }
    for (const [name, n] of Object.entries(d.limits ?? {})) {
      if (n === undefined) continue;
      if (name === 'min_free') {
        const size = parseSize(n);
        if (size.ok) minFree = size.value;
        else problems.push({ loc: src.locateValue(['limits', name]), key: 'limits.min_free', message: size.error, hint: 'write e.g. min_free: 10G' });
        continue;
      }
      limits[name] = n as number; // the schema: an integer for every pool but min_free
      limitLocs[name] = src.locate(['limits', name]);
    }
    for (const [name, w] of Object.entries(d.wildcards ?? {})) {
      const spec = wildcardSpec(src, name, w);
      if (!spec.ok) {
        problems.push(spec.error);
        continue;
      }
      wildcards[name] = spec.value;
      wildcardSources[name] = src;
    }
    for (const [name, raw] of Object.entries(d.rules ?? {})) {
      const loc = src.locate(['rules', name]);
      const prev = ruleByName.get(name);
      if (prev) {
        problems.push({
          loc,
          key: `rules.${name}`,
          message: `rule '${name}' is defined twice: here and at ${formatLoc(prev.loc, opts.cwd)}`,
          hint: 'rename one of them; rule names are global across included files',
        });
        continue;
      }
      const spec = ruleSpec(src, name, raw, loc);
      if (!spec.ok) {
        problems.push(spec.error);
        continue;
      }
      rules.push(spec.value);
      ruleByName.set(name, spec.value);
      ruleSources.push({ spec: spec.value, src, raw });
    }
  }

  const merged = configErrors(problems);
  if (merged) return err(merged);

  const rootRaw = root.data as Partial<Daxfile>;
  if (rootRaw.rules === undefined && rootRaw.include === undefined) {
    // The schema cannot say "rules, unless an include brings them": checked here.
    return err({ loc: { file: daxfile, line: 1, col: 1 }, key: 'rules', message: "missing required key 'rules'", hint: 'add rules: (NAME -> rule), or include a rule library that has them' });
  }
  // The acquisitions' workspace is a var every rule can use: the Daxfile's `workspace:` (or
  // the default), under $DATAROOT when set; --workspace reaches here as --set workspace=DIR.
  const rootWs = (root.data as Partial<Daxfile>).workspace;
  if (fileVars['workspace'] === undefined) {
    fileVars['workspace'] = { value: workspaceDir(rootWs, opts.env['DATAROOT'], projectDir), baseDir: projectDir };
  }
  // limits.min_free in bytes, for the tasks that wait for space themselves (acquisitions).
  fileVars['min_free'] ??= { value: String(minFree), baseDir: projectDir };
  const vars = resolveVars(fileVars, opts.sets, opts.env, projectDir);
  if (!vars.ok) return vars;
  const wsVar = vars.value['workspace']!;
  const workspace = path.resolve(wsVar.baseDir, String(wsVar.value));
  wsVar.value = workspace;

  const hosts = workerSpecs(root, rules);
  if (!hosts.ok) return hosts;
  const pinned = checkPins(rules, hosts.value.workers, hosts.value.local);
  if (pinned) return err(pinned);

  const rootData = root.data as Daxfile;
  const targets: Template[] = (rootData.targets ?? []).map((text, i) => ({ text, loc: root.locateValue(['targets', i]) }));

  const config: Config = {
    projectDir,
    daxfile,
    files: loaded.map((s) => s.path),
    vars: vars.value,
    limits,
    limitLocs,
    minFree,
    wildcards,
    rules,
    targets,
    report: [...(rootData.report ?? [])],
    workers: hosts.value.workers,
    local: hosts.value.local,
    workspace,
    // A workspace elsewhere is reached through a symlink in the project (paths stay project-relative).
    allowOutside: [...(rootData.allow_outside ?? []).map((p) => path.resolve(projectDir, p)), ...outside(workspace, projectDir)],
    warnings: loaded.flatMap((s) => s.warnings),
    locate(file: string, keyPath: Array<string | number>): Loc {
      const src = files.get(file);
      return src ? src.locate(keyPath) : { file, line: 1, col: 1 };
    },
  };
  const checked = checkConfig(config, ruleSources, wildcardSources, root);
  if (checked) return err(checked);
  return ok(config);
}

/** The workspace's real directory when it is not inside the project. */
function outside(workspace: string, projectDir: string): string[] {
  let real = workspace;
  try {
    real = realpathSync(workspace);
  } catch {
    /* not made yet */
  }
  const rel = path.relative(realpathSync(projectDir), real);
  return rel.startsWith('..') || path.isAbsolute(rel) ? [real] : [];
}

function canonical(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** Reads `file` and, depth first in order, what it includes; pushes each file after its includes. */
function loadTree(
  file: string,
  kind: FileKind,
  stack: string[],
  seen: Set<string>,
  out: SourceFile[],
  cwd: string,
  from?: { loc: Loc; key: string },
): Result<void, ConfigError> {
  const real = canonical(file);
  // A file included twice through different paths (a diamond) is read once.
  if (seen.has(real)) return ok(undefined);
  // An empty rule library is harmless; an empty Daxfile lacks version and rules.
  const read = readSource(file, from, kind === 'include' ? {} : undefined);
  if (!read.ok) return read;
  const src = read.value;
  const problems = validateSource(src, kind);
  const problem = configErrors(problems);
  if (problem) return err(problem);
  seen.add(real);
  const inner = [...stack, real];
  const inc = (src.data as Partial<Daxfile>).include;
  const list = inc === undefined ? [] : typeof inc === 'string' ? [inc] : inc;
  for (let i = 0; i < list.length; i++) {
    const keyPath: KeyPath = typeof inc === 'string' ? ['include'] : ['include', i];
    const child = path.resolve(src.dir, list[i]!);
    const loc = src.locateValue(keyPath);
    const childReal = canonical(child);
    const at = inner.indexOf(childReal);
    if (at >= 0) {
      const cycle = [...inner.slice(at), childReal].map((f) => path.relative(cwd, f) || f).join(' -> ');
      return err({ loc, key: keyString(keyPath), message: `include cycle: ${cycle}`, hint: 'remove one of the includes' });
    }
    const r = loadTree(child, 'include', inner, seen, out, cwd, { loc, key: keyString(keyPath) });
    if (!r.ok) return r;
  }
  out.push(src);
  return ok(undefined);
}

function wildcardSpec(src: SourceFile, name: string, w: Wildcard): Result<WildcardSpec, ConfigError> {
  const base = ['wildcards', name];
  const domains = Object.keys(w).filter((k) => k !== 'pattern' && k !== 'allow_empty');
  if (domains.length > 1) {
    return err({
      loc: src.locate([...base, domains[1]!]),
      key: keyString([...base, domains[1]!]),
      message: `wildcard '${name}' has more than one domain (${domains.join(', ')}); expected at most one of: values, file, glob, chunks, ids`,
    });
  }
  const spec: WildcardSpec = { name, allowEmpty: w.allow_empty === true, loc: src.locate(base) };
  if (w.pattern !== undefined) spec.pattern = w.pattern;
  const key = domains[0];
  if (key !== undefined) {
    const loc = src.locate([...base, key]);
    let domain: DomainSpec;
    if (key === 'values') domain = { kind: 'values', values: (w.values ?? []).map(String), loc };
    else if (key === 'file') domain = { kind: 'file', path: path.resolve(src.dir, w.file ?? ''), loc };
    else if (key === 'glob') domain = { kind: 'glob', template: { text: w.glob ?? '', loc: src.locateValue([...base, key]) }, baseDir: src.dir, loc };
    else domain = { kind: 'plugin', name: key, spec: (w as Record<string, unknown>)[key], baseDir: src.dir, loc };
    spec.domain = domain;
  }
  return ok(spec);
}

function templates(src: SourceFile, base: KeyPath, v: string | string[] | undefined): Template[] {
  if (v === undefined) return [];
  if (typeof v === 'string') return [{ text: v, loc: src.locateValue(base) }];
  return v.map((text, i) => ({ text, loc: src.locateValue([...base, i]) }));
}

function inputSpecs(src: SourceFile, base: KeyPath, v: Rule['input']): InputSpec[] {
  if (v === undefined) return [];
  if (typeof v === 'string') return [{ kind: 'path', template: { text: v, loc: src.locateValue(base) }, each: [] }];
  return v.map((item, i): InputSpec => {
    const at = [...base, i];
    if (typeof item === 'string') return { kind: 'path', template: { text: item, loc: src.locateValue(at) }, each: [] };
    const each: EachSpec[] = Object.entries(item.each ?? {}).map(([name, call]) => ({
      name,
      fn: String(call[0]),
      args: call.slice(1).map((a, k) => ({ text: String(a), loc: src.locateValue([...at, 'each', name, k + 1]) })),
      loc: src.locate([...at, 'each', name]),
    }));
    if (item.path !== undefined) return { kind: 'path', template: { text: item.path, loc: src.locateValue([...at, 'path']) }, each };
    if (item.glob !== undefined) return { kind: 'glob', template: { text: item.glob, loc: src.locateValue([...at, 'glob']) }, each };
    const alts = item.any ?? [];
    return { kind: 'any', templates: alts.map((text, k) => ({ text, loc: src.locateValue([...at, 'any', k]) })), build: item.build ?? 0, each, loc: src.locate(at) };
  });
}

function ruleSpec(src: SourceFile, name: string, raw: Rule, loc: Loc): Result<RuleSpec, ConfigError> {
  const base = ['rules', name];
  let run: RunSpec | undefined;
  if (typeof raw.run === 'string') run = { kind: 'shell', text: raw.run, loc: src.locateValue([...base, 'run']) };
  else if (Array.isArray(raw.run)) run = { kind: 'argv', args: [...raw.run], loc: src.locateValue([...base, 'run']) };
  if (raw.task !== undefined) {
    const at = src.locateValue([...base, 'task']);
    if (run) return err({ loc: at, key: keyString([...base, 'task']), message: `rule '${name}' has both run: and task:`, hint: 'a rule runs a command (run:) or one of dax\'s tasks (task:): keep one' });
    const onlyLocal = raw.workers === undefined || raw.workers.every((w) => w === LOCAL_WORKER);
    if (!onlyLocal) return err({ loc: src.locateValue([...base, 'workers']), key: keyString([...base, 'workers']), message: `rule '${name}' runs a task, which runs inside dax on this machine`, hint: `remove workers:, or write workers: [${LOCAL_WORKER}]` });
    run = { kind: 'task', name: raw.task[0], args: raw.task.slice(1), loc: at };
  }

  let timeout: number | undefined;
  if (raw.timeout !== undefined) {
    const t = parseDuration(raw.timeout);
    if (!t.ok) {
      const p = [...base, 'timeout'];
      return err({ loc: src.locate(p), key: keyString(p), message: t.error, hint: 'write e.g. timeout: 600, timeout: 10m or timeout: 1h30m' });
    }
    timeout = t.value;
  }

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw.env ?? {})) env[k] = String(v);

  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (!MODELLED.has(k)) extra[k] = v;

  const spec: RuleSpec = {
    name,
    loc,
    dir: src.dir,
    outputs: templates(src, [...base, 'output'], raw.output),
    inputs: inputSpecs(src, [...base, 'input'], raw.input),
    supersedes: templates(src, [...base, 'supersedes'], raw.supersedes),
    // Every job holds one `jobs` unit unless it asks for more, so --jobs bounds all jobs.
    resources: { jobs: 1, ...(raw.resources ?? {}) },
    retries: raw.retries ?? 0,
    env,
    extra,
  };
  if (run) spec.run = run;
  if (timeout !== undefined) spec.timeout = timeout;
  if (raw.check !== undefined) spec.check = { name: raw.check, loc: src.locateValue([...base, 'check']) };
  if (raw.description !== undefined) spec.description = raw.description;
  if (raw.outputs === 'atomic') {
    if (raw.cwd !== undefined) return err({ loc: src.locateValue([...base, 'outputs']), key: `rules.${name}.outputs`, message: 'outputs: atomic runs the command in a directory of its own, so it cannot have a cwd', hint: 'remove cwd:, or write the outputs through {output} instead' });
    spec.atomicOutputs = true;
  }
  if (raw.workers !== undefined) spec.workers = { names: [...raw.workers], loc: src.locateValue([...base, 'workers']) };
  // A task runs inside dax: on this machine, never on a worker host.
  else if (run?.kind === 'task') spec.workers = { names: [LOCAL_WORKER], loc: run.loc };
  if (raw.cwd !== undefined) spec.cwd = { text: raw.cwd, loc: src.locateValue([...base, 'cwd']) };
  return ok(spec);
}
