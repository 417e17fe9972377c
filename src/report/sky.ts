// Which wildcard of a Daxfile is a chunk set, and each chunk's box on the sky, for the sky map.
// A `chunks:` domain names its chunker; an `ids:` list of chunk ids uses the stripes and
// substripes vars the catalog rules are given (rules/catalog.yaml).
import type { Config } from '../config/model.js';
import { chunkerFor } from '../chunks/domain.js';
import { boxToDegrees } from '../chunks/box.js';
import type { SkyInput } from './data.js';

/** The sky map's input for the first chunk wildcard (those of `report:` first), if any.
 * `values`: the wildcard's domain values, when it can be resolved. */
export function skyInput(config: Config, values: (wildcard: string) => string[] | undefined): SkyInput | undefined {
  const names = [...new Set([...config.report, ...Object.keys(config.wildcards)])];
  for (const name of names) {
    const d = config.wildcards[name]?.domain;
    if (d?.kind !== 'plugin' || (d.name !== 'chunks' && d.name !== 'ids')) continue;
    const spec = (d.spec ?? {}) as { stripes?: unknown; substripes?: unknown };
    const [stripes, substripes] = d.name === 'chunks' ? [spec.stripes, spec.substripes] : [config.vars['stripes']?.value, config.vars['substripes']?.value];
    const chunker = chunkerFor(stripes, substripes);
    if (!chunker.ok) continue;
    const c = chunker.value;
    const ids = (values(name) ?? []).map(Number).filter((id) => c.isValidChunk(id));
    if (ids.length === 0) continue;
    return {
      wildcard: name,
      stripes: c.numStripes,
      substripes: c.numSubStripesPerStripe,
      // Chunk 0 of every stripe exists: its info says how many the stripe has.
      perStripe: Array.from({ length: c.numStripes }, (_, st) => c.chunkInfo(st * 2 * c.numStripes).chunksInStripe),
      ids,
      box: (id) => {
        const b = boxToDegrees(c.getChunkNominalBounds(id));
        return [b.lonMin, b.lonMax, b.latMin, b.latMax];
      },
    };
  }
  return undefined;
}
