// The README's example Daxfile runs as shown.
import { afterAll, expect, it } from 'vitest';
import { dax, files, project, read, removeProjects } from '../engine/helpers.js';
import { blocks } from './markdown.js';

afterAll(() => removeProjects());

it("the Daxfile section's example runs, making what its text says", () => {
  const example = blocks('README.md').find((b) => b.heading === 'Daxfile' && b.lang === 'yaml');
  expect(example?.text).toMatch(/^version: 1\n/);
  const dir = project({ 'Daxfile.yaml': example!.text, 'chunks.txt': '7140:7142\n', 'spec.yaml': 'seed: 1\n' });
  const r = dax(dir, 'run');
  expect(r.code, r.stderr + r.stdout).toBe(0);
  expect(files(dir, 'out').sort()).toEqual([
    'out/gen/7140_Forced_Source.csv',
    'out/gen/7140_Object.csv',
    'out/gen/7141_Forced_Source.csv',
    'out/gen/7141_Object.csv',
    'out/gen/7142_Forced_Source.csv',
    'out/gen/7142_Object.csv',
    'out/ing/7140.done',
    'out/ing/7141.done',
    'out/ing/7142.done',
  ]);
  expect(read(dir, 'out/ing/7141.done')).toBe('chunk,table,objects\n7141,Object,1000\nchunk,table,objects\n7141,Forced_Source,1000\n');
  expect(dax(dir, 'run', '-n').code).toBe(0);
});
