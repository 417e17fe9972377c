// `dax completion bash|zsh`: a completion script to source. The script asks `dax __complete`
// (complete.ts) for candidates, so commands, options, rule names and targets stay current.
import type { Command } from 'commander';
import { usageError } from './options.js';

// The words are handed over after `--`, so an option being typed is not read as one; the
// binary is the one being completed (${COMP_WORDS[0]}), so a dax not on PATH works too.
const BASH = `# dax completion for bash: source <(dax completion bash)
_dax_complete() {
  local cur=\${COMP_WORDS[COMP_CWORD]}
  local -a out
  mapfile -t out < <("\${COMP_WORDS[0]}" __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  case "\${out[0]}" in
    __files__) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
    __dirs__) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
    *) COMPREPLY=("\${out[@]}") ;;
  esac
}
complete -F _dax_complete dax
`;

const ZSH = `#compdef dax
# dax completion for zsh: source <(dax completion zsh), or save as _dax in your $fpath
_dax() {
  local -a out
  out=("\${(@f)$("\${words[1]}" __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  case "\${out[1]}" in
    __files__) _files ;;
    __dirs__) _files -/ ;;
    *) (( \${#out} )) && [[ -n "\${out[1]}" ]] && compadd -- "\${out[@]}" ;;
  esac
}
if (( $+functions[compdef] )); then compdef _dax dax; fi
`;

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script: source <(dax completion bash), or zsh')
    .argument('<shell>', 'bash or zsh')
    .action((shell: string) => {
      if (shell === 'bash') process.stdout.write(BASH);
      else if (shell === 'zsh') process.stdout.write(ZSH);
      else usageError(`completion: unknown shell '${shell}': bash or zsh`);
    });
}
