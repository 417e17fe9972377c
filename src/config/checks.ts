// Static checks that need neither the filesystem nor the graph: placeholders, wildcard sets,
// patterns, resources. Each rule's first problem is reported, with its file:line:col and key.
import type { Config, ConfigError, RuleSpec } from './model.js';
import type { Rule } from './daxfile.types.js';
import { keyString, type KeyPath, type SourceFile } from './yaml-source.js';
import { parseTemplate, wildcardNames, type Token } from './template.js';
import { compileWildcardPattern } from './pattern.js';
import { closest, didYouMean } from './suggest.js';
import { configErrors } from './errors.js';
import { ENV_PREFIX } from './vars.js';

export interface RuleSource {
  spec: RuleSpec;
  src: SourceFile;
  raw: Rule;
}

type Where = { src: SourceFile; path: KeyPath };

const problem = (w: Where, message: string, hint?: string): ConfigError => ({
  loc: w.src.locateValue(w.path),
  key: keyString(w.path),
  message,
  hint,
});

/** What a template may refer to where it is used. */
interface Scope {
  vars: ReadonlySet<string>;
  /** Wildcards allowed; undefined = any (outputs define them, targets are checked later). */
  wildcards?: ReadonlySet<string>;
  /** Describes where the wildcards come from, for messages. */
  wildcardOrigin?: string;
  /** Whether {input}/{output} may be used, and how many of each there are. */
  io?: { inputs: number; outputs: number };
  /** Name of this kind of template, for messages ("an output"). */
  what: string;
}

function checkTemplate(text: string, w: Where, scope: Scope): { error?: ConfigError; tokens: Token[] } {
  const parsed = parseTemplate(text);
  if (!parsed.ok) return { error: problem(w, parsed.error), tokens: [] };
  for (const t of parsed.value) {
    switch (t.kind) {
      case 'text':
        break;
      case 'var':
        if (!scope.vars.has(t.name)) {
          return {
            error: problem(
              w,
              `{vars.${t.name}} is not defined`,
              didYouMean(t.name, [...scope.vars]) ?? `define '${t.name}' under vars: (or set ${ENV_PREFIX}${t.name} in the environment)`,
            ),
            tokens: [],
          };
        }
        break;
      case 'wildcard':
        if (scope.wildcards && !scope.wildcards.has(t.name)) {
          const msg =
            scope.what === 'an input'
              ? `wildcard {${t.name}} is not in the rule's outputs (${scope.wildcardOrigin})`
              : `placeholder {${t.name}} is not a wildcard of the rule's outputs (${scope.wildcardOrigin})`;
          const hint =
            scope.what === 'an input'
              ? 'an input may use only the wildcards of its outputs; add the wildcard to the outputs or fix the name'
              : `use {vars.${t.name}} for a variable, {input}/{output} for paths, or {{${t.name}}} for literal braces`;
          return { error: problem(w, msg, nearPlaceholder(t.name, scope) ?? hint), tokens: [] };
        }
        break;
      case 'input':
      case 'output': {
        const name = t.index === undefined ? t.kind : `${t.kind}[${t.index}]`;
        if (!scope.io) {
          return { error: problem(w, `{${name}} cannot be used in ${scope.what}; it is allowed only in run, env and cwd`), tokens: [] };
        }
        const count = t.kind === 'input' ? scope.io.inputs : scope.io.outputs;
        if (t.index !== undefined && t.index >= count) {
          return {
            error: problem(
              w,
              `{${name}} is out of range: the rule has ${count} ${t.kind}${count === 1 ? '' : 's'}${count > 0 ? ` ({${t.kind}[0]}..{${t.kind}[${count - 1}]})` : ''}`,
            ),
            tokens: [],
          };
        }
        break;
      }
      default: {
        const never: never = t;
        throw new Error(`unexpected token ${JSON.stringify(never)}`);
      }
    }
  }
  return { tokens: parsed.value };
}

/** "did you mean {input}?" for a placeholder that is none of those in scope ({inputs}). */
function nearPlaceholder(name: string, scope: Scope): string | undefined {
  const wildcards = [...(scope.wildcards ?? [])];
  const names = [...wildcards, ...(scope.io ? ['input', 'output'] : [])];
  const near = closest(name, names);
  if (near !== undefined) return `did you mean {${near}}?`;
  if (scope.vars.has(name)) return `did you mean {vars.${name}}?`;
  const v = closest(name, [...scope.vars]);
  return v === undefined ? undefined : `did you mean {vars.${v}}?`;
}

/** The key path of item i of a string-or-list key. */
function itemPath(base: KeyPath, raw: unknown, i: number): KeyPath {
  return Array.isArray(raw) ? [...base, i] : base;
}

