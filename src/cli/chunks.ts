import type { Command } from 'commander';

/** `dax chunks`: see chunks.md. */
export function registerChunks(program: Command): void {
  void program;
}
