// The report page: one self-contained HTML file, its style, script and data inline, so it opens
// from a mail attachment or a laptop with no network and no dax.
import type { PageData } from './data.js';
import { pageMain } from './page.js';

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d232a;background:#fff}
#main{max-width:1400px;margin:0 auto;padding:12px 20px 60px}
h1{font-size:20px;margin:8px 0}
h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #e3e6ea;padding-bottom:4px}
h3{font-size:14px;margin:0 0 4px;font-family:ui-monospace,monospace}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0}
.facts dt{color:#667}.facts dd{margin:0;font-family:ui-monospace,monospace;word-break:break-all}
.cards{display:flex;gap:10px;flex-wrap:wrap;margin-top:14px}
.card{border:1px solid #e3e6ea;border-radius:6px;padding:6px 14px;min-width:100px;color:#556}
.card b{display:block;font-size:22px;color:#1d232a}
.card.ok b{color:#2e7d32}.card.bad b{color:#c62828}.card.warn b{color:#ef6c00}.card.dim b{color:#78808a}
table{border-collapse:collapse;width:100%}
th,td{padding:3px 8px;border-bottom:1px solid #eef0f2;text-align:left;vertical-align:top}
th{font-weight:600;color:#556;font-size:12px}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.zero{color:#bbb}
td.rule{font-family:ui-monospace,monospace}
.desc{font:12px system-ui,sans-serif;color:#778}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.swatch.failmark{border:2px solid #c62828}.swatch.queued{background:#7a8793;opacity:.4}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;flex:1}
.tools{display:flex;align-items:center;gap:10px;margin-bottom:6px;flex-wrap:wrap}
button{font:12px system-ui,sans-serif;padding:2px 10px;border:1px solid #c8ccd2;border-radius:4px;background:#f7f8f9;cursor:pointer}
.dim{color:#8a929b}
.canvas-wrap{width:100%;border:1px solid #e3e6ea;border-radius:4px;overflow:hidden}
canvas{display:block;cursor:crosshair}
.failure-list{max-height:640px;overflow-y:auto}
.failure{border-left:3px solid #c62828;padding:4px 10px;margin:10px 0;background:#fdf6f6}
.label{font-size:12px;color:#778;margin-top:4px}
pre{margin:2px 0;padding:6px 8px;background:#f3f4f6;border-radius:3px;overflow-x:auto;font:12px/1.35 ui-monospace,monospace;white-space:pre-wrap;word-break:break-all}
pre.tail{background:#22262b;color:#e8e8e8}
#tooltip{position:fixed;display:none;z-index:10;max-width:640px;padding:6px 9px;background:rgba(20,24,30,.94);color:#f2f2f2;border-radius:4px;font:12px/1.35 ui-monospace,monospace;white-space:pre-wrap;pointer-events:none}
.acqbar{position:relative;height:14px;background:#f1f3f5;border-radius:2px;min-width:240px}
.acqbar .seg{position:absolute;top:0;height:14px}
.acqbar .alertmark{position:absolute;top:-3px;font-size:10px;transform:translateX(-50%)}
.alertmark.Error,.alerts .Error{color:#c62828}.alertmark.Warning,.alerts .Warning{color:#ef6c00}.alertmark.Info,.alerts .Info{color:#1e88e5}
td.barcell{width:45%}table.acq td:first-child{white-space:nowrap}td.bad{color:#c62828}.alerts{font-size:12px}
`;

/** The page for `data`. */
export function renderPage(data: PageData): string {
  // Inside <script>, only "</" could end the element early: JSON's \u003c escape keeps it out.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const script = pageMain.toString();
  if (/<\/script/i.test(script)) throw new Error('the page script contains </script>');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    // No network, whatever the page holds: a job name or log line cannot make it fetch anything.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    `<title>dax report: ${escapeHtml(data.title)}${data.run ? ` — ${escapeHtml(data.run.id)}` : ''}</title>`,
    `<style>${STYLE}</style>`,
    '</head><body>',
    '<div id="main"></div><div id="tooltip"></div>',
    `<script id="dax-data" type="application/json">${json}</script>`,
    `<script>(${script})();</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
