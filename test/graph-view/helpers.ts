// Shared by the dax graph tests: a small hand-written project, a copy of the demo catalog, and
// Graphviz's own reading of the DOT dax writes.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { project, repo } from '../engine/helpers.js';
import { requireTool } from '../tools.js';

/** Four rules: gen -> square -> sum, note -> sum; square fails for n=2 (exit 3). */
export const SMALL = `version: 1
wildcards:
  n: { values: ['1', '2', '3'] }
rules:
  gen:
    output: 'gen/{n}.txt'
    run: 'echo {n} > {output}'
  square:
    input: 'gen/{n}.txt'
    output: 'square/{n}.txt'
    run: 'if [ {n} = 2 ]; then exit 3; fi; cat {input} {input} > {output}'
  note:
    output: note.txt
    run: 'echo note > {output}'
  sum:
    input:
      - path: 'square/{m}.txt'
        each: { m: [domain, n] }
      - note.txt
    output: sum.txt
    run: 'cat {input} > {output}'
targets: [sum.txt]
`;

/** The rule edges SMALL's inputs and outputs make, read off the Daxfile above. */
export const SMALL_EDGES = ['gen -> square', 'note -> sum', 'square -> sum'];

/** The rule edges of rules/catalog.yaml: partition reads CT and (a neighbour's) EO files, ingest
 * reads partition's files, publish waits for every ingest. */
export const CATALOG_EDGES = ['catalog_generate_ct -> catalog_partition', 'catalog_generate_eo -> catalog_partition', 'catalog_ingest -> catalog_publish', 'catalog_partition -> catalog_ingest'];

export function smallProject(): string {
  return project({ 'Daxfile.yaml': SMALL });
}

const copies: string[] = [];

/** A copy of examples/catalog (and the rules it includes, at the same relative place) that can
 * run; returns the example's directory in the copy. */
export function catalogCopy(): string {
  const root = mkdtempSync(join(tmpdir(), 'dax-graph-catalog-'));
  copies.push(root);
  cpSync(join(repo, 'examples/catalog'), join(root, 'examples/catalog'), { recursive: true });
  cpSync(join(repo, 'rules'), join(root, 'rules'), { recursive: true });
  // The example's tools import the package by its name, as an installed dax would be.
  mkdirSync(join(root, 'node_modules'));
  symlinkSync(repo, join(root, 'node_modules/dax-pipeline'));
  return join(root, 'examples/catalog');
}

export function removeCopies(): void {
  if (process.env['DAX_TEST_KEEP']) return;
  for (const d of copies.splice(0)) rmSync(d, { recursive: true, force: true });
}

function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|lt|gt|amp|quot|apos);/gi, (_m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[e.toLowerCase()]!;
  });
}

export interface Drawn {
  nodes: string[];
  /** "from -> to", sorted. */
  edges: string[];
  /** The text Graphviz drew (label lines), unescaped. */
  texts: string[];
  svg: string;
}

/** Runs Graphviz's `dot -Tsvg` on DOT text (throws if Graphviz rejects it) and reads back the
 * nodes and edges it drew, the legend's nodes left out. */
export function graphviz(dotText: string): Drawn {
  const dot = requireTool('dot', 'graphviz');
  const svg = execFileSync(dot, ['-Tsvg'], { input: dotText, encoding: 'utf8' });
  const titles = (cls: string): string[] => [...svg.matchAll(new RegExp(`<g id="[^"]*" class="${cls}(?: [^"]*)?">\\s*<title>([^<]*)</title>`, 'g'))].map((m) => unescapeXml(m[1]!));
  const nodes = titles('node').filter((n) => !n.startsWith('legend: '));
  const names = new Set(nodes);
  const edges = titles('edge').map((t) => {
    // Split "tail->head" where both sides are node names: a job id may hold "->" itself.
    for (let i = t.indexOf('->'); i >= 0; i = t.indexOf('->', i + 1)) {
      if (names.has(t.slice(0, i)) && names.has(t.slice(i + 2))) return `${t.slice(0, i)} -> ${t.slice(i + 2)}`;
    }
    throw new Error(`edge ${t} between unknown nodes`);
  });
  const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => unescapeXml(m[1]!));
  return { nodes, edges: edges.sort(), texts, svg };
}
