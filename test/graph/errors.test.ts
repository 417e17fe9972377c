// Errors found while planning are config errors like those found while loading: one type, one
// format (file:line:col: key: message), exit 2.
import { afterAll, describe, expect, it } from 'vitest';
import { removeProjects } from '../engine/helpers.js';
import { refused } from './cli.js';

afterAll(() => removeProjects());

describe('plan errors', () => {
  it('a dependency cycle is reported at the rule, as a config error', () => {
    const e = refused(
      {
        'Daxfile.yaml': `version: 1
rules:
  a:
    output: a.txt
    input: b.txt
    run: touch {output}
  b:
    output: b.txt
    input: a.txt
    run: touch {output}
targets: [a.txt]
`,
      },
      'run',
    );
    expect(e).toMatch(/^dax: Daxfile\.yaml:\d+:3: dependency cycle: a -> b -> a\n/);
  });
});

describe('check:', () => {
  it('an unknown check is a config error at its value, listing the known checks', () => {
    const e = refused(
      {
        'Daxfile.yaml': `version: 1
rules:
  gen:
    output: a.csv
    run: touch {output}
    check: csvv
targets: [a.csv]
`,
      },
      'run',
    );
    expect(e).toMatch(/^dax: Daxfile\.yaml:6:12: rules\.gen\.check: unknown check 'csvv'; known checks: csv\n {2}hint: did you mean 'csv'\?/);
  });
});
