// Code blocks of the project's markdown files, so that tests run the examples as they are written.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repo } from '../repo.js';

export interface Block {
  lang: string;
  text: string;
  /** The nearest heading above the block. */
  heading: string;
}

/** Every fenced block of a markdown file under the repository, in order. */
export function blocks(rel: string): Block[] {
  const lines = readFileSync(path.join(repo, rel), 'utf8').split('\n');
  const out: Block[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const h = /^#+\s+(.*)$/.exec(line);
    if (h) heading = h[1]!;
    const open = /^```(\S*)/.exec(line);
    if (!open) continue;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
    out.push({ lang: open[1]!, text: `${body.join('\n')}\n`, heading });
  }
  return out;
}
