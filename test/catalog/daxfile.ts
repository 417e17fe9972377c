// The catalog example's Daxfile (rules/catalog.yaml with the tools of examples/catalog) over a
// small sky region, as the catalog, Slurm and report tests run it.
import { join } from 'node:path';
import { repo } from '../repo.js';

export interface CatalogDaxfile {
  rows: number;
  ra: [number, number];
  dec: [number, number];
  tables?: string[];
  /** More vars, as YAML lines indented by two. */
  vars?: string;
  /** What follows the wildcards: rules, report, targets, workers. */
  rest: string;
}

const tool = (name: string): string => `node ${join(repo, 'examples/catalog/bin', name)}.mjs`;

export function catalogDaxfile(o: CatalogDaxfile): string {
  return `version: 1
include: [${JSON.stringify(join(repo, 'rules/catalog.yaml'))}]
vars:
  data: out
  db: out/catalog.db
  rows: ${o.rows}
${o.vars ?? ''}  generate: ${tool('generate')}
  partition: ${tool('partition')}
  ingest: ${tool('ingest')}
  publish: ${tool('publish')}
wildcards:
  chunk:
    pattern: '[0-9]+'
    chunks: { stripes: 85, substripes: 12, region: { ra: [${o.ra.join(', ')}], dec: [${o.dec.join(', ')}] } }
  table: { values: [${(o.tables ?? ['Object', 'Forced_Source']).join(', ')}] }
${o.rest}`;
}

/** The default targets and report of the catalog tests. */
export const PUBLISHED = "report: [chunk]\ntargets: ['{vars.data}/published.db']\n";
