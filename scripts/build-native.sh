#!/bin/sh
# npm install's native build, by node-gyp: the addon (native/spawn.cc: posix_spawn, batched
# stats) and the SSH workers' agent program (native/agent.c, linked statically). Both are
# optional, and one missing must not cost the other: dax falls back to child_process without
# the addon, and workers to their hosts' perl without the agent. Never fails the install.
node-gyp rebuild && exit 0
if [ -f build/Makefile ] && make -C build BUILDTYPE=Release dax_spawn >/dev/null; then
  echo "dax: the SSH workers' agent program was not built (no static C library? Debian: libc6-dev); workers run their hosts' perl instead" >&2
else
  echo 'dax: the native spawner was not built (no C++ toolchain?); dax starts jobs with child_process instead' >&2
fi
exit 0
