import type { Command } from 'commander';

/** `dax merge`: see acquisitions.md. */
export function registerMerge(program: Command): void {
  void program;
}
