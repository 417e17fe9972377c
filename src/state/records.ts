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
}

export interface RunEndRecord {
  t: 'runend';
  id: string;
  end: number;
  result: RunResult;
  counts: Record<string, number>;
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

export type JournalRecord = RunRecord | RunEndRecord | StartRecord | EndRecord;
