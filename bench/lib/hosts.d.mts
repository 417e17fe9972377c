import type { ChildProcess } from 'node:child_process';

export const TEST_USER: string;

export interface Host {
  name: string;
  port: number;
  /** This host's own directory (its workdirs go below it), owned by the test user. */
  dir: string;
  sshd: ChildProcess;
}

export interface Hosts {
  dir: string;
  /** ssh_config naming every host: give it to dax as DAX_SSH_CONFIG. */
  config: string;
  knownHosts: string;
  hosts: Map<string, Host>;
  /** Stops a host's sshd, every connection it serves and the jobs it runs: the host is gone. */
  kill(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** Waits for `ready()`, polling every 20 ms; past the deadline throws with `why()`. */
export function until(ready: () => boolean, ms: number, why: () => string): Promise<void>;

/** `withoutPerl`: hosts whose sessions' PATH has no perl (so dax's agent there is the sh one). */
export function startHosts(names: string[], opts?: { withoutPerl?: string[] }): Promise<Hosts>;
