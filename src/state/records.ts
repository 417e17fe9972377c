// The journal's record types: one JSON object per line in .dax/journal.jsonl.

/** [path, size, mtimeMs, content hash ('' when not hashed)] */
export type InputPrint = [string, number, number, string];
/** [path, size, mtimeMs] */
export type OutputPrint = [string, number, number];

export type JobStatus = 'ok' | 'failed' | 'incomplete';
export type RunResult = 'ok' | 'failed' | 'interrupted';

export interface RunRecord {
  t: 'run';
  id: string;
  start: number;
  targets: string[];
  sets: Record<string, string>;
  keepGoing: boolean;
  pid: number;
  host: string;
  jobs?: number; // --jobs
  resumes?: string; // the run this one continues (dax resume)
}

export interface RunEndRecord {
  t: 'runend';
  id: string;
  end: number;
  result: RunResult;
  counts: Record<string, number>;
  bug?: string; // the run stopped on a bug in dax
}

export interface StartRecord {
  t: 'start';
  j: string; // job id
  r: string; // run id
  a: number; // attempt, 1-based
  ts: number;
  w: string; // worker
}

export interface EndRecord {
  t: 'end';
  j: string;
  r: string;
  a: number;
  ts: number; // end time
  b: number; // start time
  s: JobStatus;
  x: number | null; // exit code
  sig?: string;
  why?: string; // failure reason
  c: string; // command hash
  i: InputPrint[];
  o: OutputPrint[];
  w: string;
}

/** The first record of a journal: its format. Journals of dax 0.1 have none (version 1). */
export interface HeaderRecord {
  t: 'journal';
  v: number;
}

/** Where an attempt runs, written when its worker knows (the handle can be re-attached to). */
export interface AtRecord {
  t: 'at';
  j: string;
  r: string;
  a: number;
  w: string; // worker
  h: string; // the worker's handle
  q?: 1; // queued (waiting in a batch queue), not yet running
  ts: number;
}

/** What a rule's command was made of in a run (written once per rule that runs jobs): the
 * command and env as written, and the vars they use. Lets "command changed" say what changed. */
export interface CmdRecord {
  t: 'cmd';
  r: string; // run
  rule: string;
  run: string | string[] | null; // the command as written: shell text or argv; null: none
  vars: Record<string, string | number | boolean | Array<string | number | boolean>>;
  env?: Record<string, string>;
  cwd?: string;
}

export type JournalRecord = HeaderRecord | RunRecord | RunEndRecord | StartRecord | EndRecord | AtRecord | CmdRecord;

// 3: job ids name their values (`gen[n=1]`, was `gen[1]`).
export const JOURNAL_VERSION = 3;
