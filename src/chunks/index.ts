// dax-pipeline/chunks: the sky chunker, chunk lists and boxes, for tools that a Daxfile runs per
// chunk (examples/catalog/bin uses these). Angles are in radians unless a name says degrees.
export { Chunker, BOX_EPSILON, MAX_SUB_STRIPES, type ChunkInfo, type SubChunkLocation } from './chunker.js';
export { boxFromDegrees, boxToDegrees, boxContains, boxIntersects, boxDilatedBy, makeBox, FULL_BOX, type Box, type BoxDegrees } from './box.js';
export { degToRad, radToDeg, type LonInterval } from './angle.js';
export { parseChunkList, readChunkListFile, formatChunkList, parseChunkEntry, expandRanges, toRanges, MAX_LIST_IDS } from './chunklist.js';
export { chunkerFor } from './domain.js';
