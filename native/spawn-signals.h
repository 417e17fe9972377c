// A posix_spawn's signal attributes for a job: none blocked and every one default, so nothing
// the spawner blocks or ignores (Node ignores SIGPIPE; the SSH agent SIGHUP and SIGPIPE, and it
// blocks SIGCHLD) reaches the job. Shared by the addon (spawn.cc) and the agent (agent.c).
#ifndef DAX_SPAWN_SIGNALS_H
#define DAX_SPAWN_SIGNALS_H
#include <signal.h>
#include <spawn.h>

/** Sets `at`'s mask and defaults as above, and its flags to `flags` plus theirs. */
static inline void spawn_signals(posix_spawnattr_t *at, short flags) {
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  sigdelset(&all, SIGKILL);
  sigdelset(&all, SIGSTOP);
  // glibc's two internal signals (32, 33) are outside sigfillset and sigaddset refuses them, yet
  // without them in the set its posix_spawn leaves them ignored in the child: their bits by hand
  // (signal n is bit n - 1).
  all.__val[0] |= 3UL << 31;
  posix_spawnattr_setsigmask(at, &none);
  posix_spawnattr_setsigdefault(at, &all);
  posix_spawnattr_setflags(at, (short)(flags | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
}
#endif
