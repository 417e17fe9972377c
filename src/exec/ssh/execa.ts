// execa, loaded on the first ssh or rsync this process starts: most commands (status, queue, a
// local run) start none, and loading execa's hundred-odd modules was half of `dax status`.
import type { execa as Execa } from 'execa';

let loaded: Promise<typeof Execa> | undefined;

export function loadExeca(): Promise<typeof Execa> {
  return (loaded ??= import('execa').then((m) => m.execa));
}
