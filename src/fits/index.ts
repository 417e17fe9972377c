// The public API of dax's FITS merger (package export `./fits`): run a merge as a library call,
// the closed set of failure kinds, and the FITS pieces a test or demo needs to write and read
// small files.
export { runMerge, type MergeRequest, type SpecInput } from './run.js';
export type { MergeEvent, MergeResult } from './merge.js';
export { MERGE_ERROR_KINDS, type MergeError, type MergeErrorKind } from './errors.js';
export type { DpSpec } from './dpspec.types.js';
export { type Card, type FitsValue, parseCard, formatCard, valueFromJson } from './card.js';
export { BLOCK, parseHeader, serializeHeader, padded } from './header.js';
export { FitsWriter, type DataSource, type WrittenHdu } from './writer.js';
export { scanFits, type FitsFile, type Hdu } from './reader.js';
export { dataUnit, type DataUnit } from './hdu.js';
export { sum32, checksumValue } from './checksum.js';
