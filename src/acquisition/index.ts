// The acquisition domain module (README "Acquisitions"): the workspace, queueing, the jobs of
// rules/acquisition.yaml, and the plugins the CLI registers with the engine.
export { Workspace, unsafeId, SAFE_ID } from './workspace.js';
export { queueSpec, type QueueError } from './queue.js';
export { collect, mergeAcq, release } from './jobs.js';
export { acquisitionPlugins } from './domain.js';
export * from './status.js';
