// dax merge's exit codes, apart from the merger: `dax queue` answers with the same codes and
// must not load the FITS code to say so.
import type { MergeErrorKind } from '../fits/errors.js';
import { assertNever } from '../util/result.js';

/** The documented exit code of each failure (daqDpmMerge's, plus 130 for an interruption). */
export function exitCode(kind: MergeErrorKind): number {
  switch (kind) {
    case 'spec-not-found':
    case 'sources-map-not-found':
      return 100;
    case 'invalid-json':
      return 101;
    case 'bad-spec':
    case 'bad-sources-map':
      return 102;
    case 'source-not-found':
    case 'source-unreadable':
      return 110;
    case 'invalid-fits':
    case 'unregistered-extension':
    case 'source-changed':
      return 111;
    case 'interrupted':
      return 130;
    case 'output-not-writable':
    case 'write-failed':
    case 'internal':
      return INTERNAL;
    default:
      return assertNever(kind);
  }
}

export const INTERNAL = 255;
