// The placeholder syntax of paths, commands, env and cwd: {NAME}, {vars.NAME}, {input},
// {output}, {input[i]}, {output[i]}; {{ and }} are literal braces. The engine renders with the
// same tokens, so parses are cached by text (a Daxfile has few distinct templates).
import { err, ok, type Result } from '../util/result.js';

export type Token =
  | { kind: 'text'; text: string }
  | { kind: 'wildcard'; name: string }
  | { kind: 'var'; name: string }
  | { kind: 'input' | 'output'; index?: number };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const VAR = /^vars\.([A-Za-z_][A-Za-z0-9_]*)$/;
const INDEXED = /^(input|output)\[(0|[1-9][0-9]*)\]$/;

const cache = new Map<string, Result<Token[], string>>();
const CACHE_MAX = 50_000;

/** Tokens of a template. The returned arrays are shared and frozen: do not mutate them. */
export function parseTemplate(text: string): Result<Token[], string> {
  const hit = cache.get(text);
  if (hit) return hit;
  const r = tokenize(text);
  if (r.ok) {
    for (const t of r.value) Object.freeze(t);
    Object.freeze(r.value);
  }
  // Templates come from the Daxfile, but the engine may parse rendered strings too: bound it.
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(text, r);
  return r;
}

function tokenize(text: string): Result<Token[], string> {
  const tokens: Token[] = [];
  let buf = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '{') {
      if (text[i + 1] === '{') {
        buf += '{';
        i += 2;
        continue;
      }
      const close = text.indexOf('}', i + 1);
      const open = text.indexOf('{', i + 1);
      if (close < 0 || (open >= 0 && open < close)) {
        return err(`unbalanced '{' at offset ${i} in ${JSON.stringify(text)}; write {{ for a literal brace`);
      }
      const body = text.slice(i + 1, close);
      const tok = placeholder(body);
      if (!tok) {
        return err(
          `invalid placeholder {${body}} in ${JSON.stringify(text)}; ${snakemake(body) ?? 'expected {NAME}, {vars.NAME}, {input}, {output}, {input[i]} or {output[i]} ({{ and }} are literal braces)'}`,
        );
      }
      if (buf !== '') tokens.push({ kind: 'text', text: buf });
      buf = '';
      tokens.push(tok);
      i = close + 1;
    } else if (c === '}') {
      if (text[i + 1] === '}') {
        buf += '}';
        i += 2;
        continue;
      }
      return err(`unbalanced '}' at offset ${i} in ${JSON.stringify(text)}; write }} for a literal brace`);
    } else {
      // Copy the run of plain characters at once.
      let j = i + 1;
      while (j < n && text[j] !== '{' && text[j] !== '}') j++;
      buf += text.slice(i, j);
      i = j;
    }
  }
  if (buf !== '') tokens.push({ kind: 'text', text: buf });
  return ok(tokens);
}

/** What to write instead of Snakemake's placeholder forms. */
function snakemake(body: string): string | undefined {
  const m = /^(wildcards|config|params|input|output)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(body);
  if (!m) return undefined;
  const [, kind, name] = m;
  if (kind === 'wildcards') return `did you mean {${name}}? A Daxfile names wildcards directly (Snakemake's {wildcards.${name}} is {${name}})`;
  if (kind === 'config' || kind === 'params') return `did you mean {vars.${name}}? Values come from vars: (or --set ${name}=VALUE)`;
  return `inputs and outputs have no names in a Daxfile: write {${kind}} for all of them or {${kind}[i]} for one`;
}

function placeholder(body: string): Token | undefined {
  if (body === 'input' || body === 'output') return { kind: body };
  const idx = INDEXED.exec(body);
  if (idx) return { kind: idx[1] as 'input' | 'output', index: Number(idx[2]) };
  const v = VAR.exec(body);
  if (v) return { kind: 'var', name: v[1]! };
  if (NAME.test(body) && body !== 'vars') return { kind: 'wildcard', name: body };
  return undefined;
}

/** The wildcard names a template uses, in order of first use. */
export function wildcardNames(tokens: readonly Token[]): string[] {
  const out: string[] = [];
  for (const t of tokens) if (t.kind === 'wildcard' && !out.includes(t.name)) out.push(t.name);
  return out;
}

/** Writes `text` so that it parses back to itself (for messages and generated templates). */
export function escapeTemplateText(text: string): string {
  return text.replace(/\{/g, '{{').replace(/\}/g, '}}');
}
