// The graph as one self-contained HTML page: the SVG inline, zoom (wheel, + and -) and pan
// (drag) by a small inline script, styles inline, the legend fixed in a corner. Nothing is
// fetched: the page works offline and from a mail attachment.
import { escapeXml } from './escape.js';
import type { Layout } from './layout.js';
import { countsText, STATE_LABEL, VIEW_STATES, type StateCounts, type ViewGraph } from './model.js';
import { PALETTE } from './palette.js';
import { FONT_FAMILY, renderSvg } from './svg.js';

export interface PageInfo {
  /** E.g. the Daxfile's path. */
  title: string;
  /** E.g. the targets. */
  subtitle: string;
}

export function renderHtml(g: ViewGraph, layout: Layout, info: PageInfo): string {
  const totals: StateCounts = { 'up-to-date': 0, 'to-run': 0, running: 0, failed: 0 };
  for (const n of g.nodes) for (const s of VIEW_STATES) totals[s] += n.counts[s];
  const what = g.kind === 'rules' ? `${g.nodes.length} rule${g.nodes.length === 1 ? '' : 's'}` : 'job graph';
  const legend = VIEW_STATES.map((s) => `<span class="item ${s}"><i style="background:${PALETTE[s].fill};border-color:${PALETTE[s].stroke}"></i>${escapeXml(STATE_LABEL[s])}</span>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeXml(`dax graph: ${info.title}`)}</title>
<style>
html, body { margin: 0; height: 100%; font-family: system-ui, sans-serif; color: #111; background: #fafafa; }
body { display: flex; flex-direction: column; }
header { padding: 8px 14px; border-bottom: 1px solid #ddd; background: #fff; display: flex; gap: 18px; align-items: baseline; flex-wrap: wrap; }
header h1 { font-size: 16px; margin: 0; font-family: ${FONT_FAMILY}; }
header .sub, header .sum { font-size: 13px; color: #444; }
#legend { display: flex; gap: 14px; font-size: 13px; margin-left: auto; }
#legend i { display: inline-block; width: 12px; height: 12px; border: 1.5px solid; border-radius: 3px; margin-right: 5px; vertical-align: -2px; }
#controls button { font-size: 13px; min-width: 28px; margin-left: 3px; }
#view { flex: 1; overflow: hidden; cursor: grab; background: #fff; }
#view.dragging { cursor: grabbing; }
#view svg { width: 100%; height: 100%; display: block; user-select: none; }
#view .node:hover .box { stroke-width: 3; }
</style>
</head>
<body>
<header>
<h1>${escapeXml(info.title)}</h1>
<span class="sub">${escapeXml(info.subtitle)}</span>
<span class="sum">${escapeXml(`${what}, ${countsText(totals)}`)}</span>
<span id="legend" class="legend">${legend}</span>
<span id="controls"><button id="zoom-in" title="zoom in">+</button><button id="zoom-out" title="zoom out">&#8722;</button><button id="fit" title="fit the graph in the window">fit</button></span>
</header>
<div id="view">
${renderSvg(layout, { legend: false })}</div>
<script>
${SCRIPT}
</script>
</body>
</html>
`;
}

// Zoom and pan by changing the SVG's viewBox: the drawing stays vector-sharp at any zoom.
const SCRIPT = `(() => {
  'use strict';
  const view = document.getElementById('view');
  const svg = view.querySelector('svg');
  const base = svg.viewBox.baseVal;
  const full = { x: base.x, y: base.y, w: base.width, h: base.height };
  let box = { ...full };
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  const apply = () => svg.setAttribute('viewBox', [box.x, box.y, box.w, box.h].join(' '));
  // The whole graph, centred, magnified at most 1.3 times: a small graph is not blown up.
  const fit = () => {
    const r = view.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return;
    const k = Math.max(full.w / r.width, full.h / r.height, 1 / 1.3);
    const w = r.width * k, h = r.height * k;
    box = { x: full.x - (w - full.w) / 2, y: full.y - (h - full.h) / 2, w, h };
    apply();
  };
  const toSvg = (cx, cy) => {
    const m = svg.getScreenCTM();
    if (!m) return { x: box.x + box.w / 2, y: box.y + box.h / 2 };
    const p = new DOMPoint(cx, cy).matrixTransform(m.inverse());
    return { x: p.x, y: p.y };
  };
  const zoom = (k, at) => {
    const w = Math.min(Math.max(box.w * k, full.w / 200), Math.max(full.w, full.h) * 20);
    const s = w / box.w;
    box = { x: at.x - (at.x - box.x) * s, y: at.y - (at.y - box.y) * s, w, h: box.h * s };
    apply();
  };
  const centre = () => ({ x: box.x + box.w / 2, y: box.y + box.h / 2 });
  view.addEventListener('wheel', (e) => {
    e.preventDefault();
    zoom(Math.exp(e.deltaY * 0.0015), toSvg(e.clientX, e.clientY));
  }, { passive: false });
  let drag = null;
  view.addEventListener('pointerdown', (e) => {
    drag = { x: e.clientX, y: e.clientY, box: { ...box } };
    view.classList.add('dragging');
    view.setPointerCapture(e.pointerId);
  });
  view.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const m = svg.getScreenCTM();
    const scale = m ? m.a : 1;
    box = { ...drag.box, x: drag.box.x - (e.clientX - drag.x) / scale, y: drag.box.y - (e.clientY - drag.y) / scale };
    apply();
  });
  const end = () => { drag = null; view.classList.remove('dragging'); };
  view.addEventListener('pointerup', end);
  view.addEventListener('pointercancel', end);
  document.getElementById('zoom-in').addEventListener('click', () => zoom(1 / 1.25, centre()));
  document.getElementById('zoom-out').addEventListener('click', () => zoom(1.25, centre()));
  document.getElementById('fit').addEventListener('click', fit);
  window.addEventListener('resize', fit);
  fit();
})();`;
