// Why a job runs, as values (state/staleness.ts decides them), and their words.

export type Reason =
  | { kind: 'missing'; path: string }
  | { kind: 'incomplete' }
  | { kind: 'failed' }
  | { kind: 'command'; changes?: string[] } // what differs from the last run's command, if known
  | { kind: 'inputs-set'; added: string[]; removed: string[] }
  | { kind: 'input-changed'; path: string }
  | { kind: 'dependency'; job: string }
  | { kind: 'older'; output: string; input: string }
  | { kind: 'check'; path: string; detail: string }
  /** Asked to rerun (dax run -B) whatever its state. */
  | { kind: 'forced' };

export function describeReason(r: Reason): string {
  switch (r.kind) {
    case 'missing':
      return `output missing: ${r.path}`;
    case 'incomplete':
      return 'incomplete: an earlier attempt started and did not finish';
    case 'failed':
      return 'failed last time';
    case 'command':
      return r.changes?.length ? `command changed: ${r.changes.join('; ')}` : 'command or environment changed';
    case 'inputs-set': {
      const parts: string[] = [];
      if (r.added.length) parts.push(`added ${r.added.slice(0, 3).join(', ')}${r.added.length > 3 ? ', …' : ''}`);
      if (r.removed.length) parts.push(`removed ${r.removed.slice(0, 3).join(', ')}${r.removed.length > 3 ? ', …' : ''}`);
      return `inputs changed: ${parts.join('; ')}`;
    }
    case 'input-changed':
      return `input changed: ${r.path}`;
    case 'dependency':
      return `dependency runs: ${r.job}`;
    case 'older':
      return `output ${r.output} is older than input ${r.input} (no record in the journal)`;
    case 'check':
      return `output incomplete: ${r.path} (${r.detail})`;
    case 'forced':
      return 'forced (-B)';
  }
}

/** A reason's group, for counting jobs by why they run (a run header's "165 command changed
 * (var generate)"): the kind, and for a command change what changed, without the values. */
export function reasonGroup(r: Reason): string {
  switch (r.kind) {
    case 'command': {
      const what = new Set((r.changes ?? []).map((c) => c.slice(0, c.indexOf(':'))));
      return what.size ? `command changed (${[...what].join(', ')})` : 'command or environment changed';
    }
    case 'missing':
      return 'output missing';
    case 'incomplete':
    case 'check':
      return 'incomplete';
    case 'failed':
      return 'failed last time';
    case 'inputs-set':
    case 'input-changed':
      return 'input changed';
    case 'dependency':
      return 'dependency runs';
    case 'older':
      return 'output older than input';
    case 'forced':
      return 'forced (-B)';
  }
}
