// The hidden helper behind shell completion: `dax __complete -- WORDS...` (the words after
// `dax`, the last one being completed) prints the candidates that start with it, one a line;
// or __files__ / __dirs__ for the shell to complete paths itself. It never fails loudly: a
// broken Daxfile just gives no rule names.
import type { Command, Option } from 'commander';
import { commandName } from './commands.js';

/** Commands whose arguments are targets (rule names, the Daxfile's targets). */
const TARGET_COMMANDS = new Set(['run', 'status', 'why', 'log', 'clean', 'touch']);

export function registerComplete(program: Command): void {
  program
    .command('__complete', { hidden: true })
    .argument('[words...]')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (words: string[]) => {
      const out = await candidates(words);
      if (out.length) process.stdout.write(out.join('\n') + '\n');
    });
}

const FILES = '__files__';
const DIRS = '__dirs__';

function flags(o: Option): string[] {
  return [o.short, o.long].filter((f): f is string => f !== undefined);
}

async function candidates(words: string[]): Promise<string[]> {
  const cur = words[words.length - 1] ?? '';
  const before = words.slice(0, -1);
  // Every command registered, for their names and options.
  const { buildProgram } = await import('./main.js');
  const program = await buildProgram(['node', 'dax']);
  const globalsOpts = program.options;
  const name = commandName(before);
  const cmd = name === undefined ? undefined : program.commands.find((c) => c.name() === name);
  const opts = [...globalsOpts, ...((cmd?.options) ?? [])];
  const prev = before[before.length - 1];
  const prevOpt = prev === undefined ? undefined : opts.find((o) => flags(o).includes(prev));
  let list: string[];
  if (prevOpt && (prevOpt.required || prevOpt.optional)) {
    if (prevOpt.long === '--directory' || prevOpt.long === '--workspace') return [DIRS];
    if (prevOpt.long === '--file') return [FILES];
    if (prevOpt.long === '--log-level') list = ['error', 'warn', 'info', 'debug'];
    else return [];
  } else if (cur.startsWith('-')) {
    list = [...opts.flatMap((o) => (o.hidden ? [] : o.long ? [o.long] : flags(o))), '--help'];
  } else if (!cmd) {
    list = program.createHelp().visibleCommands(program).map((c) => c.name());
  } else if (name === 'completion') {
    list = ['bash', 'zsh'];
  } else if (name === 'help') {
    list = program.createHelp().visibleCommands(program).map((c) => c.name()).filter((n) => n !== 'help');
  } else if (TARGET_COMMANDS.has(name!)) {
    list = await targets(before);
    if (list.length === 0) return [FILES];
  } else return [FILES];
  return [...new Set(list)].filter((c) => c.startsWith(cur));
}

/** Rule names and the Daxfile's targets, read with the -C/-f given on the command line. */
async function targets(words: string[]): Promise<string[]> {
  const valueOf = (...names: string[]): string | undefined => {
    let v: string | undefined;
    for (let i = 0; i < words.length - 1; i++) if (names.includes(words[i]!)) v = words[i + 1];
    return v;
  };
  const directory = valueOf('-C', '--directory');
  const file = valueOf('-f', '--file');
  try {
    const { loadProject } = await import('../exec/project.js');
    const { plugins } = await import('./project.js');
    const { VERSION } = await import('./main.js');
    const p = await loadProject({ cwd: process.cwd(), ...(directory !== undefined ? { directory } : {}), ...(file !== undefined ? { file } : {}), sets: {}, env: process.env, plugins: plugins(), version: VERSION });
    if (!p.ok) return [];
    return [...p.value.pipeline.rules.map((r) => r.name), ...p.value.config.targets.map((t) => t.text)];
  } catch {
    return [];
  }
}
