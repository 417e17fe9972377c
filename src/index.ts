// dax-pipeline: the engine's API for programs that use dax as a library (a daemon, a test, a
// site's own tool). The CLI (bin/dax.js) is built on the same calls. Subpaths:
// dax-pipeline/chunks (the sky chunker), dax-pipeline/fits (the FITS merger).
//
//   const project = await loadProject({ cwd, sets: {}, env: process.env, version });
//   if (project.ok) await runPipeline(project.value, { targets: [], sets: {}, loggers: [myLogger], signal });
export { loadProject, type ProjectOptions } from './exec/project.js';
export { runPipeline, type Project, type RunOptions, type RunOutcome } from './exec/run.js';
export { runUntilSettled, domainStamp, type LoadedProject } from './exec/settle.js';
export { projectStatus, type ProjectStatus, type RuleRow, type JobStatus } from './exec/status.js';
export { workersOf, type Executor, type Worker, type JobSpec, type Handle, type AttemptResult, type AttemptEvents, type RunningAttempt, type Reattach } from './exec/executor.js';
export { LocalWorker } from './exec/local.js';
export { Loggers, type DaxEvent, type Logger, type Notice, type Report, type Counts, type WildcardReport, type WorkerReport } from './events/events.js';
export { makeLogger, JsonLogger, PlainLogger, TtyLogger, type LogLevel } from './events/loggers.js';
export { RunRecorder, runRecordPath, type RunRecord, type AttemptRecord } from './events/recorder.js';
export { liveRunId, runState, type RunState } from './state/runs.js';
export { emptyPlugins, type Plugins, type DomainPlugin, type ExpandFunction } from './graph/plugins.js';
export type { ConfigError } from './config/model.js';
export { formatConfigError } from './config/errors.js';
export { ok, err, assertNever, type Result } from './util/result.js';
export { Lock, describeHolder, type LockInfo, type LockFailure } from './state/lock.js';
export { tempPath, removeStaleTemps, hostTag } from './util/temp.js';
export { writeFileAtomic, openAtomic, cleanUpTempsOnSignals, type AtomicFile, type AtomicOptions, type AtomicWriteError } from './util/atomic.js';
