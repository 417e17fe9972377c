// The laid-out graph as one standalone SVG document: nodes filled by state, a bar per rule node
// showing its jobs' states in proportion, a hover title per node, and (optionally) a legend.
import { escapeXml } from './escape.js';
import { BAR_HEIGHT, FONT_SIZE, LINE_HEIGHT, PAD_X, PAD_Y, type Layout, type PlacedNode, type Point } from './layout.js';
import { STATE_LABEL, VIEW_STATES } from './model.js';
import { PALETTE } from './palette.js';

export const FONT_FAMILY = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace';

const LEGEND_HEIGHT = 28;

export interface SvgOptions {
  /** Draw the legend below the graph (the HTML page has its own, outside the zoomed area). */
  legend: boolean;
}

const f = (n: number): string => String(Math.round(n * 10) / 10);

export function renderSvg(layout: Layout, opts: SvgOptions = { legend: true }): string {
  const width = Math.max(layout.width, opts.legend ? 420 : 0);
  const height = layout.height + (opts.legend ? LEGEND_HEIGHT : 0);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="dax-graph" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family='${FONT_FAMILY}' font-size="${FONT_SIZE}">`,
    '<title>dax graph</title>',
    '<defs><marker id="dax-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#555"/></marker></defs>',
    `<rect class="background" x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    '<g class="edges">',
  ];
  for (const e of layout.edges) {
    out.push(`<path class="edge" data-from="${escapeXml(e.edge.from)}" data-to="${escapeXml(e.edge.to)}" d="${pathOf(e.points)}" fill="none" stroke="#555" stroke-width="1.2" marker-end="url(#dax-arrow)"/>`);
  }
  out.push('</g>', '<g class="nodes">');
  for (const n of layout.nodes) out.push(nodeSvg(n));
  out.push('</g>');
  if (opts.legend) out.push(legendSvg(layout.height + 4));
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function pathOf(points: Point[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${f(p.x)},${f(p.y)}`).join('');
}

function nodeSvg(p: PlacedNode): string {
  const n = p.node;
  const c = PALETTE[n.state];
  const id = escapeXml(n.id);
  const title = escapeXml([n.lines.join('\n'), ...(n.detail && n.detail !== n.lines[1] ? [n.detail] : [])].join('\n'));
  const parts = [
    `<g class="node ${n.state}" data-id="${id}" data-state="${n.state}">`,
    `<title>${title}</title>`,
    `<rect class="box" x="${f(p.x)}" y="${f(p.y)}" width="${f(p.width)}" height="${f(p.height)}" rx="5" fill="${c.fill}" stroke="${c.stroke}" stroke-width="1.5"/>`,
  ];
  n.lines.forEach((line, i) => {
    const weight = i === 0 ? ' font-weight="bold"' : '';
    parts.push(`<text x="${f(p.x + PAD_X)}" y="${f(p.y + PAD_Y + (i + 1) * LINE_HEIGHT - 4)}" fill="#111"${weight} xml:space="preserve">${escapeXml(line)}</text>`);
  });
  if (p.bar) {
    const total = VIEW_STATES.reduce((s, st) => s + n.counts[st], 0);
    const barWidth = p.width - 2 * PAD_X;
    const y = p.y + p.height - PAD_Y - BAR_HEIGHT;
    let x = p.x + PAD_X;
    for (const st of VIEW_STATES) {
      if (n.counts[st] === 0 || total === 0) continue;
      const w = (barWidth * n.counts[st]) / total;
      parts.push(`<rect class="bar ${st}" x="${f(x)}" y="${f(y)}" width="${f(w)}" height="${BAR_HEIGHT}" fill="${PALETTE[st].stroke}"><title>${n.counts[st]} ${STATE_LABEL[st]}</title></rect>`);
      x += w;
    }
  }
  parts.push('</g>');
  return parts.join('');
}

function legendSvg(y: number): string {
  const parts = [`<g class="legend" transform="translate(16,${f(y)})">`];
  let x = 0;
  for (const s of VIEW_STATES) {
    const c = PALETTE[s];
    parts.push(`<g class="legend-item ${s}"><rect x="${x}" y="2" width="14" height="14" rx="3" fill="${c.fill}" stroke="${c.stroke}" stroke-width="1.5"/><text x="${x + 20}" y="13">${escapeXml(STATE_LABEL[s])}</text></g>`);
    x += 20 + STATE_LABEL[s].length * FONT_SIZE * 0.62 + 24;
  }
  parts.push('</g>');
  return parts.join('');
}
