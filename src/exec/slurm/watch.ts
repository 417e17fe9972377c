// How a Slurm worker learns that a job began or ended without asking Slurm: its task appends a
// line to the task's record (record.ts) in its run's rec/ directory (layout.ts). Where this
// machine's kernel sees every write to it (a local file system: the nodes are this machine, or
// write through it as the NFS server), inotify (fs.watch) on that one directory tells at once
// which record grew, and costs nothing between events. On a network file system mounted here
// (NFS, Lustre, GPFS, ...) writes made on other hosts raise no event, so the worker reads the
// records of its tasks out there every few hundred ms instead. Plain fs.watch, not chokidar (dax
// watch's): one flat directory whose files' names are all that matters, where chokidar's stat
// per event and write-settling would only add cost.
import { statfsSync, watch, type FSWatcher } from 'node:fs';

/** statfs f_type of file systems whose every change goes through this kernel. */
const LOCAL_FS = new Set([
  0xef53, // ext2/3/4
  0x58465342, // xfs
  0x9123683e, // btrfs
  0x01021994, // tmpfs
  0x794c7630, // overlayfs
  0x2fc12fc1, // zfs
  0xf2f52010, // f2fs
  0x3153464a, // jfs
  0x52654973, // reiserfs
]);

/** Whether fs.watch on `dir` sees writes made by every host (see above). */
function watchable(dir: string): boolean {
  try {
    return LOCAL_FS.has(Number(statfsSync(dir).type));
  } catch {
    return false;
  }
}

/** One run's record directory. `deliver(names)`: the records that changed since the last
 * delivery (several events of one turn delivered together). */
export class RecordWatch {
  private watcher: FSWatcher | undefined;
  private seen = new Set<string>();
  private flushQueued = false;

  constructor(
    dir: string,
    private readonly deliver: (names: string[]) => void,
  ) {
    if (!watchable(dir)) return;
    try {
      this.watcher = watch(dir, { persistent: false }, (_event, name) => {
        if (name) this.saw(String(name));
      });
      // A watch that breaks (the directory removed, inotify limits): read the records instead.
      this.watcher.on('error', () => this.close());
    } catch {
      this.close(); // ENOSPC (inotify watches used up), or not supported here
    }
  }

  /** False when the records must be read to see what tasks wrote. */
  get watching(): boolean {
    return this.watcher !== undefined;
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** Events come one a write (and several for one file): delivered together, once a turn. */
  private saw(name: string): void {
    this.seen.add(name);
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      const names = [...this.seen];
      this.seen = new Set();
      if (this.watcher) this.deliver(names);
    });
  }
}
