// Shell completion, sourced by a real bash; and help texts a user reads.
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DAX, dax, env, project, removeProjects } from '../engine/helpers.js';

afterAll(() => removeProjects());

const DAXFILE = `version: 1
wildcards:
  n: { values: [a, b] }
rules:
  gen: { output: 'out/{n}.txt', run: 'echo {n} > {output}' }
  sum: { input: [out/a.txt, out/b.txt], output: out/all.txt, run: 'cat {input} > {output}' }
targets: [out/all.txt]
`;

/** A project with `dax` on PATH (as a user installs it), and bash in it. */
function shell(): { dir: string; bash: (script: string) => { code: number | null; stdout: string; stderr: string } } {
  const dir = project({ 'Daxfile.yaml': DAXFILE, 'sub/Daxfile.yaml': DAXFILE.replace('gen:', 'other:').replace('out/all.txt]', "'out/{n}.txt']").replace(/ {2}sum: .*\n/, '') });
  mkdirSync(join(dir, 'bin'));
  symlinkSync(DAX, join(dir, 'bin/dax'));
  const e = env({ PATH: `${join(dir, 'bin')}:${process.env['PATH'] ?? ''}` });
  return {
    dir,
    bash: (script) => {
      const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { cwd: dir, env: e, encoding: 'utf8', timeout: 60_000 });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    },
  };
}

/** What bash completes for a command line (the last word being typed; '' after a space). */
const complete = (line: string): string =>
  `source <(dax completion bash)
read -ra COMP_WORDS <<< ${JSON.stringify(line)}
${line.endsWith(' ') ? 'COMP_WORDS+=("")' : ':'}
COMP_CWORD=$((\${#COMP_WORDS[@]} - 1))
_dax_complete
printf '%s\\n' "\${COMPREPLY[@]}"`;

describe('dax completion', () => {
  it('bash: the script sources and registers a completion for dax', () => {
    const { bash } = shell();
    const r = bash('source <(dax completion bash); complete -p dax');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('complete -F _dax_complete dax\n');
  });

  it('bash: completes commands, options, rule names and targets (from the Daxfile, -C honoured), values and files', () => {
    const { bash } = shell();
    const words = (line: string): string[] => {
      const r = bash(complete(line));
      expect(r.stderr, line).toBe('');
      return r.stdout.split('\n').filter((w) => w !== '');
    };
    const commands = words('dax ');
    expect(commands).toEqual(expect.arrayContaining(['run', 'status', 'list', 'log', 'why', 'clean', 'touch', 'completion', 'help']));
    expect(commands).not.toContain('__complete');
    expect(words('dax cl')).toEqual(['clean']);
    expect(words('dax run --fo')).toEqual(['--force']);
    expect(words('dax run --')).toEqual(expect.arrayContaining(['--dry-run', '--keep-going', '--jobs', '--directory', '--help']));
    expect(words('dax run ')).toEqual(['gen', 'sum', 'out/all.txt']);
    expect(words('dax why s')).toEqual(['sum']);
    expect(words('dax -C sub status ')).toEqual(['other', 'out/{n}.txt']);
    expect(words('dax --log-level ')).toEqual(['error', 'warn', 'info', 'debug']);
    expect(words('dax completion ')).toEqual(['bash', 'zsh']);
    expect(words('dax -f Dax')).toEqual(['Daxfile.yaml']);
    expect(words('dax -C s')).toEqual(['sub']);
  });

  it('zsh: a script that defines _dax and registers it', () => {
    const r = dax(project({}), 'completion', 'zsh');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^#compdef dax\n/);
    expect(r.stdout).toContain('__complete -- ');
    expect(r.stdout).toContain('compdef _dax dax');
    const bad = dax(project({}), 'completion', 'fish');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("dax: completion: unknown shell 'fish': bash or zsh\n");
  });
});

describe('help texts', () => {
  it('no "(default: [])"; -v and the other global options in each command\'s help; the Daxfile reference named', () => {
    const dir = project({});
    const top = dax(dir, '--help');
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/The Daxfile reference: \S*docs\/daxfile\.md/);
    for (const c of ['run', 'status', 'list', 'log', 'why', 'clean', 'touch', 'completion', 'resume', 'runs']) {
      const h = dax(dir, c, '--help');
      expect(h.code, c).toBe(0);
      expect(h.stdout, c).not.toContain('(default: [])');
      expect(h.stdout, c).toMatch(/-v, --verbose +more detail/);
    }
    expect(dax(dir, 'run', '--help').stdout).toMatch(/-B, --force +rerun even if up to date/);
  });
});
