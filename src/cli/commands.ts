import type { Command } from 'commander';
import { registerRun } from './run.js';
import { registerMerge } from './merge.js';
import { registerChunks } from './chunks.js';

// One line per command; each command lives in its own file and registers itself.
export function registerCommands(program: Command, version: string): void {
  void version;
  registerRun(program);
  registerMerge(program);
  registerChunks(program);
}
