// dax-pipeline: the engine's API for programs that use dax as a library. The CLI (bin/dax.js)
// is built on the same modules. Subpaths: dax-pipeline/chunks, dax-pipeline/fits.
export { ok, err, assertNever, type Result } from './util/result.js';
export { Lock, describeHolder, type LockInfo, type LockFailure } from './state/lock.js';
export { writeFileAtomic, openAtomic, tempPathFor, cleanUpTempsOnSignals, type AtomicFile, type AtomicOptions, type AtomicWriteError } from './util/atomic.js';
