// Shared by the graph tests that run the real CLI: a project, `dax ARGS`, and the check that a
// refused command wrote nothing (no .dax/, no outputs).
import { expect } from 'vitest';
import { dax, files, project, type Result } from '../engine/helpers.js';

export { dax, files, project };

/** Runs `dax ARGS` in a project made of `tree`, expects exit 2 and an untouched tree; returns stderr. */
export function refused(tree: Record<string, string> | string, ...args: string[]): string {
  const dir = typeof tree === 'string' ? tree : project(tree);
  const before = files(dir);
  const r: Result = dax(dir, ...args);
  expect(r.code, r.stderr + r.stdout).toBe(2);
  expect(files(dir)).toEqual(before);
  return r.stderr;
}
