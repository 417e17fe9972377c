import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHosts } from './lib/hosts.mjs';
const DAX = '/work/main/bin/dax.js';
const hosts = await startHosts(['w1', 'w2']);
function project(workers, local, jobs) {
  const dir = mkdtempSync(join(hosts.dir, 'bench-'));
  chmodSync(dir, 0o777);
  const w = workers.map((h) => `  ${h.name}: { ssh: ${h.name}, slots: ${h.slots}, workdir: ${join(hosts.hosts.get(h.name).dir, 'bench-' + h.slots)}, shared_fs: true }`);
  writeFileSync(join(dir, 'chunks.txt'), Array.from({ length: jobs }, (_, i) => i).join('\n') + '\n');
  writeFileSync(join(dir, 'Daxfile.yaml'), `version: 1\n${local ? `local: { slots: ${local} }` : 'local: false'}\n${w.length ? `workers:\n${w.join('\n')}\n` : ''}wildcards:\n  n: { file: chunks.txt }\nrules:\n  touch:\n    output: out/{n}\n    run: [touch, '{output}']\ntargets: ['out/{n}']\n`);
  mkdirSync(join(dir, 'out')); chmodSync(join(dir, 'out'), 0o777);
  return dir;
}
try {
  const mode = process.argv[2] ?? 'remote';
  for (let i = 0; i < 2; i++) {
    const dir = mode === 'remote' ? project([{ name: 'w1', slots: 8 }, { name: 'w2', slots: 8 }], 0, 1000) : project([], 16, 1000);
    const perf = i === 1 && process.argv[3] === 'perf';
    const pre = perf ? ['perf', 'record', '-q', '-a', '-F', '2000', '-g', '-o', `/tmp/perf-${mode}.data`, '--'] : [];
    const t0 = performance.now();
    const r = spawnSync(pre[0] ?? 'sh', [...pre.slice(1), ...(perf ? ['sh'] : []), '-c', 'umask 0; exec "$0" "$@"', process.execPath, '--import', '/tmp/cpu.mjs', DAX, '--log-level', 'error', 'run'], { cwd: dir, env: { ...process.env, DAX_SSH_CONFIG: hosts.config, CI: 'true' }, encoding: 'utf8' });
    console.log(mode, i, (performance.now() - t0).toFixed(0), 'ms', r.status, r.stderr.trim().split('\n').slice(-2).join(' | '));
  }
} finally { await hosts.stop(); }