function checkRule(r: RuleSource, config: Config, vars: ReadonlySet<string>): ConfigError | undefined {
  const { spec, src, raw } = r;
  const base = ['rules', spec.name];

  if (spec.outputs.length === 0) {
    return problem({ src, path: [...base, 'output'] }, 'expected at least one output, got an empty list', 'a rule makes files: name them under output');
  }
  // Outputs: all carry the same wildcards; they define the rule's wildcards.
  let outSet: Set<string> | undefined;
  let firstOut = '';
  for (let i = 0; i < spec.outputs.length; i++) {
    const w = { src, path: itemPath([...base, 'output'], raw.output, i) };
    const c = checkTemplate(spec.outputs[i]!.text, w, { vars, what: 'an output' });
    if (c.error) return c.error;
    const names = new Set(wildcardNames(c.tokens));
    if (!outSet) {
      outSet = names;
      firstOut = spec.outputs[i]!.text;
    } else if (names.size !== outSet.size || [...names].some((n) => !outSet!.has(n))) {
      const show = (s: Set<string>): string => (s.size ? [...s].map((n) => `{${n}}`).join(', ') : 'none');
      return problem(
        w,
        `output ${JSON.stringify(spec.outputs[i]!.text)} has wildcards ${show(names)} but ${JSON.stringify(firstOut)} has ${show(outSet)}; all outputs of a rule carry the same wildcards`,
        'a job is one set of wildcard values: every output must be determined by the same values',
      );
    }
  }
  const wildcards = outSet ?? new Set<string>();
  const origin = spec.outputs.map((t) => t.text).join(', ');

  const BUILTIN_FUNCTIONS = ['domain'];
  let inputCount = 0;
  for (let i = 0; i < spec.inputs.length; i++) {
    const entry = spec.inputs[i]!;
    const at = itemPath([...base, 'input'], raw.input, i);
    const w = { src, path: at };
    const rawItem = Array.isArray(raw.input) ? raw.input[i] : undefined;
    if (rawItem !== undefined && typeof rawItem !== 'string' && [rawItem.path, rawItem.glob, rawItem.any].filter((k) => k !== undefined).length !== 1) {
      return problem(w, 'an input set needs exactly one of path: (one path pattern), glob: (every file a glob matches) or any: (alternatives)', 'write e.g. { path: out/{n}.csv, each: { n: [domain, chunk] } }, { glob: raw/*.fits } or { any: [a.csv, b.csv] }');
    }
    // Names bound by `each` may be used in this entry's paths, besides the outputs' wildcards.
    const scoped = new Set(wildcards);
    for (const e of entry.each) {
      const ew = { src, path: [...at, 'each', e.name] };
      if (wildcards.has(e.name)) return problem(ew, `each: {${e.name}} is already a wildcard of the rule's outputs (${origin})`, 'pick another name for the expanded value');
      if (e.fn.trim() === '') return problem(ew, 'each: expected [function, args...], got an empty function name', `functions: ${BUILTIN_FUNCTIONS.join(', ')} and those of plugins (neighbours, neighbourhood)`);
      if (e.fn === 'domain' && (e.args.length !== 1 || !config.wildcards[e.args[0]!.text]?.domain)) {
        return problem(ew, `each: [domain, NAME] needs one argument naming a wildcard with a domain${e.args[0] ? `; {${e.args[0].text}} has none` : ''}`, 'declare the wildcard with values:, file: or a chunk set');
      }
      for (let k = 0; k < e.args.length; k++) {
        const c = checkTemplate(e.args[k]!.text, { src, path: [...at, 'each', e.name, k + 1] }, { vars, wildcards, wildcardOrigin: origin, what: 'an input' });
        if (c.error) return c.error;
      }
      scoped.add(e.name);
    }
    const texts = entry.kind === 'any' ? entry.templates.map((t) => t.text) : [entry.template.text];
    for (let k = 0; k < texts.length; k++) {
      const plain = typeof raw.input === 'string' || typeof (raw.input as unknown[])[i] === 'string';
      const tw = entry.kind === 'any' ? { src, path: [...at, 'any', k] } : plain ? w : { src, path: [...at, entry.kind] };
      const c = checkTemplate(texts[k]!, tw, { vars, wildcards: scoped, wildcardOrigin: origin, what: 'an input' });
      if (c.error) return c.error;
    }
    if (entry.kind === 'any' && entry.build >= entry.templates.length) {
      return problem({ src, path: [...at, 'build'] }, `build: ${entry.build} is not an index into any (0..${entry.templates.length - 1})`);
    }
    inputCount = entry.each.length > 0 || inputCount < 0 ? -1 : inputCount + 1;
  }
  for (let i = 0; i < spec.supersedes.length; i++) {
    const w = { src, path: itemPath([...base, 'supersedes'], raw.supersedes, i) };
    const c = checkTemplate(spec.supersedes[i]!.text, w, { vars, wildcards, wildcardOrigin: origin, what: 'an input' });
    if (c.error) return c.error;
  }

  // With `each`, the number of inputs is known only per job: indexes are not checked then.
  const io = { inputs: inputCount < 0 ? Number.MAX_SAFE_INTEGER : inputCount, outputs: spec.outputs.length };
  const cmdScope: Scope = { vars, wildcards, wildcardOrigin: origin, io, what: 'a command' };
  if (spec.run) {
    const texts = spec.run.kind === 'shell' ? [spec.run.text] : spec.run.args;
    for (let i = 0; i < texts.length; i++) {
      const w = { src, path: spec.run.kind === 'shell' ? [...base, 'run'] : [...base, 'run', i] };
      const c = checkTemplate(texts[i]!, w, cmdScope);
      if (c.error) return c.error;
    }
  }
  for (const [k, v] of Object.entries(spec.env)) {
    const c = checkTemplate(v, { src, path: [...base, 'env', k] }, { ...cmdScope, what: 'env' });
    if (c.error) return c.error;
  }
  if (spec.cwd) {
    const c = checkTemplate(spec.cwd.text, { src, path: [...base, 'cwd'] }, { ...cmdScope, what: 'cwd' });
    if (c.error) return c.error;
  }

  for (const [pool, n] of Object.entries(spec.resources)) {
    const w = { src, path: [...base, 'resources', pool] };
    const limit = config.limits[pool];
    if (limit === undefined) {
      if (pool === 'jobs') continue; // --jobs or the CPU count bounds it
      const pools = Object.keys(config.limits);
      return problem(
        w,
        `resource '${pool}' is not a pool in limits${pools.length ? ` (pools: ${pools.join(', ')})` : ''}`,
        didYouMean(pool, pools) ?? `add it under limits:, e.g. limits: { ${pool}: 2 }`,
      );
    }
    if (limit > 0 && n > limit) {
      return problem(w, `the rule asks for ${n} of '${pool}' but the pool's limit is ${limit}; its jobs could never start`, `lower the request or raise limits.${pool}`);
    }
  }
  return undefined;
}

