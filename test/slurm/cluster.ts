// The test cluster (munged, slurmctld and one slurmd on this machine, state under /tmp):
// bench/lib/slurm.mjs, shared with the Slurm benchmark.
export { startCluster, NODE, PARTITION, type Cluster } from '../../bench/lib/slurm.mjs';
