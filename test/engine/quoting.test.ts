// Wildcard values are data, never code: shell-quoted in string commands, one argv element each
// in list commands.
import { afterAll, describe, expect, it } from 'vitest';
import { dax, removeProjects, files, project, read } from './helpers.js';

afterAll(() => removeProjects());

// Values a careless runner would execute. The pattern allows spaces and shell metacharacters
// (everything but '/').
const NASTY = ['a b;touch x', '$(touch y)', '`touch z`', "it's", 'q"uote&&touch w', '*'];

function daxfile(run: string): string {
  return `version: 1
wildcards:
  v:
    pattern: '[^/]+'
    values:
${NASTY.map((v) => `      - ${JSON.stringify(v)}`).join('\n')}
rules:
  echo:
    output: out/{v}.txt
    run: ${run}
    env:
      VALUE: "{v}"
targets:
  - out/{v}.txt
`;
}

describe('shell injection', () => {
  it('a string command gets each value shell-quoted: nothing is executed, the output holds it verbatim', () => {
    const dir = project({ 'Daxfile.yaml': daxfile(`'printf "%s|%s\\n" {v} "$VALUE" > {output}'`) });
    const r = dax(dir, 'run');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    for (const v of NASTY) expect(read(dir, `out/${v}.txt`)).toBe(`${v}|${v}\n`);
    // No file was created by the values: only the Daxfile, the outputs and .dax/.
    expect(files(dir).filter((f) => !f.startsWith('.dax/'))).toEqual(['Daxfile.yaml', ...NASTY.map((v) => `out/${v}.txt`)].sort());
  });

  it('a list command gets each value as one argument', () => {
    // printf prints each argument followed by '|': a value split by a shell would show as several.
    const dir = project({ 'Daxfile.yaml': daxfile(`[sh, -c, 'printf "%s|" "$@" > "$0"', "{output}", "{v}", "[{v}]"]`) });
    const r = dax(dir, 'run');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    for (const v of NASTY) expect(read(dir, `out/${v}.txt`)).toBe(`${v}|[${v}]|`);
    expect(files(dir).filter((f) => !f.startsWith('.dax/'))).toEqual(['Daxfile.yaml', ...NASTY.map((v) => `out/${v}.txt`)].sort());
  });

  it('a value given as a target path is quoted the same way', () => {
    const dir = project({ 'Daxfile.yaml': daxfile(`'echo {v} > {output}'`) });
    const r = dax(dir, 'run', 'out/a b;touch x.txt');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(files(dir).filter((f) => !f.startsWith('.dax/'))).toEqual(['Daxfile.yaml', 'out/a b;touch x.txt']);
    expect(read(dir, 'out/a b;touch x.txt')).toBe('a b;touch x\n');
  });
});
