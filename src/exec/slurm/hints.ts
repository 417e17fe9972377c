// How a Slurm worker learns that a task began or ended without asking Slurm: the tasks leave
// hint files in their run's started/ and ended/ directories (layout.ts). Where this machine's
// kernel sees every write to them (a local file system: the nodes are this machine, or write
// through it as the NFS server), inotify (fs.watch) tells at once and costs nothing between
// events. On a network file system mounted here (NFS, Lustre, GPFS, ...) writes made on other
// hosts raise no event, so the directories are read (one readdir each) every few hundred ms.
// Plain fs.watch, not chokidar (dax watch's): two flat directories of empty files whose names
// are all that matters, where chokidar's stat per event and write-settling would only add cost.
import { readdirSync, statfsSync, watch, type FSWatcher } from 'node:fs';

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

/** One run's hint directories. `deliver(dir, names, full)`: names seen in `dir`; `full` when
 * they come from reading the whole directory (not from events, which also report removals). */
export class HintWatch {
  private watchers: FSWatcher[] = [];
  private readonly seen = new Map<string, Set<string>>();
  private flushQueued = false;

  constructor(
    private readonly dirs: string[],
    private readonly deliver: (dir: string, names: string[], full: boolean) => void,
  ) {
    if (dirs.every(watchable)) {
      try {
        for (const dir of dirs) {
          const w = watch(dir, { persistent: false }, (_event, name) => {
            if (name) this.saw(dir, String(name));
          });
          // A watch that breaks (the directory removed, inotify limits): read them instead.
          w.on('error', () => this.unwatch());
          this.watchers.push(w);
        }
      } catch {
        this.unwatch(); // ENOSPC (inotify watches used up), or not supported here
      }
    }
  }

  /** False when the directories must be read (scan) to see what tasks left there. */
  get watching(): boolean {
    return this.watchers.length > 0;
  }

  /** Reads the directories and delivers all that is there. */
  scan(): void {
    for (const dir of this.dirs) {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue; // none yet, or an older run's layout
      }
      if (names.length > 0) this.deliver(dir, names, true);
    }
  }

  close(): void {
    this.unwatch();
  }

  private unwatch(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  /** Events come one a file (and several for one file): delivered together, once a turn. */
  private saw(dir: string, name: string): void {
    let s = this.seen.get(dir);
    if (!s) this.seen.set(dir, (s = new Set()));
    s.add(name);
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      const all = [...this.seen];
      this.seen.clear();
      for (const [d, names] of all) this.deliver(d, [...names], false);
    });
  }
}
