#!/usr/bin/env node
// The heap a built job graph holds: `node --expose-gc bench/lib/graph-heap.mjs DIR` loads the
// project in DIR (from dist/), builds its graph, collects garbage and prints the heap figures.
// For memory work on the graph (bench/README.md): RSS also counts node itself and freed pages.
import { loadProject } from '../../dist/cli/project.js';
import { planGraph, makePools } from '../../dist/exec/run.js';

const dir = process.argv[2] ?? '.';
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const mb = (b) => (b / 1e6).toFixed(1);
process.chdir(dir);
const { project } = await loadProject({ verbose: 0 }, []);
globalThis.gc();
const before = process.memoryUsage().heapUsed;
const g = planGraph(project, [], makePools(project.config), [{ name: 'local', slots: 0 }]);
if (!g.ok) throw new Error(g.error.message);
globalThis.gc();
const after = process.memoryUsage();
const jobs = g.value.jobs.length;
console.log(`${jobs} jobs: graph ${mb(after.heapUsed - before)} MB heap (${Math.round((after.heapUsed - before) / jobs)} B/job), heap used ${mb(after.heapUsed)} MB, RSS ${mb(after.rss)} MB`);
