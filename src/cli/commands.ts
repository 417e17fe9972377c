import type { Command } from 'commander';

// One line per command; each command lives in its own file and registers itself.
export function registerCommands(program: Command, version: string): void {
  void program;
  void version;
}
