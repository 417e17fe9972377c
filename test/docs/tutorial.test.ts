// docs/tutorial.md as written: its Daxfile, then every `$ command` of its console blocks, in order,
// in one project directory, with `dax` on the PATH. What the tutorial shows after a command is
// checked: exactly for other commands (cat, echo $?), line by line for dax (each shown line, but
// for `...`, is part of one line of its output, time stamps aside and job names with or without
// their wildcard labels).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DAX, env } from '../engine/helpers.js';
import { blocks } from './markdown.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'dax-tutorial-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Step {
  command: string;
  shown: string[];
  heading: string;
}

/** The console blocks' commands with what each block shows after them. */
function steps(): Step[] {
  const out: Step[] = [];
  for (const b of blocks('docs/tutorial.md')) {
    if (b.lang !== 'console') continue;
    for (const line of b.text.trimEnd().split('\n')) {
      if (line.startsWith('$ ')) out.push({ command: line.slice(2), shown: [], heading: b.heading });
      else out[out.length - 1]!.shown.push(line);
    }
  }
  return out;
}

/** A line as compared: no leading ISO time stamp, `job[n=v]` as `job[v]`, single spaces. */
function normal(line: string): string {
  return line
    .replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z\s+/, '')
    .replace(/\[([^\]]*)\]/g, (_, inner: string) => `[${inner.replace(/\b\w+=/g, '')}]`)
    .replace(/\s+/g, ' ')
    .trim();
}

describe('docs/tutorial.md', () => {
  const project = path.join(tmp, 'first');
  mkdirSync(project);
  // `dax` as the tutorial's reader has it: a command on the PATH (here, this checkout's).
  const bin = path.join(tmp, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'dax'), `#!/bin/sh\nexec "${process.execPath}" "${DAX}" "$@"\n`);
  chmodSync(path.join(bin, 'dax'), 0o755);
  const shellEnv = { ...env(), PATH: `${bin}:${process.env['PATH'] ?? ''}`, LC_ALL: 'C' };

  it('has a Daxfile and commands', () => {
    const daxfile = blocks('docs/tutorial.md').filter((b) => b.lang === 'yaml');
    expect(daxfile).toHaveLength(1);
    writeFileSync(path.join(project, 'Daxfile.yaml'), daxfile[0]!.text);
    const all = steps();
    expect(all.map((s) => s.command)).toEqual(expect.arrayContaining(['dax run -n', 'dax run', 'dax status', 'dax resume']));
  });

  let last = 0;
  let ran = false;
  for (const [i, step] of steps().entries()) {
    it(`${i + 1}. ${step.heading}: $ ${step.command}`, () => {
      // The tutorial says a dry run writes nothing, not even .dax/.
      if (step.command === 'dax run -n' && !ran) expect(existsSync(path.join(project, '.dax'))).toBe(false);
      if (step.command === 'dax run' || step.command === 'dax resume') ran = true;
      if (step.command === 'echo $?') {
        expect(step.shown).toEqual([String(last)]);
        return;
      }
      const r = spawnSync('/bin/sh', ['-c', step.command], { cwd: project, env: shellEnv, encoding: 'utf8', timeout: 60_000 });
      last = r.status ?? -1;
      const output = `${r.stdout}${r.stderr}`;
      if (!step.command.startsWith('dax ')) {
        expect(r.status, output).toBe(0);
        expect(output).toBe(step.shown.length ? `${step.shown.join('\n')}\n` : '');
        return;
      }
      const actual = output.split('\n').map(normal);
      for (const want of step.shown.filter((l) => l !== '...').map(normal)) {
        expect(actual.some((a) => a.includes(want)), `"${want}" in the output of ${step.command}:\n${output}`).toBe(true);
      }
    });
  }
});
