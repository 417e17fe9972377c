// The report page's script. It runs in the browser, not in Node: html.ts inlines the compiled
// text of pageMain (Function.prototype.toString), so it must be self-contained: no imports
// (type imports are erased), every helper nested inside. Timeline and sky map are drawn on
// canvases from the page's JSON; hover is hit-testing against that data, not DOM elements, so a
// run of 100,000 attempts costs no more DOM than one of ten.
import type { PageData, SkyMap, Timeline } from './data.js';

export function pageMain(): void {
  const el = document.getElementById('dax-data');
  const data = JSON.parse(el?.textContent ?? '{}') as PageData;
  const tip = document.getElementById('tooltip') as HTMLDivElement;
  const STATE_NAMES = ['finished', 'failed', 'incomplete', 'running', 'not started'];
  const STATE_COLOURS = ['#43a047', '#e53935', '#fb8c00', '#1e88e5', '#c5c9ce'];
  const ATTEMPT = ['ok', 'failed', 'incomplete', 'lost', 'running', 'queued'];
  const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#9c755f', '#ff9da7', '#86bcb6', '#d37295', '#a0cbe8', '#8cd17d'];
  const ruleColour = (i: number): string => PALETTE[i] ?? `hsl(${(i * 137.5) % 360},55%,55%)`;

  const h = (tag: string, attrs: Record<string, string> = {}, ...kids: Array<Node | string>): HTMLElement => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    for (const k of kids) e.append(k);
    return e;
  };
  const dur = (ms: number | undefined): string => {
    if (ms === undefined || ms < 0) return '-';
    if (ms < 1000) return `${Math.round(ms)}ms`;
    const s = ms / 1000;
    if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)}s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
    return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
  };
  const tick = (t: number, step: number): string => {
    if (step < 1000) return `${t}ms`;
    const s = Math.round(t / 1000);
    if (s < 60) return `${s}s`;
    const m = Math.floor(s / 60);
    const pad = (x: number): string => String(x).padStart(2, '0');
    if (m < 60) return `${m}m${pad(s % 60)}s`;
    return `${Math.floor(m / 60)}h${pad(m % 60)}m`;
  };
  const clock = (t: number): string => new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const showTip = (ev: MouseEvent, lines: string[]): void => {
    tip.textContent = lines.join('\n');
    tip.style.display = 'block';
    const x = Math.min(ev.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
    const y = ev.clientY + 14 + tip.offsetHeight > window.innerHeight ? ev.clientY - tip.offsetHeight - 10 : ev.clientY + 14;
    tip.style.left = `${Math.max(4, x)}px`;
    tip.style.top = `${Math.max(4, y)}px`;
  };
  const hideTip = (): void => {
    tip.style.display = 'none';
  };
  /** A canvas sized to its box, in CSS pixels, sharp on a high-density screen. */
  const sizeCanvas = (c: HTMLCanvasElement, cssH: number): CanvasRenderingContext2D => {
    const dpr = window.devicePixelRatio || 1;
    const w = c.parentElement!.clientWidth;
    c.style.width = `${w}px`;
    c.style.height = `${cssH}px`;
    c.width = Math.round(w * dpr);
    c.height = Math.round(cssH * dpr);
    const ctx = c.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    return ctx;
  };
  /** Redraws after a resize, once per frame and only when the width changed. */
  const onResize = (draw: () => void): void => {
    let pending = false;
    let last = window.innerWidth;
    window.addEventListener('resize', () => {
      if (pending || window.innerWidth === last) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        last = window.innerWidth;
        draw();
      });
    });
  };
  const main = document.getElementById('main')!;
  const hooks: Record<string, unknown> = {};
  (window as unknown as { daxReport: unknown }).daxReport = hooks;

  // ---- summary ----
  const run = data.run;
  const head = h('header', {}, h('h1', {}, `dax report: ${data.title}`));
  const facts: Array<[string, string]> = [];
  if (data.live) facts.push(['state', data.liveRun ? `now, run ${data.liveRun} running` : 'now (no run is running)']);
  if (run) {
    facts.push(['run', run.id + (run.resumes ? ` (resumes ${run.resumes})` : '')]);
    facts.push(['result', run.result ?? (data.liveRun === run.id ? 'running' : 'unfinished')]);
    facts.push(['targets', run.targets.length ? run.targets.join(' ') : '(the Daxfile\'s targets)']);
    const sets = Object.entries(run.sets);
    if (sets.length) facts.push(['--set', sets.map(([k, v]) => `${k}=${v}`).join(' ')]);
    facts.push(['started', clock(run.start)]);
    facts.push(['duration', run.end !== undefined ? dur(run.end - run.start) : `${dur(data.made - run.start)} so far`]);
  }
  facts.push(['page made', clock(data.made)]);
  head.append(h('dl', { class: 'facts' }, ...facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
  main.append(head);
  if (run?.counts) {
    const c = run.counts;
    const cards: Array<[string, number, string]> = [
      ['planned', c.total, ''], ['up to date', c.upToDate, ''], ['done', c.done, 'ok'], ['failed', c.failed, 'bad'],
      ['incomplete', c.incomplete, 'warn'], ['not started', c.skipped, 'dim'],
    ];
    main.append(h('section', { id: 'counts', class: 'cards' }, ...cards.map(([k, n, cls]) => h('div', { class: `card ${cls}`, 'data-count': k }, h('b', {}, String(n)), k))));
  }
  if (data.rules.length) {
    const t = h('table', { id: 'rules' }, h('tr', {}, ...['rule', 'attempts', 'ok', 'failed', 'incomplete', 'running', 'not started', 'min', 'median', 'max', 'total'].map((x) => h('th', {}, x))));
    data.rules.forEach((r) => {
      const i = data.timeline.rules.indexOf(r.name);
      const name = h('td', { class: 'rule', title: [r.description, r.command].filter(Boolean).join('\n') }, h('span', { class: 'swatch', style: `background:${i >= 0 ? ruleColour(i) : '#999'}` }), r.name);
      if (r.description) name.append(h('div', { class: 'desc' }, r.description));
      t.append(h('tr', {}, name, ...[r.attempts, r.ok, r.failed, r.incomplete, r.running, r.skipped].map((n) => h('td', { class: n && n > 0 ? 'num' : 'num zero' }, String(n))), ...[r.min, r.median, r.max, r.total].map((d) => h('td', { class: 'num' }, dur(d)))));
    });
    main.append(h('section', {}, h('h2', {}, 'Rules'), t));
  }
  if (data.notices.length) main.append(h('section', { id: 'notices' }, h('h2', {}, 'Notices'), h('ul', {}, ...data.notices.map((n) => h('li', {}, n)))));

  // ---- timeline ----
  drawTimeline(data.timeline);
  function drawTimeline(tl: Timeline): void {
    const n = tl.job.length;
    const count = (st: number): string => String(tl.st.filter((x) => x === st).length);
    const sec = h('section', { id: 'timeline', 'data-bars': String(n), 'data-lanes': String(tl.lanes.length), 'data-failed': count(1), 'data-running': count(4), 'data-queued': count(5) }, h('h2', {}, `Timeline: ${n} attempt${n === 1 ? '' : 's'} on ${tl.lanes.length} slot${tl.lanes.length === 1 ? '' : 's'}`));
    main.append(sec);
    if (n === 0) {
      sec.append(h('p', { class: 'dim' }, 'No job ran.'));
      return;
    }
    const legend = h('div', { class: 'legend' }, ...tl.rules.map((r, i) => h('span', {}, h('span', { class: 'swatch', style: `background:${ruleColour(i)}` }), r)));
    legend.append(h('span', {}, h('span', { class: 'swatch failmark' }), 'failed'), h('span', {}, h('span', { class: 'swatch queued' }), 'queued'));
    const reset = h('button', {}, 'reset zoom');
    sec.append(h('div', { class: 'tools' }, legend, reset, h('span', { class: 'dim' }, 'wheel: zoom, drag: pan')));
    const wrap = h('div', { class: 'canvas-wrap' });
    const canvas = h('canvas', {}) as HTMLCanvasElement;
    wrap.append(canvas);
    sec.append(wrap);
    const LEFT = 96;
    const TOP = 22;
    const laneH = Math.max(2, Math.min(18, Math.floor(560 / tl.lanes.length)));
    const cssH = Math.max(80, TOP + tl.lanes.length * laneH + 4);
    const now = data.made - tl.t0;
    const endOf = (i: number): number => (tl.e[i]! >= 0 ? tl.e[i]! : Math.max(now, tl.s[i]!));
    const beginOf = (i: number): number => (tl.q[i]! >= 0 ? tl.q[i]! : tl.s[i]!);
    // Each lane's attempts by start, for hit-testing.
    const lanes: number[][] = tl.lanes.map(() => []);
    for (let i = 0; i < n; i++) lanes[tl.lane[i]!]!.push(i);
    for (const l of lanes) l.sort((a, b) => beginOf(a) - beginOf(b));
    const byRule: number[][] = tl.rules.map(() => []);
    for (let i = 0; i < n; i++) byRule[tl.rule[i]!]!.push(i);
    let v0 = 0;
    let v1 = Math.max(1, tl.t1 - tl.t0);
    let width = 0;
    let ctx: CanvasRenderingContext2D;
    const X = (t: number): number => LEFT + ((t - v0) / (v1 - v0)) * (width - LEFT - 8);
    const T = (x: number): number => v0 + ((x - LEFT) / (width - LEFT - 8)) * (v1 - v0);
    const draw = (): void => {
      ctx = sizeCanvas(canvas, cssH);
      width = canvas.parentElement!.clientWidth;
      ctx.clearRect(0, 0, width, cssH);
      ctx.font = '11px system-ui, sans-serif';
      // Lanes.
      for (let l = 0; l < tl.lanes.length; l++) {
        if (l % 2) {
          ctx.fillStyle = '#f4f6f8';
          ctx.fillRect(LEFT, TOP + l * laneH, width - LEFT, laneH);
        }
        if (laneH >= 10 || l % Math.ceil(12 / laneH) === 0) {
          ctx.fillStyle = '#555';
          ctx.fillText(tl.lanes[l]!, 4, TOP + l * laneH + Math.min(laneH, 12) - 1);
        }
      }
      // Time axis.
      const span = v1 - v0;
      const steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 3e4, 6e4, 12e4, 3e5, 6e5, 18e5, 36e5, 72e5, 216e5, 432e5, 864e5];
      const step = steps.find((s) => ((width - LEFT) / span) * s >= 80) ?? 864e5;
      ctx.strokeStyle = '#ddd';
      ctx.fillStyle = '#333';
      ctx.beginPath();
      for (let t = Math.ceil(v0 / step) * step; t <= v1; t += step) {
        const x = Math.round(X(t)) + 0.5;
        ctx.moveTo(x, TOP - 4);
        ctx.lineTo(x, cssH);
        ctx.fillText(tick(t, step), x + 2, 12);
      }
      ctx.stroke();
      // Bars, one fill colour at a time.
      const barH = Math.max(1, laneH - (laneH > 6 ? 3 : 1));
      const off = laneH > 6 ? 1.5 : 0.5;
      ctx.save();
      ctx.beginPath();
      ctx.rect(LEFT, 0, width - LEFT, cssH);
      ctx.clip();
      ctx.globalAlpha = 0.35;
      ctx.fillStyle = '#7a8793';
      for (let i = 0; i < n; i++) {
        if (tl.q[i]! < 0) continue;
        const qEnd = tl.s[i]! >= 0 ? tl.s[i]! : endOf(i);
        if (qEnd < v0 || tl.q[i]! > v1) continue;
        const x0 = X(tl.q[i]!);
        ctx.fillRect(x0, TOP + tl.lane[i]! * laneH + off + barH / 3, Math.max(1, X(qEnd) - x0), barH / 3);
      }
      ctx.globalAlpha = 1;
      byRule.forEach((list, r) => {
        ctx.fillStyle = ruleColour(r);
        for (const i of list) {
          const s = tl.s[i]!;
          if (s < 0) continue;
          const e = endOf(i);
          if (e < v0 || s > v1) continue;
          const x0 = X(s);
          ctx.fillRect(x0, TOP + tl.lane[i]! * laneH + off, Math.max(1, X(e) - x0), barH);
        }
      });
      // Failed and stopped attempts: outlined, with a mark above the bar's end.
      for (let i = 0; i < n; i++) {
        const st = tl.st[i]!;
        if (st !== 1 && st !== 2 && st !== 3) continue;
        const s = tl.s[i]! >= 0 ? tl.s[i]! : beginOf(i);
        const e = endOf(i);
        if (e < v0 || s > v1) continue;
        const y = TOP + tl.lane[i]! * laneH + off;
        ctx.strokeStyle = st === 1 ? '#c62828' : '#ef6c00';
        ctx.lineWidth = 1.5;
        ctx.strokeRect(X(s), y, Math.max(1, X(e) - X(s)), barH);
        ctx.fillStyle = ctx.strokeStyle;
        ctx.fillRect(X(e) - 1, y, 3, barH);
      }
      ctx.restore();
    };
    draw();
    onResize(draw);
    const hit = (mx: number, my: number): number => {
      const l = Math.floor((my - TOP) / laneH);
      if (l < 0 || l >= lanes.length || mx < LEFT) return -1;
      const list = lanes[l]!;
      const t = T(mx);
      const tol = (3 * (v1 - v0)) / (width - LEFT);
      // The last attempt begun before t (+tolerance), then a few earlier ones.
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (beginOf(list[mid]!) <= t + tol) lo = mid + 1;
        else hi = mid;
      }
      let best = -1;
      let bestD = Infinity;
      for (let k = lo - 1; k >= 0 && k >= lo - 64; k--) {
        const i = list[k]!;
        const a = beginOf(i);
        const b = endOf(i);
        const d = t < a ? a - t : t > b ? t - b : 0;
        if (d <= tol && d < bestD) {
          best = i;
          bestD = d;
        }
      }
      return best;
    };
    const describe = (i: number): string[] => {
      const lines = [`${data.names[tl.job[i]!]}  (attempt ${tl.n[i]})`, `rule ${tl.rules[tl.rule[i]!]}, on ${tl.lanes[tl.lane[i]!]}${tl.node[i]! >= 0 ? ` (node ${tl.nodes[tl.node[i]!]})` : ''}`];
      if (tl.q[i]! >= 0) lines.push(`queued  ${clock(tl.t0 + tl.q[i]!)}${tl.s[i]! >= 0 ? `  (waited ${dur(tl.s[i]! - tl.q[i]!)})` : ''}`);
      if (tl.s[i]! >= 0) lines.push(`started ${clock(tl.t0 + tl.s[i]!)}`);
      if (tl.e[i]! >= 0) lines.push(`ended   ${clock(tl.t0 + tl.e[i]!)}  (ran ${dur(tl.e[i]! - Math.max(0, tl.s[i]!))})`);
      const st = ATTEMPT[tl.st[i]!] ?? '?';
      lines.push(`${st}${tl.x[i] !== null && tl.x[i] !== undefined ? `, exit ${tl.x[i]}` : ''}`);
      const log = tl.log[i];
      if (log) lines.push(`log ${log}`);
      const tail = tl.tail[i];
      if (tail?.length) lines.push('', ...tail.map((t) => `| ${t}`));
      return lines;
    };
    canvas.addEventListener('mousemove', (ev) => {
      const r = canvas.getBoundingClientRect();
      if (drag) {
        const dt = ((ev.clientX - drag.x) / (width - LEFT)) * (drag.v1 - drag.v0);
        v0 = drag.v0 - dt;
        v1 = drag.v1 - dt;
        draw();
        return;
      }
      const i = hit(ev.clientX - r.left, ev.clientY - r.top);
      if (i < 0) hideTip();
      else showTip(ev, describe(i));
    });
    canvas.addEventListener('mouseleave', hideTip);
    let drag: { x: number; v0: number; v1: number } | undefined;
    canvas.addEventListener('mousedown', (ev) => {
      drag = { x: ev.clientX, v0, v1 };
    });
    window.addEventListener('mouseup', () => {
      drag = undefined;
    });
    canvas.addEventListener('wheel', (ev) => {
      ev.preventDefault();
      const r = canvas.getBoundingClientRect();
      const t = T(ev.clientX - r.left);
      const f = ev.deltaY > 0 ? 1.25 : 0.8;
      v0 = t - (t - v0) * f;
      v1 = t + (v1 - t) * f;
      if (v1 - v0 < 1) v1 = v0 + 1;
      draw();
    }, { passive: false });
    reset.addEventListener('click', () => {
      v0 = 0;
      v1 = Math.max(1, tl.t1 - tl.t0);
      draw();
    });
    /** The screen point of a bar, zoomed in first where it is too narrow to point at. */
    hooks['barPoint'] = (i: number): { x: number; y: number } | null => {
      if (i < 0 || i >= n) return null;
      const r = canvas.getBoundingClientRect();
      const a = tl.s[i]! >= 0 ? tl.s[i]! : beginOf(i);
      const fits = (): boolean => X(endOf(i)) - X(a) >= 8 && a >= v0 && endOf(i) <= v1;
      if (!fits()) {
        v0 = 0;
        v1 = Math.max(1, tl.t1 - tl.t0);
        if (!fits()) {
          const w = Math.max(1, endOf(i) - a);
          v0 = a - 4 * w;
          v1 = endOf(i) + 4 * w;
        }
        draw();
      }
      return { x: r.left + (X(a) + X(endOf(i))) / 2, y: r.top + TOP + tl.lane[i]! * laneH + laneH / 2 };
    };
  }

  // ---- failures ----
  if (data.failures.length) {
    const sec = h('section', { id: 'failures', 'data-failures': String(data.failures.length + data.failuresMore) }, h('h2', {}, `Failures (${data.failures.length + data.failuresMore})`));
    const list = h('div', { class: 'failure-list' });
    sec.append(list);
    for (const f of data.failures) {
      const what = f.signal ? `signal ${f.signal}` : f.exit !== null ? `exit ${f.exit}` : 'no exit code';
      const item = h('div', { class: 'failure' }, h('h3', {}, f.job, h('span', { class: 'dim' }, `  ${f.why ?? what}`)));
      if (f.command) item.append(h('div', { class: 'label' }, 'command'), h('pre', { class: 'command' }, f.command));
      if (f.log) item.append(h('div', { class: 'label' }, `log ${f.log}`));
      if (f.tail.length) item.append(h('pre', { class: 'tail' }, f.tail.join('\n')));
      list.append(item);
    }
    if (data.failuresMore) sec.append(h('p', { class: 'dim' }, `… and ${data.failuresMore} more (see the timeline, or dax status)`));
    main.append(sec);
  }

  // ---- sky map ----
  if (data.sky) drawSky(data.sky);
  function drawSky(sky: SkyMap): void {
    const n = sky.ids.length;
    const counts = [0, 0, 0, 0, 0];
    for (const s of sky.state) counts[s]!++;
    const sec = h('section', { id: 'skymap', 'data-chunks': String(n), ...Object.fromEntries(STATE_NAMES.map((s, i) => [`data-${s.replace(' ', '-')}`, String(counts[i])])) }, h('h2', {}, `Sky map: ${n} chunk${n === 1 ? '' : 's'} of {${sky.wildcard}} (${sky.stripes} stripes × ${sky.substripes} sub-stripes)`));
    main.append(sec);
    const legend = h('div', { class: 'legend' }, ...STATE_NAMES.map((s, i) => h('span', {}, h('span', { class: 'swatch', style: `background:${STATE_COLOURS[i]}` }), `${s} ${counts[i]}`)));
    const fitBtn = h('button', {}, 'fit chunks');
    const fullBtn = h('button', {}, 'full sky');
    sec.append(h('div', { class: 'tools' }, legend, fitBtn, fullBtn, h('span', { class: 'dim' }, 'Hammer-Aitoff, RA increasing to the left; wheel: zoom, drag: pan')));
    const wrap = h('div', { class: 'canvas-wrap' });
    const canvas = h('canvas', {}) as HTMLCanvasElement;
    wrap.append(canvas);
    sec.append(wrap);
    const cssH = 520;
    const R2 = Math.SQRT2;
    const D = Math.PI / 180;
    // The map's centre: the chunks' mean RA (circular), so a set around RA 0 is not split.
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < n; i++) {
      const a = sky.box[4 * i]!;
      let b = sky.box[4 * i + 1]!;
      if (b < a) b += 360;
      const c = ((a + b) / 2) * D;
      sx += Math.cos(c);
      sy += Math.sin(c);
    }
    const lon0 = n && Math.hypot(sx, sy) > 1e-6 * n ? Math.round(Math.atan2(sy, sx) / D) : 0;
    /** Hammer-Aitoff of (RA, Dec) in degrees, λ relative to lon0, RA growing leftwards. */
    const fwd = (lam: number, lat: number): [number, number] => {
      const l = lam * D;
      const p = lat * D;
      const z = Math.sqrt(1 + Math.cos(p) * Math.cos(l / 2));
      return [(-2 * R2 * Math.cos(p) * Math.sin(l / 2)) / z, (R2 * Math.sin(p)) / z];
    };
    const inv = (x: number, y: number): [number, number] | null => {
      if ((x * x) / 8 + (y * y) / 2 > 1) return null;
      const z = Math.sqrt(1 - (x / 4) ** 2 - (y / 2) ** 2);
      const lam = (2 * Math.atan2(z * -x, 2 * (2 * z * z - 1))) / D;
      const lat = Math.asin(Math.max(-1, Math.min(1, z * y))) / D;
      return [(((lam + lon0) % 360) + 360) % 360, lat];
    };
    const wrapLam = (lon: number): number => {
      let l = (((lon - lon0) % 360) + 360) % 360;
      if (l > 180) l -= 360;
      return l;
    };
    // The chunks' extent in projection units (corners and edge midpoints), for "fit chunks".
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      const [a, b, pa, pb] = [sky.box[4 * i]!, sky.box[4 * i + 1]!, sky.box[4 * i + 2]!, sky.box[4 * i + 3]!];
      const w = b - a >= 360 ? 360 : (((b - a) % 360) + 360) % 360;
      const la = w >= 360 ? -180 : wrapLam(a);
      for (const l of [la, la + w / 2, Math.min(180, la + w)]) {
        for (const p of [pa, (pa + pb) / 2, pb]) {
          const [x, y] = fwd(l, p);
          minX = Math.min(minX, x);
          maxX = Math.max(maxX, x);
          minY = Math.min(minY, y);
          maxY = Math.max(maxY, y);
        }
      }
    }
    // The chunk at a point, by the chunker's own arithmetic: stripes of equal height, each cut
    // into equal segments; the pixel loop and hover both ask it.
    const S = sky.stripes;
    const slot = new Int32Array(S * 2 * S).fill(-1);
    for (let i = 0; i < n; i++) if (sky.ids[i]! < slot.length) slot[sky.ids[i]!] = i;
    const chunkAt = (lon: number, lat: number): number => {
      const st = Math.min(S - 1, Math.max(0, Math.floor(((lat + 90) * S) / 180)));
      const nc = sky.perStripe[st]!;
      return st * 2 * S + Math.min(nc - 1, Math.floor((lon * nc) / 360));
    };
    const rgba = (hex: string): number => {
      const v = parseInt(hex.slice(1), 16);
      // ImageData as Uint32 is little-endian: 0xAABBGGRR.
      return (0xff << 24) | ((v & 0xff) << 16) | (v & 0xff00) | ((v >> 16) & 0xff);
    };
    const FILL = STATE_COLOURS.map(rgba);
    const SPACE = rgba('#0f1b2d');
    const SKY = rgba('#16263d');
    const EDGE = rgba('#0b1422');
    let width = 0;
    let scale = 1;
    let cx = 0; // the projection point at the canvas centre
    let cy = 0;
    const fitFull = (): void => {
      width = canvas.parentElement!.clientWidth;
      scale = Math.min(width / (4 * R2), cssH / (2 * R2)) * 0.95;
      cx = 0;
      cy = 0;
    };
    const fitChunks = (): void => {
      if (!n) return fitFull();
      width = canvas.parentElement!.clientWidth;
      const bw = Math.max(maxX - minX, 1e-4);
      const bh = Math.max(maxY - minY, 1e-4);
      const full = Math.min(width / (4 * R2), cssH / (2 * R2)) * 0.95;
      scale = Math.min(width / bw, cssH / bh) * 0.6;
      // A set that covers much of the sky is shown whole.
      if (scale <= full) return fitFull();
      cx = (minX + maxX) / 2;
      cy = (minY + maxY) / 2;
    };
    const PX = (x: number): number => width / 2 + (x - cx) * scale;
    const PY = (y: number): number => cssH / 2 - (y - cy) * scale;
    const draw = (): void => {
      const ctx = sizeCanvas(canvas, cssH);
      width = canvas.parentElement!.clientWidth;
      // Every pixel, projected back onto the sky and coloured by its chunk's state: the cost is
      // the canvas's size, whatever the number of chunks.
      const W = canvas.width;
      const H = canvas.height;
      if (W === 0 || H === 0) return;
      const dpr = W / width;
      const img = ctx.createImageData(W, H);
      const px32 = new Uint32Array(img.data.buffer);
      const above = new Int32Array(W).fill(-2);
      const borders = (180 / S) * D * scale * dpr >= 8;
      for (let py = 0; py < H; py++) {
        const y = cy - ((py + 0.5) / dpr - cssH / 2) / scale;
        let left = -2;
        for (let qx = 0; qx < W; qx++) {
          const x = cx + ((qx + 0.5) / dpr - width / 2) / scale;
          let id = -2;
          let colour = SPACE;
          if ((x * x) / 8 + (y * y) / 2 <= 1) {
            const z = Math.sqrt(1 - (x / 4) ** 2 - (y / 2) ** 2);
            let lon = ((2 * Math.atan2(z * -x, 2 * (2 * z * z - 1))) / D + lon0) % 360;
            if (lon < 0) lon += 360;
            id = chunkAt(lon, Math.asin(Math.max(-1, Math.min(1, z * y))) / D);
            const k = slot[id]!;
            colour = k >= 0 ? FILL[sky.state[k]!]! : SKY;
            if (borders && k >= 0 && ((left !== id && left !== -2) || (above[qx] !== id && above[qx] !== -2))) colour = EDGE;
          }
          px32[py * W + qx] = colour;
          above[qx] = id;
          left = id;
        }
      }
      ctx.putImageData(img, 0, 0);
      const degPx = scale * D * 1.2;
      const step = [30, 10, 5, 2, 1, 0.5, 0.2, 0.1].find((s) => s * degPx < 120) ?? 0.1;
      ctx.strokeStyle = 'rgba(255,255,255,0.16)';
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let p = -90 + step; p < 90; p += step) {
        for (let l = -180; l <= 180; l += 1) {
          const [x, y] = fwd(l, p);
          if (l === -180) ctx.moveTo(PX(x), PY(y));
          else ctx.lineTo(PX(x), PY(y));
        }
      }
      for (let l = -180; l <= 180; l += step) {
        for (let p = -90; p <= 90; p += 1) {
          const [x, y] = fwd(l, p);
          if (p === -90) ctx.moveTo(PX(x), PY(y));
          else ctx.lineTo(PX(x), PY(y));
        }
      }
      ctx.stroke();
      // Graticule labels where the lines cross the bottom edge (RA) and the left edge (Dec).
      ctx.fillStyle = 'rgba(255,255,255,0.7)';
      ctx.font = '11px system-ui, sans-serif';
      const label = (v: number): string => `${+v.toFixed(2)}°`;
      let prev: [number, number] | null = null;
      for (let px = 0; px <= width; px += 3) {
        const p = inv(cx + (px - width / 2) / scale, cy - (cssH - 16 - cssH / 2) / scale);
        // RA grows leftwards and wraps at 0: unwrap the previous sample next to this one.
        const q = prev ? prev[0] + (p && p[0] - prev[0] > 180 ? 360 : p && p[0] - prev[0] < -180 ? -360 : 0) : 0;
        if (p && prev && Math.floor(p[0] / step) !== Math.floor(q / step)) {
          const v = Math.max(Math.floor(p[0] / step), Math.floor(q / step)) * step;
          ctx.fillText(label(((v % 360) + 360) % 360), px + 2, cssH - 4);
        }
        prev = p;
      }
      prev = null;
      for (let py = 0; py <= cssH; py += 3) {
        const p = inv(cx + (30 - width / 2) / scale, cy - (py - cssH / 2) / scale);
        if (p && prev && Math.floor(p[1] / step) !== Math.floor(prev[1] / step)) ctx.fillText(label(Math.max(Math.floor(p[1] / step), Math.floor(prev[1] / step)) * step), 4, py - 2);
        prev = p;
      }
    };
    fitChunks();
    draw();
    onResize(draw);
    const inBox = (i: number, lon: number, lat: number): boolean => {
      const a = sky.box[4 * i]!;
      const b = sky.box[4 * i + 1]!;
      if (lat < sky.box[4 * i + 2]! || lat > sky.box[4 * i + 3]!) return false;
      if (b - a >= 360) return true;
      return a <= b ? lon >= a && lon <= b : lon >= a || lon <= b;
    };
    const hit = (mx: number, my: number): number => {
      const p = inv(cx + (mx - width / 2) / scale, cy - (my - cssH / 2) / scale);
      if (!p) return -1;
      const k = slot[chunkAt(p[0], p[1])]!;
      return k >= 0 && inBox(k, p[0], p[1]) ? k : -1;
    };
    const describe = (i: number): string[] => {
      const [a, b, pa, pb] = [sky.box[4 * i]!, sky.box[4 * i + 1]!, sky.box[4 * i + 2]!, sky.box[4 * i + 3]!];
      const lines = [`chunk ${sky.ids[i]}: ${STATE_NAMES[sky.state[i]!]}`, `RA ${a.toFixed(3)}° .. ${b.toFixed(3)}°, Dec ${pa.toFixed(3)}° .. ${pb.toFixed(3)}°`];
      const from = sky.jobsAt[i]!;
      const to = sky.jobsAt[i + 1]!;
      lines.push(`${to - from} job${to - from === 1 ? '' : 's'}:`);
      for (let k = from; k < Math.min(to, from + 24); k++) lines.push(`  ${STATE_NAMES[sky.jobState[k]!]?.padEnd(12)} ${data.names[sky.jobs[k]!]}`);
      if (to - from > 24) lines.push(`  … and ${to - from - 24} more`);
      return lines;
    };
    let drag: { x: number; y: number; cx: number; cy: number } | undefined;
    canvas.addEventListener('mousedown', (ev) => {
      drag = { x: ev.clientX, y: ev.clientY, cx, cy };
    });
    window.addEventListener('mouseup', () => {
      drag = undefined;
    });
    canvas.addEventListener('mousemove', (ev) => {
      if (drag) {
        cx = drag.cx - (ev.clientX - drag.x) / scale;
        cy = drag.cy + (ev.clientY - drag.y) / scale;
        draw();
        return;
      }
      const r = canvas.getBoundingClientRect();
      const i = hit(ev.clientX - r.left, ev.clientY - r.top);
      if (i < 0) hideTip();
      else showTip(ev, describe(i));
    });
    canvas.addEventListener('mouseleave', hideTip);
    canvas.addEventListener('wheel', (ev) => {
      ev.preventDefault();
      const r = canvas.getBoundingClientRect();
      const mx = ev.clientX - r.left;
      const my = ev.clientY - r.top;
      const px = cx + (mx - width / 2) / scale;
      const py = cy - (my - cssH / 2) / scale;
      scale *= ev.deltaY > 0 ? 0.8 : 1.25;
      cx = px - (mx - width / 2) / scale;
      cy = py + (my - cssH / 2) / scale;
      draw();
    }, { passive: false });
    fitBtn.addEventListener('click', () => {
      fitChunks();
      draw();
    });
    fullBtn.addEventListener('click', () => {
      fitFull();
      draw();
    });
    hooks['chunkPoint'] = (id: number): { x: number; y: number } | null => {
      const i = sky.ids.indexOf(id);
      if (i < 0) return null;
      const a = sky.box[4 * i]!;
      let b = sky.box[4 * i + 1]!;
      if (b < a) b += 360;
      const [x, y] = fwd(wrapLam((a + b) / 2), (sky.box[4 * i + 2]! + sky.box[4 * i + 3]!) / 2);
      const r = canvas.getBoundingClientRect();
      return { x: r.left + PX(x), y: r.top + PY(y) };
    };
  }

  // ---- acquisitions ----
  if (data.acquisitions?.length) {
    const ACQ_STATES = ['Scheduled', 'Collecting', 'Merging', 'Releasing', 'Completed', 'Aborted'];
    const ACQ_COLOURS = ['#9e9e9e', '#1e88e5', '#8e24aa', '#00897b', '#43a047', '#e53935'];
    const acqs = data.acquisitions.slice(0, 300);
    let lo = Infinity;
    let hi = -Infinity;
    for (const a of acqs) {
      for (const t of Object.values(a.times)) {
        lo = Math.min(lo, t);
        hi = Math.max(hi, t);
      }
      for (const al of a.alerts) hi = Math.max(hi, al.ts);
    }
    if (acqs.some((a) => a.state !== 'Completed' && a.state !== 'Aborted')) hi = Math.max(hi, data.made);
    if (!(hi > lo)) hi = lo + 1;
    const pct = (t: number): string => `${(((t - lo) / (hi - lo)) * 100).toFixed(3)}%`;
    const sec = h('section', { id: 'acquisitions', 'data-acquisitions': String(data.acquisitions.length) }, h('h2', {}, `Acquisitions (${data.acquisitions.length})`));
    sec.append(h('div', { class: 'legend' }, ...ACQ_STATES.map((s, i) => h('span', {}, h('span', { class: 'swatch', style: `background:${ACQ_COLOURS[i]}` }), s)), h('span', { class: 'dim' }, `${clock(lo)} .. ${clock(hi)}`)));
    const t = h('table', { class: 'acq' }, h('tr', {}, ...['acquisition', 'state', 'states over time', 'transfer', 'merge', 'release', 'alerts'].map((x) => h('th', {}, x))));
    for (const a of acqs) {
      const bar = h('div', { class: 'acqbar' });
      const entered = ACQ_STATES.map((s) => a.times[s]).map((x, i) => [i, x] as const).filter((p): p is readonly [number, number] => p[1] !== undefined).sort((p, q) => p[1] - q[1]);
      entered.forEach(([si, from], k) => {
        const next = entered[k + 1];
        const final = ACQ_STATES[si] === 'Completed' || ACQ_STATES[si] === 'Aborted';
        const to = next ? next[1] : final ? from : data.made;
        const seg = h('span', { class: 'seg', style: `left:${pct(from)};width:max(2px,calc(${pct(to)} - ${pct(from)}));background:${ACQ_COLOURS[si]}`, title: `${ACQ_STATES[si]} from ${clock(from)}${next ? ` for ${dur(to - from)}` : ''}` });
        bar.append(seg);
      });
      for (const al of a.alerts) bar.append(h('span', { class: `alertmark ${al.severity}`, style: `left:${pct(al.ts)}`, title: `${al.severity} ${clock(al.ts)}: ${al.description}` }, '▲'));
      const span = (x: string, y: string): string => (a.times[x] !== undefined && a.times[y] !== undefined ? dur(a.times[y] - a.times[x]) : '-');
      const alerts = h('td', { class: 'alerts' }, ...a.alerts.map((al) => h('div', { class: al.severity }, `${al.severity}: ${al.description}`)));
      t.append(h('tr', {}, h('td', {}, a.id, h('div', { class: 'desc' }, `${a.fileId}.fits${a.archived ? ', archived' : ''}`)), h('td', { class: a.error ? 'bad' : '' }, a.state + (a.error ? ' (error)' : '')), h('td', { class: 'barcell' }, bar), h('td', { class: 'num' }, span('Collecting', 'Merging')), h('td', { class: 'num' }, span('Merging', 'Releasing')), h('td', { class: 'num' }, span('Releasing', 'Completed')), alerts));
    }
    sec.append(t);
    if (data.acquisitions.length > acqs.length) sec.append(h('p', { class: 'dim' }, `… and ${data.acquisitions.length - acqs.length} more`));
    main.append(sec);
  }
  document.body.setAttribute('data-ready', '1');
}
