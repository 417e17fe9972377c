// The SSH worker's agent in C (dax-agent): PERL_AGENT (src/exec/ssh/agent-perl.ts) in one
// small static binary. Same input (a line per request: `ID OP FIELD...`, fields %XX-escaped),
// same answers, same records on disk (DIR.pid: `PGID RECORDER`, then the status; DIR.outputs;
// DIR.kill), so probes, kills, sweeps, a later dax's re-attach and either other agent read what
// it writes, and it re-joins attempts they started. Its first line is `- agent native`.
//
// What it saves: perl forks for every job, and a fork copies the page tables and takes a copy-on-
// write fault per page either side touches; its loop is interpreted. Here a job starts with
// posix_spawn (vfork semantics in glibc: the child borrows the agent's memory until its exec)
// and the loop is a poll on stdin, the lazy jobs' pipes and a signalfd for SIGCHLD. The rare
// paths perl also forks for (a job that cannot start, the outputs' hashes) fork here too: the
// process is small, and a forked child can say why in the job's log exactly as perl's does.
//
// Linux and glibc (posix_spawn_file_actions_addchdir_np, signalfd); linked statically so that
// one build runs on any Linux host of the architecture.
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn-signals.h"

extern char **environ;

// ---- Memory: every list grows (no limit a long line or many jobs could hit).

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) {
    static const char msg[] = "dax-agent: out of memory\n";
    (void)!write(2, msg, sizeof msg - 1);
    _exit(1);
  }
  return q;
}

/** A byte string: s[n] is a NUL, and s may hold NULs of its own (a field may decode to one). */
typedef struct {
  char *s;
  size_t n;
} str;

static str mkstr(const char *p, size_t n) {
  str r = {xrealloc(NULL, n + 1), n};
  memcpy(r.s, p, n);
  r.s[n] = 0;
  return r;
}
static str cat(str a, const char *b) {
  size_t bn = strlen(b);
  str r = {xrealloc(NULL, a.n + bn + 1), a.n + bn};
  memcpy(r.s, a.s, a.n);
  memcpy(r.s + a.n, b, bn + 1);
  return r;
}
static int eq(str a, const char *b) { return a.n == strlen(b) && memcmp(a.s, b, a.n) == 0; }
/** As a path: NULL when it holds a NUL (perl refuses such a path: the call fails, ENOENT). */
static const char *P(str a) { return strlen(a.s) == a.n ? a.s : NULL; }
/** perl's truth of a field: false for "" and "0". */
static int truthy(str a) { return !(a.n == 0 || eq(a, "0")); }

typedef struct {
  char *p;
  size_t n, cap;
} buf;

static void put(buf *b, const char *p, size_t n) {
  if (n == 0) return;
  if (b->n + n > b->cap) {
    b->cap = (b->n + n) * 2 + 64;
    b->p = xrealloc(b->p, b->cap);
  }
  memcpy(b->p + b->n, p, n);
  b->n += n;
}
static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

// ---- The system calls perl makes, on paths that may hold a NUL (then they fail, as perl's do).

static int exists(str p) {
  struct stat st;
  return P(p) && stat(P(p), &st) == 0;
}
static int is_dir(str p) {
  struct stat st;
  return P(p) && stat(P(p), &st) == 0 && S_ISDIR(st.st_mode);
}
static int xopen(str p, int flags) {
  if (!P(p)) {
    errno = ENOENT;
    return -1;
  }
  int fd;
  do fd = open(P(p), flags | O_CLOEXEC, 0666);
  while (fd < 0 && errno == EINTR);
  return fd;
}
static void xunlink(str p) {
  if (P(p)) unlink(P(p));
}

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/** The whole file, or 0 when it cannot be opened or read. */
static int slurp(str path, buf *out) {
  out->n = 0;
  int fd = xopen(path, O_RDONLY);
  if (fd < 0) return 0;
  char tmp[65536];
  for (;;) {
    ssize_t n = read(fd, tmp, sizeof tmp);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      close(fd);
      return 0;
    }
    if (n == 0) break;
    put(out, tmp, (size_t)n);
  }
  close(fd);
  return 1;
}

/** perl's `put`: the file written (truncated, or appended to) in one write. */
static void put_file(str path, int flags, const char *p, size_t n) {
  int fd = xopen(path, O_WRONLY | O_CREAT | flags);
  if (fd < 0) return;
  write_all(fd, p, n);
  close(fd);
}

/** perl's dirof, `m{^(.*)/}` (`.` stops at a newline): the part before the last slash. */
static str dirof(str p) {
  size_t end = p.n;
  const char *nl = memchr(p.s, '\n', p.n);
  if (nl) end = (size_t)(nl - p.s);
  for (size_t i = end; i-- > 0;)
    if (p.s[i] == '/') return i == 0 ? mkstr("/", 1) : mkstr(p.s, i);
  return mkstr(".", 1);
}

