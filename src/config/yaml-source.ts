// One parsed YAML file with the position of every node, so that any error found later (schema,
// static checks, the engine) can point at file:line:col.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, visit, type Document, type Node } from 'yaml';
import type { ConfigError, Loc } from './model.js';
import { err, ok, type Result } from '../util/result.js';
import { unreadable } from '../util/ranges.js';

export type KeyPath = ReadonlyArray<string | number>;

export interface SourceFile {
  path: string; // absolute
  dir: string; // absolute
  /** The file's plain data (what the schema validates). */
  data: unknown;
  /** Where the entry at `keyPath` was written: the key of a mapping entry, the item of a
   * list. Falls back to the nearest ancestor that exists. */
  locate(keyPath: KeyPath): Loc;
  /** Where the value at `keyPath` starts (the scalar itself, not its key). */
  locateValue(keyPath: KeyPath): Loc;
  /** What parses but is likely not what was meant. */
  warnings: ConfigError[];
}

/** The trap of a command with ": " in it, written as a plain YAML value. */
export const COLON_HINT = 'in YAML, ": " inside an unquoted value starts a mapping: quote the whole command (run: "echo a: b"), or write run: >- and the command indented on the next lines';

/** A key, then an unquoted value with ": " in it: `run: echo a: b`. */
const PLAIN_WITH_COLON = /^\s*(?:-\s+)?[^\s:#'"][^:#]*:\s+[^\s'"[{|>&*!#][^#]*?:(?:\s|$)/;

export function readSource(file: string, from?: { loc: Loc; key: string }, emptyAs?: unknown): Result<SourceFile, ConfigError> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const why = unreadable(e);
    return err({
      loc: from?.loc,
      key: from?.key,
      message: `cannot read ${file}: ${why}`,
      hint: from ? 'paths in include are relative to the file that includes them' : undefined,
    });
  }
  return parseSource(file, text, emptyAs);
}

export function parseSource(file: string, text: string, emptyAs?: unknown): Result<SourceFile, ConfigError> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: true, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): Loc => {
    const p = lineCounter.linePos(offset);
    // line 0 means the offset precedes every newline seen: the first line.
    return { file, line: Math.max(1, p.line), col: Math.max(1, p.col) };
  };
  const first = doc.errors[0];
  if (first) {
    const loc = at(first.pos[0]);
    const line = text.split('\n')[loc.line - 1] ?? '';
    // The usual traps: ": " in an unquoted command; a placeholder inside a flow list, where {
    // starts a mapping.
    const colon = PLAIN_WITH_COLON.test(line);
    const braces = /\[[^\]]*\{|\{[^}]*\}[^,\]]*[,\]]/.test(line);
    return err({
      loc,
      message: `YAML syntax error: ${firstLine(first.message)}${colon ? ' (the ": " in this unquoted value starts a mapping)' : ''}`,
      hint: colon
        ? COLON_HINT
        : braces
        ? "quote strings with placeholders inside [ ] lists, e.g. output: ['out/{chunk}.csv']"
        : 'fix the YAML syntax (indentation, quoting, a missing ":")',
    });
  }
  const data = toData(doc);
  if (!data.ok) {
    const alias = firstAlias(doc);
    return err({
      loc: at(alias ?? 0),
      message: `YAML aliases expand to more than ${MAX_ALIAS_COUNT} nodes: refused, as a "billion laughs" document would exhaust memory`,
      hint: 'write the values out, or use fewer aliases (*name) of large anchors (&name)',
    });
  }
  const src = makeSource(file, doc, at, data.value);
  src.warnings = commentCuts(doc, at);
  // An empty document (no content, or only comments) parses to null.
  if (src.data === null && emptyAs !== undefined) src.data = emptyAs;
  return ok(src);
}

function firstLine(message: string): string {
  // yaml appends " at line L, column C:" and a code frame; the location is shown separately.
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** How many alias expansions a file may make (yaml's guard against exponential expansion). */
export const MAX_ALIAS_COUNT = 1000;

function toData(doc: Document): Result<unknown, 'aliases'> {
  try {
    return ok(doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown);
  } catch (e) {
    // yaml throws a ReferenceError when aliases expand too much; anything else is a bug.
    if (e instanceof ReferenceError && /alias/i.test(e.message)) return err('aliases');
    throw e;
  }
}

/** Where the first alias of the document is, if any. */
function firstAlias(doc: Document): number | undefined {
  let found: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      found = node.range?.[0];
      return visit.BREAK;
    },
  });
  return found;
}

function makeSource(file: string, doc: Document, at: (offset: number) => Loc, data: unknown): SourceFile {
  const start = (n: Node | null | undefined): number | undefined => n?.range?.[0];
  const root = doc.contents;
  const rootLoc = at(start(root) ?? 0);

  const walk = (keyPath: KeyPath, wantValue: boolean): Loc => {
    let node: unknown = root;
    let loc = rootLoc;
    for (const seg of keyPath) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
        if (!pair) return loc;
        const keyStart = start(pair.key as Node);
        const valStart = start(pair.value as Node);
        loc = at((wantValue ? (valStart ?? keyStart) : (keyStart ?? valStart)) ?? 0);
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg] as Node | undefined;
        const s = start(item);
        if (s === undefined) return loc;
        loc = at(s);
        node = item;
      } else {
        return loc;
      }
    }
    return loc;
  };

  return {
    path: file,
    dir: path.dirname(file),
    data,
    locate: (p) => walk(p, false),
    locateValue: (p) => walk(p, true),
    warnings: [],
  };
}

/** Plain-scalar commands that YAML cut at " #" while a shell quote was open: `run: echo 'a #b'`
 * runs `echo 'a` (a comment after a complete command is fine). */
function commentCuts(doc: Document, at: (offset: number) => Loc): ConfigError[] {
  const rules = doc.get('rules', true);
  if (!isMap(rules)) return [];
  const out: ConfigError[] = [];
  for (const pair of rules.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const run = isMap(pair.value) ? pair.value.get('run', true) : undefined;
    if (!isScalar(run) || run.type !== Scalar.PLAIN || typeof run.value !== 'string') continue;
    const comment = run.srcToken && 'end' in run.srcToken ? run.srcToken.end?.find((t) => t.type === 'comment') : undefined;
    if (!comment) continue;
    const open = openQuote(run.value);
    if (open === undefined) continue;
    out.push({
      loc: at(comment.offset),
      key: `rules.${name}.run`,
      message: `the command ends here: YAML reads " #" as the start of a comment, even inside shell quotes, so dax runs ${JSON.stringify(run.value)} (an unclosed ${open})`,
      hint: 'quote the whole command (run: "..." with \\" inside), or write run: >- and the command indented on the next lines',
    });
  }
  return out;
}

/** The shell quote still open at the end of `text`, if any (' and " as sh reads them, \\ escapes). */
function openQuote(text: string): "'" | '"' | undefined {
  let open: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (open === "'") {
      if (c === "'") open = undefined;
    } else if (c === '\\') {
      i++;
    } else if (c === open) {
      open = undefined;
    } else if (open === undefined && (c === "'" || c === '"')) {
      open = c;
    }
  }
  return open;
}

/** "rules.gen.input[0]" from ["rules", "gen", "input", 0]. */
export function keyString(keyPath: KeyPath): string {
  let s = '';
  for (const seg of keyPath) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else s += s === '' ? seg : `.${seg}`;
  }
  return s;
}
