import type { Command } from 'commander';
import { registerRun } from './run.js';
import { registerStatus } from './status.js';
import { registerResume } from './resume.js';
import { registerRuns } from './runs.js';
import { registerMerge } from './merge.js';
import { registerChunks } from './chunks.js';

// One line per command; each command lives in its own file and registers itself.
export function registerCommands(program: Command, version: string): void {
  void version;
  registerRun(program);
  registerStatus(program);
  registerResume(program);
  registerRuns(program);
  registerMerge(program);
  registerChunks(program);
}
