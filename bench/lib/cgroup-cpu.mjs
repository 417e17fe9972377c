// CPU time of this process and everything it starts (daemonized ssh masters, sshd sessions and
// the jobs on loopback hosts included, which rusage of children misses): a cgroup of its own,
// where the machine lets root make one (cgroup v1 cpuacct, or v2). Undefined where it cannot.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const KINDS = [
  { root: '/sys/fs/cgroup/cpuacct', mark: 'cpuacct.usage', read: (d) => Number(readFileSync(join(d, 'cpuacct.usage'), 'utf8')) / 1e9 },
  { root: '/sys/fs/cgroup', mark: 'cgroup.controllers', read: (d) => Number(/usage_usec (\d+)/.exec(readFileSync(join(d, 'cpu.stat'), 'utf8'))?.[1]) / 1e6 },
];

/** Moves this process (or `pid`, one it started that has started nothing yet) into a new
 * cgroup: `seconds()` its CPU so far, `release()` leaves and removes it (once what it started is
 * gone). */
export function cgroupCpu(name, pid = process.pid) {
  for (const k of KINDS) {
    if (!existsSync(join(k.root, k.mark))) continue;
    const dir = join(k.root, `${name}-${pid}`);
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'cgroup.procs'), String(pid));
      if (!Number.isFinite(k.read(dir))) throw new Error('unreadable');
    } catch {
      try {
        rmdirSync(dir);
      } catch {
        /* not made */
      }
      continue;
    }
    return {
      seconds: () => k.read(dir),
      release() {
        try {
          if (pid === process.pid) writeFileSync(join(k.root, 'cgroup.procs'), String(pid));
          rmdirSync(dir);
        } catch {
          /* something of ours still runs there: left for the machine to remove */
        }
      },
    };
  }
  return undefined;
}
