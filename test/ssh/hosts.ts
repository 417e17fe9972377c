// The fake worker hosts (real sshd processes on loopback ports): bench/lib/hosts.mjs, shared
// with the SSH benchmark.
export { startHosts, until, TEST_USER, type Host, type Hosts } from '../../bench/lib/hosts.mjs';
