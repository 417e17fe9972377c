// The graph as Graphviz DOT text, like `ninja -t graph`: `dax graph | dot -Tpng > g.png`.
import { dotLabel, dotString } from './escape.js';
import { PALETTE } from './palette.js';
import { STATE_LABEL, VIEW_STATES, type ViewGraph } from './model.js';

export function renderDot(g: ViewGraph): string {
  const out = [
    'digraph dax {',
    '  rankdir="LR";',
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
    '  edge [color="#555555"];',
  ];
  for (const n of g.nodes) {
    const c = PALETTE[n.state];
    const tooltip = n.detail ?? n.lines.slice(1).join(', ');
    out.push(`  ${dotString(n.id)} [label=${dotLabel(n.lines.join('\n'))}, fillcolor="${c.fill}", color="${c.stroke}", tooltip=${dotLabel(tooltip)}, class="${n.state}"];`);
  }
  for (const e of g.edges) out.push(`  ${dotString(e.from)} -> ${dotString(e.to)};`);
  // The legend: a cluster of one node per state, apart from the graph.
  out.push('  subgraph cluster_legend {', '    label="states"; fontname="Helvetica"; fontsize=10; color="#bbbbbb";');
  for (const s of VIEW_STATES) {
    const c = PALETTE[s];
    out.push(`    ${dotString(`legend: ${s}`)} [label=${dotLabel(STATE_LABEL[s])}, fillcolor="${c.fill}", color="${c.stroke}", fontsize=9];`);
  }
  out.push('  }', '}');
  return out.join('\n') + '\n';
}
