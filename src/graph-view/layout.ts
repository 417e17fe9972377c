// Places the graph's nodes and routes its edges with dagre (no system Graphviz needed). The
// sizes are estimated from the text in the monospace font the SVG uses, so labels fit.
import dagreModule from '@dagrejs/dagre';
import type { ViewEdge, ViewGraph, ViewNode } from './model.js';

export const FONT_SIZE = 12;
export const LINE_HEIGHT = 16;
/** Advance of one character of a monospace font at FONT_SIZE (0.6 em, with a little slack). */
const CHAR_WIDTH = FONT_SIZE * 0.62;
export const PAD_X = 10;
export const PAD_Y = 6;
/** The bar of a rule node that shows its jobs' states in proportion. */
export const BAR_HEIGHT = 6;

export interface Point {
  x: number;
  y: number;
}

export interface PlacedNode {
  node: ViewNode;
  /** Top-left corner. */
  x: number;
  y: number;
  width: number;
  height: number;
  bar: boolean;
}

export interface PlacedEdge {
  edge: ViewEdge;
  points: Point[];
}

export interface Layout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

const MARGIN = 16;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The part of dagre used here. Its own declarations do not resolve under NodeNext (their
 * relative imports lack extensions), so the import is typed by hand. */
interface DagreGraph {
  setGraph(label: { rankdir: 'LR' | 'TB'; nodesep: number; ranksep: number; marginx: number; marginy: number }): void;
  setDefaultEdgeLabel(f: () => object): void;
  setNode(id: string, label: { width: number; height: number }): void;
  setEdge(from: string, to: string): void;
  node(id: string): Box;
  edge(from: string, to: string): { points?: Point[] } | undefined;
  graph(): { width?: number; height?: number };
}
interface Dagre {
  graphlib: { Graph: new (opts: { multigraph: boolean }) => DagreGraph };
  layout(g: DagreGraph): void;
}
const dagre = dagreModule as unknown as Dagre;

export function layoutGraph(g: ViewGraph): Layout {
  const bar = g.kind === 'rules';
  const d = new dagre.graphlib.Graph({ multigraph: false });
  d.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 48, marginx: MARGIN, marginy: MARGIN });
  d.setDefaultEdgeLabel(() => ({}));
  for (const n of g.nodes) {
    const longest = Math.max(...n.lines.map((l) => [...l].length));
    d.setNode(n.id, { width: Math.ceil(longest * CHAR_WIDTH + 2 * PAD_X), height: n.lines.length * LINE_HEIGHT + 2 * PAD_Y + (bar ? BAR_HEIGHT + 4 : 0) });
  }
  for (const e of g.edges) d.setEdge(e.from, e.to);
  dagre.layout(d);
  const nodes = g.nodes.map((node): PlacedNode => {
    const l = d.node(node.id);
    return { node, x: l.x - l.width / 2, y: l.y - l.height / 2, width: l.width, height: l.height, bar };
  });
  const edges = g.edges.map((edge): PlacedEdge => ({ edge, points: (d.edge(edge.from, edge.to)?.points ?? []).map((p) => ({ x: p.x, y: p.y })) }));
  const label = d.graph();
  // dagre gives an empty graph no finite size: draw it as just its margins.
  const size = (v: number | undefined): number => (v !== undefined && Number.isFinite(v) && v > 0 ? Math.ceil(v) : 2 * MARGIN);
  return { width: size(label.width), height: size(label.height), nodes, edges };
}