// perl's mkp: mkdir -p, the parent by m{^(.+)/[^/]+/*$} (the part before the last name, trailing
// slashes aside; `.` stops at a newline). True if the directory is there.
static int mkp(str p) {
  if (is_dir(p)) return 1;
  const char *nl = memchr(p.s, '\n', p.n);
  size_t lim = nl ? (size_t)(nl - p.s) : p.n;
  for (size_t i = lim; i-- > 1;) {
    if (p.s[i] != '/') continue;
    size_t k = i + 1;
    while (k < p.n && p.s[k] != '/') k++;
    if (k == i + 1) continue;
    while (k < p.n && p.s[k] == '/') k++;
    if (k == p.n || (k == p.n - 1 && p.s[k] == '\n')) {
      str parent = mkstr(p.s, i);
      mkp(parent);
      free(parent.s);
      break;
    }
  }
  if (P(p)) mkdir(P(p), 0777);
  return is_dir(p);
}

/** rm -rf, as perl's rmtree: a symlink or file unlinked, a directory emptied first. */
static void rmtree(str p) {
  struct stat st;
  if (!P(p) || lstat(P(p), &st) != 0 || !S_ISDIR(st.st_mode)) {
    xunlink(p);
    return;
  }
  DIR *dh = opendir(P(p));
  if (!dh) return;
  str *names = NULL;
  size_t n = 0;
  for (struct dirent *e; (e = readdir(dh));) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    names = xrealloc(names, (n + 1) * sizeof *names);
    str slash = cat(p, "/");
    names[n++] = cat(slash, e->d_name);
    free(slash.s);
  }
  closedir(dh);
  for (size_t i = 0; i < n; i++) {
    rmtree(names[i]);
    free(names[i].s);
  }
  free(names);
  rmdir(P(p));
}

// ---- Signals.

