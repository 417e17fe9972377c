// The traps of writing a Daxfile by hand: ": " and " #" in unquoted commands, misspelt keys and
// placeholders, Snakemake habits, misspelt rule names as targets, and many errors at once.
import { afterAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/exec/project.js';
import { formatConfigError } from '../../src/config/errors.js';
import type { ConfigError } from '../../src/config/model.js';
import { dax, files, project, read, removeProjects } from '../engine/helpers.js';

afterAll(() => removeProjects());

async function loadError(daxfile: string): Promise<ConfigError> {
  const dir = project({ 'Daxfile.yaml': daxfile });
  const r = await loadProject({ cwd: dir, sets: {}, env: {}, version: 'test' });
  expect(r.ok, 'expected a config error').toBe(false);
  if (r.ok) throw new Error('unreachable');
  return r.error;
}

/** `dax run` on the Daxfile: exit 2, nothing written, stderr returned. */
function cliError(daxfile: string, ...args: string[]): string {
  const dir = project({ 'Daxfile.yaml': daxfile });
  const before = files(dir);
  const r = dax(dir, 'run', ...args);
  expect(r.code, r.stderr).toBe(2);
  expect(files(dir)).toEqual(before);
  return r.stderr;
}

describe('": " in an unquoted command', () => {
  const daxfile = 'version: 1\nrules:\n  gen:\n    output: out.txt\n    run: echo key: value > {output}\ntargets: [out.txt]\n';

  it('says why, where, and what to write instead', async () => {
    const e = await loadError(daxfile);
    expect(e.loc).toMatchObject({ line: 5, col: 10 });
    expect(e.message).toMatch(/the ": " in this unquoted value starts a mapping/);
    expect(e.hint).toMatch(/quote the whole command .*run: >-/);
    const stderr = cliError(daxfile);
    expect(stderr).toMatch(/^dax: Daxfile\.yaml:5:10: YAML syntax error: .*": "/);
    expect(stderr).toMatch(/hint: .*run: >-/);
  });

  it('with the command on the next line (a mapping, not a syntax error)', async () => {
    const e = await loadError('version: 1\nrules:\n  gen:\n    output: out.txt\n    run:\n      echo key: value > {output}\n');
    expect(e.key).toBe('rules.gen.run');
    expect(e.hint).toMatch(/": " inside an unquoted value starts a mapping/);
    const item = await loadError('version: 1\nrules:\n  gen:\n    output: out.txt\n    run:\n      - echo key: value\n');
    expect(item).toMatchObject({ key: 'rules.gen.run[0]', hint: expect.stringMatching(/starts a mapping/) });
  });

  it('the folded form the hint suggests runs', () => {
    const dir = project({ 'Daxfile.yaml': 'version: 1\nrules:\n  gen:\n    output: out.txt\n    run: >-\n      echo key: value > {output}\ntargets: [out.txt]\n' });
    const r = dax(dir, 'run');
    expect(r.code, r.stderr).toBe(0);
    expect(read(dir, 'out.txt')).toBe('key: value\n');
  });
});

describe('" #" inside shell quotes of an unquoted command', () => {
  const cut = "version: 1\nrules:\n  gen:\n    output: out.txt\n    run: echo 'a #b' > {output}\ntargets: [out.txt]\n";

  it('warns with the place and the command dax will run', async () => {
    const dir = project({ 'Daxfile.yaml': cut });
    const r = await loadProject({ cwd: dir, sets: {}, env: {}, version: 'test' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [w, ...rest] = r.value.config.warnings ?? [];
    expect(rest).toEqual([]);
    expect(w).toMatchObject({ key: 'rules.gen.run', loc: { line: 5, col: 18 } });
    expect(w!.message).toContain(`"echo 'a"`);
    const run = dax(dir, 'run', '-n');
    expect(run.stderr).toMatch(/dax: warning: Daxfile\.yaml:5:18: rules\.gen\.run: the command ends here: YAML reads " #" as the start of a comment/);
  });

  it('quotes are read as the shell reads them', async () => {
    const warned = async (run: string): Promise<number> => {
      const dir = project({ 'Daxfile.yaml': `version: 1\nrules:\n  gen:\n    output: out.txt\n    run: ${run}\n` });
      const r = await loadProject({ cwd: dir, sets: {}, env: {}, version: 'test' });
      expect(r.ok).toBe(true);
      return r.ok ? (r.value.config.warnings ?? []).length : -1;
    };
    expect(await warned(`echo "it's" > {output} # a note`)).toBe(0);
    expect(await warned(`echo it\\'s > {output} # a note`)).toBe(0);
    expect(await warned(`echo "it's #1" > {output}`)).toBe(1);
  });

  it('a comment after a complete command is fine', async () => {
    const dir = project({ 'Daxfile.yaml': 'version: 1\nrules:\n  gen:\n    output: out.txt\n    run: echo "a b" > {output} # the greeting\ntargets: [out.txt]\n' });
    const r = await loadProject({ cwd: dir, sets: {}, env: {}, version: 'test' });
    expect(r.ok && r.value.config.warnings).toEqual([]);
    expect(dax(dir, 'run').stderr).not.toMatch(/warning/);
  });
});

describe('did you mean', () => {
  it("a misspelt required key is unknown, not missing: 'ouptut'", async () => {
    const daxfile = 'version: 1\nrules:\n  gen:\n    ouptut: out.txt\n    run: touch {output}\n';
    const e = await loadError(daxfile);
    expect(e.message).toBe("unknown key 'ouptut' in rules.gen — did you mean 'output'?");
    expect(e.more).toBeUndefined();
    expect(formatConfigError(e)).not.toMatch(/missing required key/);
    expect(cliError(daxfile)).toMatch(/^dax: Daxfile\.yaml:4:5: rules\.gen\.ouptut: unknown key 'ouptut' in rules\.gen — did you mean 'output'\?/);
  });

  it('a required key that is really missing is still reported as missing', async () => {
    const e = await loadError('version: 1\nrules:\n  gen:\n    colour: red\n    run: touch x\n');
    expect(formatConfigError(e)).toMatch(/missing required key 'output' in rules\.gen/);
    expect(formatConfigError(e)).toMatch(/unknown key 'colour'/);
  });

  it('{inputs} -> {input}', async () => {
    const e = await loadError('version: 1\nrules:\n  gen:\n    input: a.txt\n    output: out.txt\n    run: cp {inputs} {output}\n');
    expect(e).toMatchObject({ key: 'rules.gen.run', hint: 'did you mean {input}?' });
    expect(cliError('version: 1\nrules:\n  gen:\n    input: a.txt\n    output: out.txt\n    run: cp {inputs} {output}\n')).toMatch(
      /^dax: Daxfile\.yaml:6:10: rules\.gen\.run: placeholder \{inputs\}.*\n {2}hint: did you mean \{input\}\?/,
    );
  });

  it("Snakemake's {wildcards.x} -> {x}", async () => {
    const e = await loadError('version: 1\nwildcards:\n  x: { values: [a] }\nrules:\n  gen:\n    output: out/{x}.txt\n    run: echo {wildcards.x} > {output}\n');
    expect(e.key).toBe('rules.gen.run');
    expect(e.message).toMatch(/invalid placeholder \{wildcards\.x\}.*did you mean \{x\}\?/);
  });

  it('a misspelt rule name as a target', () => {
    const stderr = cliError('version: 1\nrules:\n  generate:\n    output: out.txt\n    run: touch {output}\n', 'generat');
    expect(stderr).toMatch(/nothing makes target generat/);
    expect(stderr).toMatch(/hint: did you mean the rule 'generate'\?/);
  });
});

describe('all errors at once', () => {
  it('schema errors of several rules, in file order, then a count', () => {
    const stderr = cliError('version: 1\nrules:\n  a:\n    ouptut: a.txt\n  b:\n    output: b.txt\n    retries: -1\n  c:\n    output: c.txt\n    timout: 5\n');
    const lines = stderr.split('\n').filter((l) => /^(dax: )?Daxfile\.yaml:/.test(l));
    expect(lines.map((l) => /Daxfile\.yaml:(\d+)/.exec(l)![1])).toEqual(['4', '7', '10']);
    expect(stderr).toMatch(/\n3 errors\n$/);
  });

  it('static checks of several rules', async () => {
    const e = await loadError('version: 1\nrules:\n  a:\n    output: a.txt\n    run: echo {vars.nope} > {output}\n  b:\n    output: b.txt\n    run: cp {inputs} {output}\n');
    expect([e, ...(e.more ?? [])].map((x) => x.key)).toEqual(['rules.a.run', 'rules.b.run']);
  });

  it('errors of wildcards and rules found while merging', async () => {
    const e = await loadError(
      'version: 1\nwildcards:\n  c: { values: [1], file: c.txt }\nrules:\n  a:\n    output: a.txt\n    outputs: atomic\n    cwd: sub\n    run: touch a.txt\n',
    );
    expect([e, ...(e.more ?? [])].map((x) => x.message)).toEqual([
      expect.stringContaining("wildcard 'c' has more than one domain"),
      expect.stringContaining('outputs: atomic runs the command in a directory of its own'),
    ]);
  });

  it('at most 20', async () => {
    const rules = Array.from({ length: 30 }, (_, i) => `  r${i}:\n    output: o${i}.txt\n    retries: -1\n`).join('');
    const e = await loadError(`version: 1\nrules:\n${rules}`);
    expect(1 + (e.more?.length ?? 0)).toBe(20);
    expect(formatConfigError(e)).toMatch(/\n20 errors listed \(dax lists at most 20\)$/);
  });
});
