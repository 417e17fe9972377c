// Why a merge failed, as a closed set of kinds: the CLI maps each to an exit code, the
// acquisition engine to an alert. The message says what and where (JSON path, file, HDU).

export const MERGE_ERROR_KINDS = [
  /** The specification file does not exist or cannot be read. */
  'spec-not-found',
  /** The specification is not JSON. */
  'invalid-json',
  /** The specification fails its schema or a check the schema cannot make (pointer says where). */
  'bad-spec',
  /** The --sources file does not exist or cannot be read. */
  'sources-map-not-found',
  /** The --sources file is not JSON or not a map of locations to paths (pointer says where). */
  'bad-sources-map',
  /** A source file is missing, or its location is not in the sources map. */
  'source-not-found',
  /** A source file exists but cannot be read (permissions, I/O error). */
  'source-unreadable',
  /** A source file is not valid FITS (not FITS, truncated, bad mandatory keywords). */
  'invalid-fits',
  /** A source has an extension whose XTENSION is not a registered type (hdu says which). */
  'unregistered-extension',
  /** A source file changed (got shorter) while it was being copied. */
  'source-changed',
  /** The output directory is missing, not a directory or not writable. */
  'output-not-writable',
  /** Writing, syncing or renaming the output failed (e.g. the disk is full). */
  'write-failed',
  /** The merge was aborted through its signal; nothing was written. */
  'interrupted',
  /** A bug in the merger (e.g. a header it built does not serialize). */
  'internal',
] as const;

export type MergeErrorKind = (typeof MERGE_ERROR_KINDS)[number];

export interface MergeError {
  kind: MergeErrorKind;
  /** A complete sentence for a person: what failed, where, and what to do when it is not obvious. */
  message: string;
  /** The JSON pointer of the offending value (bad-spec, bad-sources-map). */
  pointer?: string;
  /** The file concerned: the specification, the sources map, a source or the output. */
  file?: string;
  /** The 1-based HDU number in `file` (invalid-fits, unregistered-extension, source-changed). */
  hdu?: number;
}

export function mergeError(kind: MergeErrorKind, message: string, where: Omit<MergeError, 'kind' | 'message'> = {}): MergeError {
  return { kind, message, ...where };
}