/** perl's signal names (Config's sig_name on Linux), by number; aliases after. */
static const char *const SIGNAMES[] = {
    "ZERO", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT",
    "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};

/** A signal as perl's kill takes it (`TERM`, `SIGTERM`, `-TERM`, `15`); -1 for a name it does not
 * know (perl dies there; this agent sends nothing). */
static int signum(const char *s) {
  if (s[0] == '-' && isalpha((unsigned char)s[1])) s++;
  if (!isalpha((unsigned char)*s)) {
    long v = strtol(s, NULL, 10);
    return (int)(v < 0 ? -v : v);
  }
  if (!strncmp(s, "SIG", 3)) s += 3;
  for (int i = 0; i < (int)(sizeof SIGNAMES / sizeof *SIGNAMES); i++)
    if (!strcmp(s, SIGNAMES[i])) return i;
  if (!strcmp(s, "IOT")) return SIGABRT;
  if (!strcmp(s, "CLD")) return SIGCHLD;
  if (!strcmp(s, "POLL")) return SIGIO;
  if (!strcmp(s, "RTMIN")) return 34;
  if (!strcmp(s, "RTMAX")) return 64;
  if (!strncmp(s, "NUM", 3) && isdigit((unsigned char)s[3])) {
    char *end;
    long v = strtol(s + 3, &end, 10);
    if (!*end && v >= 32 && v <= 63) return (int)v;
  }
  return -1;
}

/** In a forked child: every signal back to its default and none blocked (the agent ignores
 * SIGHUP and SIGPIPE and blocks SIGCHLD, and an exec keeps both). */
static void child_signals(void) {
  for (int s = 1; s < NSIG; s++)
    if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

/** A spawn's attributes: its signals as spawn-signals.h says, and `flags`. */
static void spawn_attr(posix_spawnattr_t *at, short flags) {
  posix_spawnattr_init(at);
  spawn_signals(at, flags);
}

// ---- State.

/** A lazy job's output: a pipe copied to its log, which is made at the first byte. */
typedef struct {
  int rd;  // the pipe's read end; -1 once at its end
  int lh;  // the log; -1 until the first byte
  str log, mode, hdr;
  size_t at;  // index in `pipes` while rd is open
} lazy;

typedef struct {
  str id, d;
  int hash;
  str *outs;  // temp, own name, temp, own name...
  size_t nouts;
  int x;
  int hashing;  // the pid it is filed under is the child hashing its outputs
  lazy *out;
} job;

static pid_t me;
static buf out;  // answers, written once per loop turn
static int eof_in;

// Children by pid: open addressing, linear probing (any number of jobs, found in O(1)).
typedef struct {
  pid_t pid;
  job *j;
} slot;
static slot *kids;
static size_t kcap, nkids;

static size_t khash(pid_t p) { return ((size_t)p * 2654435761u) & (kcap - 1); }
static void kid_put(pid_t pid, job *j) {
  if ((nkids + 1) * 2 > kcap) {
    slot *old = kids;
    size_t ocap = kcap;
    kcap = kcap ? kcap * 2 : 64;
    kids = xrealloc(NULL, kcap * sizeof *kids);
    memset(kids, 0, kcap * sizeof *kids);
    nkids = 0;
    for (size_t i = 0; i < ocap; i++)
      if (old[i].pid) kid_put(old[i].pid, old[i].j);
    free(old);
  }
  size_t i = khash(pid);
  while (kids[i].pid) i = (i + 1) & (kcap - 1);
  kids[i] = (slot){pid, j};
  nkids++;
}
/** The job filed under pid, taken out; NULL for a child this agent does not know. */
static job *kid_take(pid_t pid) {
  if (!kcap) return NULL;
  size_t i = khash(pid);
  while (kids[i].pid && kids[i].pid != pid) i = (i + 1) & (kcap - 1);
  if (!kids[i].pid) return NULL;
  job *j = kids[i].j;
  kids[i].pid = 0;
  nkids--;
  // Backward-shift deletion: the entries after it that probed past it move up.
  for (size_t k = (i + 1) & (kcap - 1); kids[k].pid; k = (k + 1) & (kcap - 1)) {
    size_t h = khash(kids[k].pid);
    if ((k > i && (h <= i || h > k)) || (k < i && h <= i && h > k)) {
      kids[i] = kids[k];
      kids[k].pid = 0;
      i = k;
    }
  }
  return j;
}

static lazy **pipes;
static size_t npipes, cpipes;

static void pipe_add(lazy *o) {
  if (npipes == cpipes) pipes = xrealloc(pipes, (cpipes = cpipes * 2 + 16) * sizeof *pipes);
  o->at = npipes;
  pipes[npipes++] = o;
}
static void pipe_close(lazy *o) {
  pipes[o->at] = pipes[--npipes];
  pipes[o->at]->at = o->at;
  close(o->rd);
  o->rd = -1;
}

typedef struct {
  str id, d;
} watch;
static watch *watches;
static size_t nwatch, cwatch;

static void say(str id, const char *what, const char *p, size_t n) {
  put(&out, id.s, id.n);
  put(&out, " ", 1);
  puts_(&out, what);
  put(&out, " ", 1);
  put(&out, p, n);
  put(&out, "\n", 1);
}

// ---- Records.

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/** An attempt's record as far as written (perl's `record`): 0 when DIR.pid cannot be read; p and
 * r empty unless `PGID RECORDER\n` starts it; x (its s NULL when none) only with its newline. */
static int record(str d, buf *b, str *p, str *r, str *x) {
  str path = cat(d, ".pid");
  int ok = slurp(path, b);
  free(path.s);
  *p = *r = *x = (str){"", 0};
  x->s = NULL;
  if (!ok) return 0;
  size_t i = 0, a, an, c, cn;
  for (a = i; i < b->n && isdigit((unsigned char)b->p[i]);) i++;
  if ((an = i - a) == 0 || i >= b->n || b->p[i++] != ' ') return 1;
  for (c = i; i < b->n && isdigit((unsigned char)b->p[i]);) i++;
  if ((cn = i - c) == 0 || i >= b->n || b->p[i++] != '\n') return 1;
  *p = (str){b->p + a, an};
  *r = (str){b->p + c, cn};
  size_t s = i;
  while (i < b->n && !is_space(b->p[i])) i++;
  if (i > s && i < b->n && b->p[i] == '\n') *x = (str){b->p + s, i - s};
  return 1;
}

static int alive(str pid) {
  char tmp[32];
  size_t n = pid.n < sizeof tmp - 1 ? pid.n : sizeof tmp - 1;
  memcpy(tmp, pid.s, n);
  tmp[n] = 0;
  return kill((pid_t)strtoll(tmp, NULL, 10), 0) == 0;
}

/** The outputs' lines (unless the launch has none to record), then the status: its last line. */
static void report(str id, str d, const char *x, size_t xn, int none) {
  if (!none) {
    buf o = {0};
    str path = cat(d, ".outputs");
    if (slurp(path, &o)) {
      // perl's split /\n/: empty fields kept but at the end.
      size_t end = o.n;
      while (end > 0 && o.p[end - 1] == '\n') end--;
      for (size_t i = 0; i < end;) {
        char *nl = memchr(o.p + i, '\n', end - i);
        size_t e = nl ? (size_t)(nl - o.p) : end;
        say(id, "out", o.p + i, e - i);
        i = e + 1;
      }
    }
    free(path.s);
    free(o.p);
  }
  say(id, "status", x, xn);
}

/** An attempt that ran or runs already (a retried launch, a later dax's): its status once it has
 * one, `gone` once neither its group nor its recorder lives without one. False once reported. */
static int follow(str id, str d) {
  buf b = {0};
  str p, r, x;
  int have = record(d, &b, &p, &r, &x);
  int keep = 0;
  if (x.s) report(id, d, x.s, x.n, 0);
  else if (have && (p.n == 0 || alive(p) || (r.n && alive(r)))) keep = 1;  // starting, or running
  else {
    record(d, &b, &p, &r, &x);
    if (x.s) report(id, d, x.s, x.n, 0);
    else report(id, d, "gone", 4, 0);
  }
  free(b.p);
  return keep;
}

// ---- Jobs.

static void job_free(job *j) {
  free(j->id.s);
  free(j->d.s);
  for (size_t i = 0; i < j->nouts; i++) free(j->outs[i].s);
  free(j->outs);
  free(j);
}

static void done(job *j) {
  char x[16];
  int n = snprintf(x, sizeof x, "%d", j->x);
  str path = cat(j->d, ".pid");
  x[n] = '\n';
  put_file(path, O_APPEND, x, (size_t)n + 1);
  free(path.s);
  report(j->id, j->d, x, (size_t)n, j->nouts == 0);
  job_free(j);
}

/** sha256sum's hash of the file (run with it on stdin, as perl's qx does): `-` when either cannot
 * be opened or started. Only in the hashing child: it waits. */
static void sha(const char *path, buf *b) {
  int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1, pp[2];
  if (fd < 0 || pipe2(pp, O_CLOEXEC) != 0) {
    if (fd >= 0) close(fd);
    puts_(b, "-");
    return;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fd, 0);
  posix_spawn_file_actions_adddup2(&fa, pp[1], 1);
  char *argv[] = {"sha256sum", NULL};
  pid_t pid;
  posix_spawnattr_t at;
  spawn_attr(&at, 0);
  int err = posix_spawnp(&pid, "sha256sum", &fa, &at, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  close(fd);
  close(pp[1]);
  if (err) {
    close(pp[0]);
    puts_(b, "-");
    return;
  }
  buf o = {0};
  char tmp[4096];
  for (ssize_t n; (n = read(pp[0], tmp, sizeof tmp)) != 0;)
    if (n > 0) put(&o, tmp, (size_t)n);
    else if (errno != EINTR) break;
  close(pp[0]);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
  put(b, o.p, o.n < 64 ? o.n : 64);
  free(o.p);
}

/** DIR.outputs: `SIZE HASH` per temporary that is a file, `- -` for one that is not. */
static void output_lines(job *j, int hashed, buf *b) {
  for (size_t i = 0; i < j->nouts; i += 2) {
    struct stat st;
    const char *t = P(j->outs[i]);
    if (t && stat(t, &st) == 0 && S_ISREG(st.st_mode)) {
      char size[32];
      snprintf(size, sizeof size, "%lld ", (long long)st.st_size);
      puts_(b, size);
      if (hashed) sha(t, b);
      else puts_(b, "-");
      puts_(b, "\n");
    } else puts_(b, "- -\n");
  }
}

/** The job ended with status x: outputs written under their own names moved to their temporary
 * ones, the temporaries' sizes (and sha256, by a child: hashing takes time) recorded. */
static void ended(job *j, int x) {
  j->x = x;
  if (!j->nouts) {
    done(j);
    return;
  }
  for (size_t i = 0; i < j->nouts; i += 2) {
    str t = j->outs[i], o = i + 1 < j->nouts ? j->outs[i + 1] : (str){"", 0};
    if (x == 0 && P(t) && !exists(t) && exists(o)) rename(P(o), P(t));
  }
  str path = cat(j->d, ".outputs");
  if (!j->hash) {
    buf b = {0};
    output_lines(j, 0, &b);
    put_file(path, O_TRUNC, b.p ? b.p : "", b.n);
    free(b.p);
    free(path.s);
    done(j);
    return;
  }
  pid_t p = fork();
  if (p < 0) {
    put_file(path, O_TRUNC, "", 0);
    free(path.s);
    done(j);
    return;
  }
  if (p == 0) {
    child_signals();
    buf b = {0};
    output_lines(j, 1, &b);
    put_file(path, O_TRUNC, b.p ? b.p : "", b.n);
    _exit(0);
  }
  free(path.s);
  j->hashing = 1;
  kid_put(p, j);
}

/** What a job wrote, from its pipe to its log (made at the first byte: truncated, or appended to
 * for a retry, the header first). False at the end of the pipe. */
static int copy(lazy *o) {
  static char tmp[65536];
  ssize_t n = read(o->rd, tmp, sizeof tmp);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
  if (n <= 0) {
    pipe_close(o);
    return 0;
  }
  if (o->lh < 0) {
    o->lh = xopen(o->log, O_WRONLY | O_CREAT | (eq(o->mode, "a") ? O_APPEND : O_TRUNC));
    if (o->lh < 0) return 1;  // unwritable: lost, the job goes on
    if (eq(o->mode, "h")) {
      str h = cat(o->hdr, "\n");
      write_all(o->lh, h.s, h.n);
      free(h.s);
    }
  }
  write_all(o->lh, tmp, (size_t)n);
  return 1;
}

/** The job ended: what is in its pipe goes to the log (not what a process it left behind writes
 * from now on: only the bytes there now), and a silent first attempt removes an earlier log. */
static void drained(lazy *o) {
  int left = 0;
  if (o->rd >= 0 && ioctl(o->rd, FIONREAD, &left) != 0) left = 0;
  while (o->rd >= 0 && left > 0) {
    struct pollfd pf = {o->rd, POLLIN, 0};
    if (poll(&pf, 1, 0) <= 0) break;
    left -= 65536;
    copy(o);
  }
  if (o->rd >= 0) pipe_close(o);
  if (o->lh >= 0) close(o->lh);
  else if (!eq(o->mode, "a")) xunlink(o->log);
  free(o->log.s);
  free(o->mode.s);
  free(o->hdr.s);
  free(o);
}

/** The program a job's exec runs: argv0 itself when it has a slash, else the first executable
 * file of that name on PATH (the job's, else the agent's; glibc's default without one). NULL when
 * there is none: the fallback's execvp then says why, as perl's exec would. A relative entry is
 * looked up from the job's directory, where its exec happens. */
static char *search(const char *prog, char **envp, const char *cwd) {
  if (strchr(prog, '/')) return strdup(prog);
  if (!*prog) return NULL;
  const char *path = NULL;
  for (char **e = envp; *e && !path; e++)
    if (!strncmp(*e, "PATH=", 5)) path = *e + 5;
  if (!path) path = "/bin:/usr/bin";
  buf b = {0};
  for (const char *at = path;; at++) {
    const char *colon = strchrnul(at, ':');
    b.n = 0;
    if (colon == at || *at != '/') {  // relative (empty: the directory itself)
      puts_(&b, cwd);
      puts_(&b, "/");
    }
    size_t rel = b.n;
    put(&b, at, (size_t)(colon - at));
    if (colon > at) puts_(&b, "/");
    puts_(&b, prog);
    put(&b, "", 1);
    struct stat st;
    if (stat(b.p, &st) == 0 && S_ISREG(st.st_mode) && faccessat(AT_FDCWD, b.p, X_OK, AT_EACCESS) == 0) {
      char *r = strdup(b.p + rel);
      free(b.p);
      return r;
    }
    if (!*colon) break;
    at = colon;
  }
  free(b.p);
  return NULL;
}

/** Starts the job, its output to fd `to`: its own process group, stdin /dev/null, signals as
 * default, in cwd. When posix_spawn cannot, a forked child does what perl's does (its group,
 * exec by PATH, else `dax: ARGV0: why` in the log and exit 127 for not found, 126 for the rest),
 * so the job still gets a record and a status. -1 only when no process could be made. */
static pid_t start(char **argv, char **envp, const char *cwd, int to) {
  char *prog = search(argv[0], envp, cwd);
  pid_t pid = -1;
  if (prog) {
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, to, 1);
    posix_spawn_file_actions_adddup2(&fa, to, 2);
    posix_spawn_file_actions_addchdir_np(&fa, cwd);
    spawn_attr(&at, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&at, 0);
    int err = posix_spawn(&pid, prog, &fa, &at, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    free(prog);
    if (err == 0) return pid;
  }
  pid = fork();
  if (pid == 0) {
    child_signals();
    setpgid(0, 0);
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null < 0 || dup2(null, 0) < 0 || dup2(to, 1) < 0 || dup2(to, 2) < 0) _exit(126);
    if (chdir(cwd) != 0) {
      dprintf(2, "dax: cd %s: %s\n", cwd, strerror(errno));
      _exit(126);
    }
    environ = envp;
    execvp(argv[0], argv);
    int e = errno;
    dprintf(2, "dax: %s: %s\n", argv[0], strerror(e));
    _exit(e == ENOENT ? 127 : 126);  // ENOENT: not found, as sh says it
  }
  if (pid > 0) setpgid(pid, pid);  // already its group before the record names it
  return pid;
}

/** The agent's environment with the job's variables (the job's win; set in place, as perl's
 * %ENV does), the strings made for it in `made`. The agent's own when the job sets none. */
static char **job_env(str *kv, size_t n, buf *made) {
  if (n == 0) return environ;
  size_t ne = 0;
  while (environ[ne]) ne++;
  char **env = xrealloc(NULL, (ne + n / 2 + 2) * sizeof *env);
  memcpy(env, environ, ne * sizeof *env);
  for (size_t i = 0; i < n; i += 2) {
    const char *k = kv[i].s, *v = i + 1 < n ? kv[i + 1].s : "";
    size_t kn = strlen(k);
    if (kn == 0 || strchr(k, '=')) continue;  // setenv refuses such a name
    char *e = xrealloc(NULL, kn + strlen(v) + 2);
    sprintf(e, "%s=%s", k, v);
    put(made, (char *)&e, sizeof e);
    size_t at = 0;
    while (at < ne && !(strncmp(env[at], k, kn) == 0 && env[at][kn] == '=')) at++;
    if (at == ne) ne++;
    env[at] = e;
  }
  env[ne] = NULL;
  return env;
}

static void env_free(char **env, buf *made) {
  if (env == environ) return;
  for (size_t i = 0; i < made->n / sizeof(char *); i++) free(((char **)made->p)[i]);
  free(made->p);
  free(env);
}

/** perl's `splice @f, 0, shift @f`: a count, then that many fields. */
static void take(size_t *i, size_t nf, str *f, size_t *start, size_t *n) {
  long c = 0;
  if (*i < nf) c = strtol(f[(*i)++].s, NULL, 10);
  size_t left = nf - *i;
  if (c < 0) c = (long)left + c > 0 ? (long)left + c : 0;  // perl: all but the last -c
  *start = *i;
  *n = (size_t)c < left ? (size_t)c : left;
  *i += *n;
}

static void launch(str id, str *f, size_t nf) {
  size_t i = 0;
  str none = {"", 0};
#define NEXT (i < nf ? f[i++] : none)
  str d = NEXT, cwd = NEXT, log = NEXT, mode = NEXT, hdr = NEXT, hash = NEXT, lz = NEXT;
#undef NEXT
  size_t env0, nenv, mk0, nmk, ln0, nln, out0, nout;
  take(&i, nf, f, &env0, &nenv);
  take(&i, nf, f, &mk0, &nmk);
  take(&i, nf, f, &ln0, &nln);
  take(&i, nf, f, &out0, &nout);
  int lazy_ = truthy(lz);
  str dpid = cat(d, ".pid");
  if (exists(dpid)) {
    if (follow(id, d)) {
      if (nwatch == cwatch) watches = xrealloc(watches, (cwatch = cwatch * 2 + 8) * sizeof *watches);
      watches[nwatch++] = (watch){mkstr(id.s, id.n), mkstr(d.s, d.n)};
    }
    free(dpid.s);
    return;
  }
  str parent = dirof(d);
  int ok = mkp(parent);
  free(parent.s);
  if (ok)  // every one tried, as perl's grep does, even after one failed
    for (size_t k = 0; k < nmk; k++)
      if (!mkp(f[mk0 + k])) ok = 0;
  for (size_t k = 0; ok && k < nln; k += 2) {
    str l = f[ln0 + k], t = k + 1 < nln ? f[ln0 + k + 1] : none;
    xunlink(l);
    ok = P(l) && P(t) && symlink(P(t), P(l)) == 0;
  }
  // The log opened here, once (the job gets it as its output), or (lazy) a pipe this agent
  // copies to a log it makes at the first byte: a silent job then leaves no empty log. The record
  // made empty ("the job is starting": a probe meanwhile waits), its line written once started.
  int lh = -1, pp[2] = {-1, -1}, ph = -1;
  ok = ok && is_dir(cwd);
  if (ok && lazy_) ok = pipe2(pp, O_CLOEXEC) == 0;
  else if (ok) {
    lh = xopen(log, O_WRONLY | O_APPEND | O_CREAT);
    ok = lh >= 0 && (eq(mode, "a") || ftruncate(lh, 0) == 0);
    if (ok && eq(mode, "h")) {
      str h = cat(hdr, "\n");
      ok = write_all(lh, h.s, h.n) == 0;
      free(h.s);
    }
  }
  ok = ok && (ph = xopen(dpid, O_WRONLY | O_CREAT | O_TRUNC)) >= 0;
  pid_t pid = -1;
  if (ok) {
    char **argv = xrealloc(NULL, (nf - i + 2) * sizeof *argv);
    size_t na = 0;
    for (size_t k = i; k < nf; k++) argv[na++] = f[k].s;
    if (na == 0) argv[na++] = "";
    argv[na] = NULL;
    buf made = {0};
    char **env = job_env(f + env0, nenv, &made);
    pid = start(argv, env, P(cwd), lazy_ ? pp[1] : lh);
    env_free(env, &made);
    free(argv);
    // No process (fork failed): the empty record goes too, or a retry would wait on it forever.
    if (pid < 0) xunlink(dpid);
  }
  if (pid < 0) {
    int e = errno;
    dprintf(2, "dax: could not prepare %s: %s\n", d.s, strerror(e));
    say(id, "end", "1", 1);
    if (lh >= 0) close(lh);
    if (pp[0] >= 0) close(pp[0]), close(pp[1]);
    if (ph >= 0) close(ph);
    free(dpid.s);
    return;
  }
  char line[64];
  int n = snprintf(line, sizeof line, "%d %d\n", (int)pid, (int)me);
  write_all(ph, line, (size_t)n);
  close(ph);
  if (lh >= 0) close(lh);
  if (pp[1] >= 0) close(pp[1]);
  // A signal dax sent before the group was recorded (a job not in its group yet gets it alone).
  str kpath = cat(d, ".kill");
  buf k = {0};
  if (slurp(kpath, &k)) {
    if (k.n && k.p[k.n - 1] == '\n') k.n--;
    put(&k, "", 1);
    int sig = signum(k.p);
    if (sig >= 0 && kill(-pid, sig) != 0) kill(pid, sig);
  }
  free(k.p);
  free(kpath.s);
  free(dpid.s);
  job *j = xrealloc(NULL, sizeof *j);
  *j = (job){mkstr(id.s, id.n), mkstr(d.s, d.n), truthy(hash), NULL, nout, 0, 0, NULL};
  if (nout) {
    j->outs = xrealloc(NULL, nout * sizeof *j->outs);
    for (size_t k2 = 0; k2 < nout; k2++) j->outs[k2] = mkstr(f[out0 + k2].s, f[out0 + k2].n);
  }
  if (lazy_) {
    lazy *o = xrealloc(NULL, sizeof *o);
    *o = (lazy){pp[0], -1, mkstr(log.s, log.n), mkstr(mode.s, mode.n), mkstr(hdr.s, hdr.n), 0};
    pipe_add(o);
    j->out = o;
  }
  kid_put(pid, j);
}

/** cp -p, waited for (perl's `system`): a link across file systems fails. */
static void cp(const char *t, const char *s) {
  char *argv[] = {"cp", "-p", (char *)t, (char *)s, NULL};
  pid_t pid;
  posix_spawnattr_t at;
  spawn_attr(&at, 0);
  if (posix_spawnp(&pid, "cp", NULL, &at, argv, environ) == 0)
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
  posix_spawnattr_destroy(&at);
}

typedef struct {
  str t, s;
  size_t order;
} keep;

static int keep_cmp(const void *a, const void *b) {
  const keep *x = a, *y = b;
  size_t n = x->t.n < y->t.n ? x->t.n : y->t.n;
  int c = memcmp(x->t.s, y->t.s, n);
  if (c) return c;
  if (x->t.n != y->t.n) return x->t.n < y->t.n ? -1 : 1;
  return x->order < y->order ? -1 : 1;
}

/** Each temp linked (or copied) into the store under its stored name, in the temps' order (a
 * temp named twice: its last), then the attempt's directory and record removed. */
static void finish(str *f, size_t nf) {
  str none = {"", 0}, d = nf ? f[0] : none;
  size_t n = nf > 1 ? (nf - 1 + 1) / 2 : 0;
  keep *k = xrealloc(NULL, (n ? n : 1) * sizeof *k);
  for (size_t i = 0; i < n; i++) k[i] = (keep){f[1 + 2 * i], 2 + 2 * i < nf ? f[2 + 2 * i] : none, i};
  qsort(k, n, sizeof *k, keep_cmp);
  for (size_t i = 0; i < n; i++) {
    if (i + 1 < n && k[i + 1].t.n == k[i].t.n && !memcmp(k[i + 1].t.s, k[i].t.s, k[i].t.n)) continue;
    str parent = dirof(k[i].s);
    mkp(parent);
    free(parent.s);
    xunlink(k[i].s);
    const char *t = P(k[i].t), *s = P(k[i].s);
    if (!t || !s || link(t, s) != 0) cp(t ? t : "", s ? s : "");
  }
  free(k);
  const char *ext[] = {"", ".pid", ".outputs", ".kill"};
  for (int i = 0; i < 4; i++) {
    str p = cat(d, ext[i]);
    rmtree(p);
    free(p.s);
  }
}

static int hexval(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; }

/** A request: fields split at each space (empty ones kept), each %XX-decoded (upper-case hex). */
static void line(char *s, size_t n) {
  static str *f;
  static size_t cf;
  size_t nf = 0;
  if (n == 0) return;
  for (size_t i = 0;; i++) {
    size_t e = i;
    while (e < n && s[e] != ' ') e++;
    size_t w = i;
    for (size_t r = i; r < e; r++) {
      int hi, lo;
      if (s[r] == '%' && r + 2 < e && (hi = hexval(s[r + 1])) >= 0 && (lo = hexval(s[r + 2])) >= 0) {
        s[w++] = (char)(hi * 16 + lo);
        r += 2;
      } else s[w++] = s[r];
    }
    if (nf == cf) f = xrealloc(f, (cf = cf * 2 + 32) * sizeof *f);
    f[nf++] = (str){s + i, w - i};
    if (e >= n) break;
    i = e;
  }
  // Each field ends with a NUL: decoded, it is no longer than it was, and its space follows.
  for (size_t k = 0; k < nf; k++) f[k].s[f[k].n] = 0;
  if (nf < 2) return;
  str id = f[0], op = f[1];
  if (eq(op, "L")) launch(id, f + 2, nf - 2);
  else if (eq(op, "F")) {
    finish(f + 2, nf - 2);
    say(id, "end", "0", 1);
  } else say(id, "end", "2", 1);
}

static void reap(void) {
  int st;
  pid_t p;
  while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
    job *j = kid_take(p);
    if (!j) continue;  // not one of ours (glibc reaps its own failed spawns)
    int x = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
    if (j->hashing) done(j);
    else {
      if (j->out) drained(j->out);
      j->out = NULL;
      ended(j, x);
    }
  }
}

/** The answers, once per loop turn: dropped if the session is gone (the jobs go on and are
 * recorded). */
static void flush(void) {
  size_t at = 0;
  while (at < out.n) {
    ssize_t w = write(1, out.p + at, out.n - at);
    if (w > 0) at += (size_t)w;
    else if (w < 0 && errno == EINTR) continue;
    else if (w < 0 && errno == EAGAIN) {
      struct pollfd pf = {1, POLLOUT, 0};
      poll(&pf, 1, -1);
    } else break;
  }
  out.n = 0;
}

int main(void) {
  // A dropped connection must not stop the recording of a job's end: the jobs get both back.
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  // A job's end comes through a signalfd that poll watches: blocked, SIGCHLD stays pending
  // until read there, so an end between the reaping and the poll still wakes it.
  signal(SIGCHLD, SIG_DFL);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) {
    dprintf(2, "dax-agent: signalfd: %s\n", strerror(errno));
    return 1;
  }
  me = getpid();
  puts_(&out, "- agent native\n");
  buf in = {0};
  size_t scanned = 0;
  struct pollfd *pf = NULL;
  lazy **ready = NULL;
  size_t cpf = 0;
  for (;;) {
    reap();
    size_t w = 0;
    for (size_t i = 0; i < nwatch; i++) {
      if (follow(watches[i].id, watches[i].d)) watches[w++] = watches[i];
      else free(watches[i].id.s), free(watches[i].d.s);
    }
    nwatch = w;
    flush();
    if (eof_in && nkids == 0) break;
    if (npipes + 2 > cpf) {
      cpf = npipes * 2 + 16;
      pf = xrealloc(pf, cpf * sizeof *pf);
      ready = xrealloc(ready, cpf * sizeof *ready);
    }
    pf[0] = (struct pollfd){eof_in ? -1 : 0, POLLIN, 0};
    pf[1] = (struct pollfd){sfd, POLLIN, 0};
    for (size_t i = 0; i < npipes; i++) pf[2 + i] = (struct pollfd){pipes[i]->rd, POLLIN, 0};
    size_t np = npipes;
    // Re-joined attempts are polled every 100 ms; a second is the most a job's end could wait
    // if a wake were ever lost.
    int r = poll(pf, 2 + np, nwatch ? 100 : nkids ? 1000 : -1);
    if (r <= 0) continue;
    if (pf[1].revents) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) > 0) {}
    }
    size_t nr = 0;
    for (size_t i = 0; i < np; i++)
      if (pf[2 + i].revents) ready[nr++] = pipes[i];
    for (size_t i = 0; i < nr; i++) copy(ready[i]);
    if (pf[0].revents) {
      if (in.cap - in.n < 65536) {
        in.cap = in.n + 65536 * 2;
        in.p = xrealloc(in.p, in.cap);
      }
      ssize_t n = read(0, in.p + in.n, 65536);
      if (n > 0) in.n += (size_t)n;
      else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        eof_in = 1;
        for (size_t i = 0; i < nwatch; i++) free(watches[i].id.s), free(watches[i].d.s);
        nwatch = 0;
      }
      size_t start = 0;
      for (char *nl; (nl = memchr(in.p + scanned, '\n', in.n - scanned));) {
        size_t e = (size_t)(nl - in.p);
        line(in.p + start, e - start);
        start = scanned = e + 1;
      }
      memmove(in.p, in.p + start, in.n - start);
      in.n -= start;
      scanned = in.n;
    }
  }
  return 0;
}
