// dax graph through the real CLI: DOT that Graphviz's own parser accepts, with the edges the
// Daxfile's rules make; states after a failed run; --jobs and its size limit; -o; bad usage.
import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dax, exists, project, removeProjects } from '../engine/helpers.js';
import { refused } from '../graph/cli.js';
import { CATALOG_EDGES, SMALL_EDGES, catalogCopy, graphviz, removeCopies, smallProject } from './helpers.js';

afterAll(() => {
  removeProjects();
  removeCopies();
});

/** The DOT attributes of one node statement. */
function nodeLine(dotText: string, id: string): string {
  const line = dotText.split('\n').find((l) => l.trimStart().startsWith(`"${id}" [`));
  if (!line) throw new Error(`no node ${id} in\n${dotText}`);
  return line;
}

describe('dax graph (DOT)', () => {
  it('the demo catalog: one node per rule with its job count, the edges its rules make; Graphviz reads it', () => {
    const dir = catalogCopy();
    const r = dax(dir, 'graph');
    expect(r.code, r.stderr).toBe(0);
    const drawn = graphviz(r.stdout);
    expect(drawn.nodes.sort()).toEqual(['catalog_generate_ct', 'catalog_generate_eo', 'catalog_ingest', 'catalog_partition', 'catalog_publish']);
    expect(drawn.edges).toEqual(CATALOG_EDGES);
    // The counts dax status gives, in each label.
    const status = JSON.parse(dax(dir, 'status', '--json').stdout) as { rules: Record<string, { total: number }> };
    for (const [rule, row] of Object.entries(status.rules)) {
      expect(nodeLine(r.stdout, rule)).toContain(`\\n${row.total} job${row.total === 1 ? '' : 's'}: ${row.total} to run`);
    }
    // Read-only: the example directory gets no .dax/.
    expect(exists(dir, '.dax')).toBe(false);

    // Targets narrow the graph: partition's files need neither ingest nor publish.
    const part = dax(dir, 'graph', 'catalog_partition');
    expect(part.code, part.stderr).toBe(0);
    expect(graphviz(part.stdout).edges).toEqual(['catalog_generate_ct -> catalog_partition', 'catalog_generate_eo -> catalog_partition']);
  });

  it('after a failed run: failed, up to date and to-run rules in their colours and classes', () => {
    const dir = smallProject();
    const before = graphviz(dax(dir, 'graph').stdout);
    expect(before.edges).toEqual(SMALL_EDGES);
    expect(dax(dir, 'run', '-k').code).toBe(1);
    const r = dax(dir, 'graph');
    expect(r.code, r.stderr).toBe(0);
    expect(graphviz(r.stdout).edges).toEqual(SMALL_EDGES);
    expect(nodeLine(r.stdout, 'gen')).toMatch(/3 jobs: 3 up to date".*fillcolor="#c8e6c9".*class="up-to-date"/);
    expect(nodeLine(r.stdout, 'square')).toMatch(/3 jobs: 2 up to date, 1 failed".*fillcolor="#ffcdd2".*class="failed"/);
    expect(nodeLine(r.stdout, 'note')).toMatch(/class="up-to-date"/);
    expect(nodeLine(r.stdout, 'sum')).toMatch(/1 job: 1 to run".*class="to-run"/);
    // The legend names every state.
    for (const s of ['up to date', 'to run', 'running', 'failed']) expect(r.stdout).toContain(`label="${s}"`);
  });

  it('--jobs: a node per job, an edge per dependency, each job in its own state', () => {
    const dir = smallProject();
    expect(dax(dir, 'run', '-k').code).toBe(1);
    const r = dax(dir, 'graph', '--jobs');
    expect(r.code, r.stderr).toBe(0);
    const drawn = graphviz(r.stdout);
    expect(drawn.nodes).toHaveLength(8);
    expect(drawn.edges).toHaveLength(7);
    for (const n of ['1', '2', '3']) {
      const gen = drawn.nodes.find((x) => new RegExp(`^gen\\[(n=)?${n}\\]$`).test(x))!;
      const square = drawn.nodes.find((x) => new RegExp(`^square\\[(n=)?${n}\\]$`).test(x))!;
      expect(drawn.edges).toContain(`${gen} -> ${square}`);
      expect(drawn.edges).toContain(`${square} -> sum`);
      expect(nodeLine(r.stdout, square)).toContain(n === '2' ? 'class="failed"' : 'class="up-to-date"');
    }
    expect(drawn.edges).toContain('note -> sum');
    // The why of a job's state is its tooltip.
    expect(nodeLine(r.stdout, 'sum')).toMatch(/tooltip="output missing: sum.txt"/);
  });

  it('wildcard values are data: quotes, backslashes, markup and arrows stay text in every format', () => {
    const values = ['q"uote', 'back\\Nslash', '<b>&amp;', 'a->b', "it's"];
    const dir = project({
      'Daxfile.yaml': `version: 1
wildcards:
  v: { values: ${JSON.stringify(values)} }
rules:
  make:
    output: 'out/{v}.txt'
    run: 'true'
targets: ['out/{v}.txt']
`,
    });
    const r = dax(dir, 'graph', '--jobs');
    expect(r.code, r.stderr).toBe(0);
    const drawn = graphviz(r.stdout);
    expect(drawn.nodes).toHaveLength(values.length);
    // Each label drawn as the value's own text: Graphviz's \N (the node's name) not expanded.
    for (const v of values) expect(drawn.texts.some((t) => t.includes(v)), v).toBe(true);
    for (const format of ['svg', 'html']) {
      const out = dax(dir, 'graph', '--jobs', '--format', format);
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).not.toContain('<b>');
      expect(out.stdout).toContain('&lt;b&gt;&amp;amp;');
      expect(out.stdout).toContain('q&quot;uote');
    }
  });

  it('--jobs refuses a job graph above 2000 jobs, says how many and to name fewer targets (exit 2)', () => {
    const many = Array.from({ length: 2001 }, (_, i) => String(i));
    const dir = project({
      'Daxfile.yaml': `version: 1
wildcards:
  n: { values: ${JSON.stringify(many)} }
rules:
  make:
    output: 'out/{n}.txt'
    run: 'true'
targets: ['out/{n}.txt']
`,
    });
    const stderr = refused(dir, 'graph', '--jobs', '-o', 'jobs.svg');
    expect(stderr).toMatch(/job graph of the Daxfile's targets has 2001 jobs, more than dax graph --jobs draws \(2000\)/);
    expect(stderr).toMatch(/hint: name fewer targets/);
    // The rule graph of the same plan is one node; fewer targets give a job graph.
    expect(graphviz(dax(dir, 'graph').stdout).nodes).toEqual(['make']);
    const few = dax(dir, 'graph', '--jobs', 'out/7.txt', 'out/8.txt');
    expect(few.code, few.stderr).toBe(0);
    expect(graphviz(few.stdout).nodes).toHaveLength(2);
  });

  it('-o FILE writes the file (its format from the extension unless --format says), nothing on stdout', () => {
    const dir = smallProject();
    for (const [file, start] of [['g.dot', 'digraph dax {'], ['g.svg', '<svg '], ['g.html', '<!doctype html>'], ['g.txt', 'digraph dax {']] as const) {
      const r = dax(dir, 'graph', '-o', file);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('');
      expect(readFileSync(join(dir, file), 'utf8').startsWith(start)).toBe(true);
    }
    const forced = dax(dir, 'graph', '--format', 'svg', '-o', 'forced.html');
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(dir, 'forced.html'), 'utf8').startsWith('<svg ')).toBe(true);
    // Atomic: no temp left beside the files.
    expect(readdirSync(dir).sort()).toEqual(['Daxfile.yaml', 'forced.html', 'g.dot', 'g.html', 'g.svg', 'g.txt']);
  });

  it('targets that no job makes (a source file): an empty graph, still a valid drawing', () => {
    const dir = smallProject();
    expect(graphviz(dax(dir, 'graph', 'Daxfile.yaml').stdout).nodes).toEqual([]);
    for (const format of ['svg', 'html']) {
      const r = dax(dir, 'graph', 'Daxfile.yaml', '--format', format);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/<svg [^>]*viewBox="0 0 \d+ \d+"/);
      expect(r.stdout).not.toMatch(/NaN|Infinity/);
    }
  });

  it('usage errors exit 2 and write nothing: a bad --format, an -o in a missing directory', () => {
    const dir = smallProject();
    expect(refused(dir, 'graph', '--format', 'png', '-o', 'g.png')).toMatch(/--format must be one of dot, svg, html, got "png"/);
    expect(refused(dir, 'graph', '-o', 'no/such/dir/g.svg')).toMatch(/cannot write no\/such\/dir\/g.svg: ENOENT/);
  });
});
