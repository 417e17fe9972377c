// dax's own agent (native/agent.c: a static program, built with the addon) on a worker host.
// It takes the perl agent's lines and writes the same records, but starts each job with
// posix_spawn: no fork of an interpreter per job, which is most of what a job costs a host.
// It is copied once into the worker's workdir, under a name holding its hash (a new dax brings
// its own), when the host runs this machine's system and architecture; otherwise, or with
// `agent: perl`, the host's perl runs the agent.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { shellQuote as q } from '../../graph/quote.js';
import { nativeAgent } from '../../util/addon.js';
import type { SshConnection } from './connection.js';

/** The program's bytes and the name it has on hosts, read once. */
let program: { bytes: Buffer; name: string } | null | undefined;

function agentProgram(): { bytes: Buffer; name: string } | null {
  if (program !== undefined) return program;
  const file = nativeAgent();
  let bytes: Buffer | undefined;
  try {
    bytes = file ? readFileSync(file) : undefined;
  } catch {
    bytes = undefined;
  }
  return (program = bytes ? { bytes, name: `dax-agent-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}` } : null);
}

/** What `uname -sm` prints on a host that can run this machine's build (a static Linux program). */
function thisSystem(): string | undefined {
  const machine: Partial<Record<string, string>> = { x64: 'x86_64', arm64: 'aarch64' };
  const m = machine[process.arch];
  return os.type() === 'Linux' && m ? `Linux ${m}` : undefined;
}

/** Makes sure the host holds dax's agent: its path there, or undefined when the host is to run
 * perl's (the program is not built here, the host is another system, or it cannot run it there:
 * a workdir on a noexec mount). One session when the host has it already. */
export async function installAgent(conn: SshConnection, workdir: string): Promise<string | undefined> {
  const p = agentProgram();
  const system = thisSystem();
  if (!p || !system) return undefined;
  const dir = path.posix.join(workdir, 'agent');
  const target = path.posix.join(dir, p.name);
  const have = await conn.run(`[ -x ${q(target)} ] && echo have || uname -sm\n`);
  if (!have.ok) return undefined;
  const said = have.value.stdout.trim();
  if (said === 'have') return target;
  if (said !== system) return undefined;
  // Written under a name of its own and moved into place only once it ran there: a copy cut
  // short, or one the host cannot execute, is never the one a session starts. Older versions go.
  const put = await conn.run(
    [
      `d=${q(dir)}; t="$d/.new.$$"`,
      'mkdir -p "$d" && cat > "$t" && chmod 755 "$t" || { rm -f "$t"; exit 1; }',
      `if "$t" < /dev/null 2>/dev/null | grep -qxe '- agent native'; then`,
      `  for o in "$d"/dax-agent-*; do [ "$o" = ${q(target)} ] || rm -f "$o"; done; mv -f "$t" ${q(target)} && echo installed`,
      'else rm -f "$t"; fi',
    ].join('\n') + '\n',
    undefined,
    p.bytes,
  );
  return put.ok && put.value.stdout.trim() === 'installed' ? target : undefined;
}
