// The test cluster (munged, slurmctld and one slurmd on this machine, state under /tmp):
// bench/lib/slurm.mjs, shared with the Slurm benchmark.
import { afterAll, beforeAll } from 'vitest';
import { startCluster, type Cluster } from '../../bench/lib/slurm.mjs';

export { startCluster, NODE, PARTITION, type Cluster } from '../../bench/lib/slurm.mjs';

/** A cluster of the test file's own, started before its tests and stopped after them: the
 * returned function gives it to each test. */
export function fileCluster(): () => Cluster {
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    cluster = await startCluster({ cpus: 64 });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  return () => {
    if (!cluster) throw new Error('the test cluster did not start');
    return cluster;
  };
}