/** A glob domain names its own wildcard, where the value is read from, and no other. */
function checkGlobDomain(name: string, text: string, w: Where, vars: ReadonlySet<string>): ConfigError | undefined {
  const c = checkTemplate(text, w, { vars, what: 'a glob domain' });
  if (c.error) return c.error;
  const names = wildcardNames(c.tokens);
  const other = names.find((n) => n !== name);
  if (other !== undefined) return problem(w, `a glob domain may use only its own wildcard {${name}}, not {${other}}`, `write the other parts literally, e.g. glob: 'data/raw/{${name}}.fastq'`);
  if (names.length === 0) return problem(w, `the glob domain of {${name}} does not contain {${name}}: it is where each file's value is read from`, `write e.g. glob: 'data/raw/{${name}}.fastq'`);
  return undefined;
}

export function checkConfig(
  config: Config,
  rules: readonly RuleSource[],
  wildcardSources: Readonly<Record<string, SourceFile>>,
  root: SourceFile,
): ConfigError | undefined {
  const found: ConfigError[] = [];
  const vars = new Set(Object.keys(config.vars));
  for (const [name, w] of Object.entries(config.wildcards)) {
    const src = wildcardSources[name]!;
    if (w.domain?.kind === 'glob') {
      const e = checkGlobDomain(name, w.domain.template.text, { src, path: ['wildcards', name, 'glob'] }, vars);
      if (e) found.push(e);
    }
    let re: RegExp | undefined;
    if (w.pattern !== undefined) {
      const c = compileWildcardPattern(w.pattern);
      if (!c.ok) {
        found.push(problem({ src, path: ['wildcards', name, 'pattern'] }, c.error));
        continue;
      }
      re = c.value;
    }
    if (re && w.domain?.kind === 'values') {
      const bad = w.domain.values.findIndex((v) => !re.test(v));
      if (bad >= 0) {
        found.push(
          problem(
            { src, path: ['wildcards', name, 'values', bad] },
            `value ${JSON.stringify(w.domain.values[bad])} does not match the wildcard's pattern ${w.pattern}`,
          ),
        );
      }
    }
  }
  for (const r of rules) {
    const e = checkRule(r, config, vars);
    if (e) found.push(e);
  }
  // A report wildcard must exist: declared under wildcards, or a wildcard of some rule's outputs.
  const known = new Set(Object.keys(config.wildcards));
  for (const r of rules) for (const o of r.spec.outputs) {
    const t = parseTemplate(o.text);
    if (t.ok) for (const n of wildcardNames(t.value)) known.add(n);
  }
  config.report.forEach((name, i) => {
    if (known.has(name)) return;
    found.push(problem({ src: root, path: ['report', i] }, `{${name}} is not a wildcard of this Daxfile (wildcards: ${[...known].sort().join(', ') || 'none'})`, didYouMean(name, [...known]) ?? 'name a wildcard declared under wildcards: or used in a rule output'));
  });
  config.targets.forEach((t, i) => {
    // Targets may use any wildcard (the engine expands them); vars must exist.
    const c = checkTemplate(t.text, { src: root, path: ['targets', i] }, { vars, what: 'a target' });
    if (c.error) found.push(c.error);
  });
  // In file order (files in load order); the first carries the rest.
  const order = new Map(config.files.map((f, i) => [f, i]));
  found.sort((a, b) => {
    const fa = order.get(a.loc?.file ?? '') ?? 0;
    const fb = order.get(b.loc?.file ?? '') ?? 0;
    return fa - fb || (a.loc?.line ?? 0) - (b.loc?.line ?? 0) || (a.loc?.col ?? 0) - (b.loc?.col ?? 0);
  });
  return configErrors(found);
}
