// Pictures of a plan's graph: the model (rule graph, job graph) and its renderings. The engine
// never imports this; the CLI does (dax graph).
import { renderDot } from './dot.js';
import { renderHtml, type PageInfo } from './html.js';
import { layoutGraph } from './layout.js';
import type { ViewGraph } from './model.js';
import { renderSvg } from './svg.js';
import { assertNever } from '../util/result.js';

export { jobGraph, ruleGraph, type ViewGraph, type ViewState } from './model.js';
export type { PageInfo } from './html.js';

export const GRAPH_FORMATS = ['dot', 'svg', 'html'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

export function isGraphFormat(s: string): s is GraphFormat {
  return (GRAPH_FORMATS as readonly string[]).includes(s);
}

/** The graph as the text of one file in the given format. */
export function renderGraph(g: ViewGraph, format: GraphFormat, info: PageInfo): string {
  switch (format) {
    case 'dot':
      return renderDot(g);
    case 'svg':
      return renderSvg(layoutGraph(g));
    case 'html':
      return renderHtml(g, layoutGraph(g), info);
    default:
      return assertNever(format);
  }
}
