// posix_spawn for the local executor. Node's child_process forks: the kernel copies the page
// tables of a process holding the whole job graph, once per job. posix_spawn (vfork semantics
// in glibc) does not, which is what lets ninja start thousands of jobs a second.
//
//   spawn(argv, envp, cwd, log, append, header, publish, onEvent)
// The job runs in a new session (its pid is its process group), stdin from /dev/null, with
// default signal handling. Its stdout and stderr go through a pipe to the log file, which is
// created only when the job writes something, and then starts with `header` (the attempt's
// header line; '' for none): most jobs write nothing, and a file per job is the costliest thing
// dax would otherwise do for them. Without `append`, an earlier log is removed first. Output written after the job itself ended (by
// something it left running in the background) is not kept. A thread starts the job and waits
// for exactly that pid (children started by anything else in the process are left alone), then
// takes the next job: threads are reused. The JS thread never blocks on a start: with vfork
// semantics the starter waits until the job has opened its log and exec'd. When the job
// succeeds, the thread also renames its outputs into place (`publish`: from, to, from, to...).
// onEvent(kind, a, b, c) on the JS thread: kind 0 = started (a = pid), 1 = could not start
// (a = errno), 2 = ended (a = exit code, b = signal, c = 1 when every rename of `publish` succeeded).
//
//   statMany(paths, out), checkStamps(text, prefix): the no-op check's stats in one call.
//
//   copyRange(fdIn, offIn, fdOut, offOut, len) -> Promise<number>: copy_file_range(2) on a libuv
// worker thread, looping on short copies: the FITS merger's data units are copied inside the
// kernel, never through a user buffer. Resolves to the bytes copied (fewer than len: the input
// ended) or to -errno (the caller falls back to read and write on ENOSYS, EXDEV, EINVAL...).
#include <node_api.h>
#include "spawn-signals.h"
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <sys/syscall.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <algorithm>
#include <string>
#include <pthread.h>
#include <deque>
#include <map>
#include <vector>

namespace {

// The environment every job starts from: dax's own, set once from JS.
std::vector<std::string> base_env;

struct Event {
  napi_ref onEvent;  // the job's callback
  int kind;
  int a;
  int b;
  int c;
};

// One thread-safe function carries every job's events to the JS thread (one per job would cost
// an async handle opened and closed per job). It holds the event loop open only while jobs run.
napi_threadsafe_function events_tsfn = nullptr;
int running_jobs = 0;  // JS thread only

// Job threads are reused: a job waits for an idle thread, or starts one.
struct Job;
pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t pool_cv = PTHREAD_COND_INITIALIZER;
std::deque<Job *> pool_queue;
int pool_idle = 0;

// Programs found on PATH, by PATH and name: a job's start does not search PATH again.
pthread_mutex_t path_mu = PTHREAD_MUTEX_INITIALIZER;
std::map<std::string, std::string> path_cache;

bool str(napi_env env, napi_value v, std::string *out) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, nullptr, 0, &len) != napi_ok) return false;
  out->resize(len);
  return napi_get_value_string_utf8(env, v, &(*out)[0], len + 1, &len) == napi_ok;
}

bool strings(napi_env env, napi_value arr, std::vector<std::string> *out) {
  uint32_t n = 0;
  if (napi_get_array_length(env, arr, &n) != napi_ok) return false;
  out->resize(n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    if (napi_get_element(env, arr, i, &item) != napi_ok || !str(env, item, &(*out)[i])) return false;
  }
  return true;
}

void call_js(napi_env env, napi_value, void *, void *data) {
  Event *e = static_cast<Event *>(data);
  if (env != nullptr) {
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    napi_value fn, args[4], undef;
    napi_get_reference_value(env, e->onEvent, &fn);
    napi_create_int32(env, e->kind, &args[0]);
    napi_create_int32(env, e->a, &args[1]);
    napi_create_int32(env, e->b, &args[2]);
    napi_create_int32(env, e->c, &args[3]);
    napi_get_undefined(env, &undef);
    bool last = e->kind != 0;
    if (last) {
      napi_delete_reference(env, e->onEvent);
      if (--running_jobs == 0) napi_unref_threadsafe_function(env, events_tsfn);
    }
    napi_call_function(env, undef, fn, 4, args, nullptr);
    napi_close_handle_scope(env, scope);
  }
  delete e;
}

void send(napi_ref onEvent, int kind, int a, int b, int c) {
  napi_call_threadsafe_function(events_tsfn, new Event{onEvent, kind, a, b, c}, napi_tsfn_blocking);
}

std::string search(const std::string &prog, const std::string &path);

/** The program's path: as given when it has a slash, else the first match on the job's PATH. */
std::string resolve(const std::string &prog, const std::vector<std::string> &envp) {
  if (prog.find('/') != std::string::npos) return prog;
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  for (const auto &e : envp)
    if (e.compare(0, 5, "PATH=") == 0) {
      path = e.substr(5);
      break;  // the job's own variables come first
    }
  std::string key = path + '\0' + prog;
  pthread_mutex_lock(&path_mu);
  auto hit = path_cache.find(key);
  std::string found = hit == path_cache.end() ? std::string() : hit->second;
  pthread_mutex_unlock(&path_mu);
  // A hit is checked again (one access instead of a search): the program may have gone.
  if (!found.empty() && access(found.c_str(), X_OK) == 0) return found;
  found = search(prog, path);
  if (found != prog) {
    pthread_mutex_lock(&path_mu);
    path_cache[key] = found;
    pthread_mutex_unlock(&path_mu);
  }
  return found;
}

std::string search(const std::string &prog, const std::string &path) {
  size_t at = 0;
  while (at <= path.size()) {
    size_t colon = path.find(':', at);
    if (colon == std::string::npos) colon = path.size();
    std::string dir = path.substr(at, colon - at);
    std::string full = (dir.empty() ? "." : dir) + "/" + prog;
    if (access(full.c_str(), X_OK) == 0) return full;
    at = colon + 1;
  }
  return prog;  // posix_spawn then fails with ENOENT
}

void run(std::vector<std::string> argv, std::vector<std::string> envp, std::string cwd, std::string log, bool append, std::string header,
         std::vector<std::string> publish, napi_ref onEvent) {
  // The job's own variables first; then the base environment's, unless the job set the same name.
  for (const auto &b : base_env) {
    size_t eq = b.find('=');
    bool shadowed = false;
    for (size_t i = 0; i < envp.size() && !shadowed; i++) shadowed = envp[i].compare(0, eq + 1, b, 0, eq + 1) == 0;
    if (!shadowed) envp.push_back(b);
  }
  std::vector<char *> av, ev;
  for (auto &s : argv) av.push_back(&s[0]);
  av.push_back(nullptr);
  for (auto &s : envp) ev.push_back(&s[0]);
  ev.push_back(nullptr);
  std::string prog = resolve(argv[0], envp);

  // A new attempt starts a new log; a retry appends to it.
  if (!append) unlink(log.c_str());
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    send(onEvent, 1, errno, 0, 0);
    return;
  }
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&at);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, out[1], 2);
  posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
  spawn_signals(&at, POSIX_SPAWN_SETSID);
  pid_t pid = 0;
  int err = posix_spawn(&pid, prog.c_str(), &fa, &at, av.data(), ev.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  close(out[1]);
  if (err != 0) {
    close(out[0]);
    send(onEvent, 1, err, 0, 0);
    return;
  }
  send(onEvent, 0, pid, 0, 0);

  // Copy the job's output to its log until the job ends. A pidfd says when it has ended even
  // while something it started in the background still holds the pipe open.
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  int logfd = -1;
  static thread_local char buf[65536];
  auto write_all = [&](const char *p, size_t n) {
    for (size_t done = 0; logfd >= 0 && done < n;) {
      ssize_t w = write(logfd, p + done, n - done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;
      done += w;
    }
  };
  auto copy = [&](ssize_t n) {
    if (logfd < 0) {
      logfd = open(log.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0666);
      write_all(header.data(), header.size());
    }
    write_all(buf, n);
  };
  bool pipe_open = true;
  for (;;) {
    struct pollfd p[2] = {{out[0], POLLIN, 0}, {pidfd, POLLIN, 0}};
    int np = pidfd >= 0 ? 2 : 1;
    if (!pipe_open) {
      if (pidfd < 0) break;
      p[0].fd = -1;
    }
    int r = poll(p, np, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (pipe_open && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = read(out[0], buf, sizeof buf);
      if (n > 0) copy(n);
      else if (n == 0 || errno != EINTR) pipe_open = false;  // every writer is gone
      if (!pipe_open && pidfd < 0) break;
      continue;
    }
    if (pidfd >= 0 && (p[1].revents & POLLIN)) {
      // The job ended: keep what it wrote, not what its leftovers write from now on.
      fcntl(out[0], F_SETFL, O_NONBLOCK);
      ssize_t n;
      while (pipe_open && (n = read(out[0], buf, sizeof buf)) > 0) copy(n);
      break;
    }
  }
  close(out[0]);
  if (pidfd >= 0) close(pidfd);
  if (logfd >= 0) close(logfd);

  int status = 0;
  pid_t r;
  do r = waitpid(pid, &status, 0);
  while (r < 0 && errno == EINTR);
  Event *e = new Event{onEvent, 2, -1, 0, 0};
  if (r == pid && WIFEXITED(status)) e->a = WEXITSTATUS(status);
  else if (r == pid && WIFSIGNALED(status)) e->b = WTERMSIG(status);
  if (e->a == 0 && !publish.empty()) {
    // The job succeeded: move its outputs into place here, off the JS thread. Anything short of
    // every rename succeeding is left to dax (c = 0), which knows what else may be the case.
    bool all = true;
    for (size_t i = 0; all && i + 1 < publish.size(); i += 2) all = rename(publish[i].c_str(), publish[i + 1].c_str()) == 0;
    e->c = all ? 1 : 0;
  }
  napi_call_threadsafe_function(events_tsfn, e, napi_tsfn_blocking);
}

struct Job {
  std::vector<std::string> argv, envp, publish;
  std::string cwd, log, header;
  bool append;
  napi_ref onEvent;
};

/** A job thread: runs jobs from the queue, one at a time, and waits for the next. */
void *job_main(void *) {
  pthread_setname_np(pthread_self(), "dax-job");  // told apart from Node's threads in top and perf
  pthread_mutex_lock(&pool_mu);
  for (;;) {
    while (pool_queue.empty()) {
      pool_idle++;
      pthread_cond_wait(&pool_cv, &pool_mu);
      pool_idle--;
    }
    Job *j = pool_queue.front();
    pool_queue.pop_front();
    pthread_mutex_unlock(&pool_mu);
    run(std::move(j->argv), std::move(j->envp), std::move(j->cwd), std::move(j->log), j->append, std::move(j->header), std::move(j->publish), j->onEvent);
    delete j;
    pthread_mutex_lock(&pool_mu);
  }
  return nullptr;
}

napi_value Spawn(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value a[8];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  std::vector<std::string> argv, envp, publish;
  std::string cwd, log, header;
  bool append = false;
  if (argc < 8 || !strings(env, a[0], &argv) || argv.empty() || !strings(env, a[1], &envp) || !str(env, a[2], &cwd) ||
      !str(env, a[3], &log) || napi_get_value_bool(env, a[4], &append) != napi_ok || !str(env, a[5], &header) || !strings(env, a[6], &publish)) {
    napi_throw_type_error(env, nullptr, "spawn(argv, envp, cwd, log, append, header, publish, onEvent)");
    return nullptr;
  }
  if (events_tsfn == nullptr) {
    napi_value name;
    napi_create_string_utf8(env, "dax-job", NAPI_AUTO_LENGTH, &name);
    if (napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, nullptr, nullptr, nullptr, call_js, &events_tsfn) != napi_ok) {
      events_tsfn = nullptr;
      napi_throw_error(env, nullptr, "cannot create the jobs' event callback");
      return nullptr;
    }
    napi_unref_threadsafe_function(env, events_tsfn);
  }
  napi_ref onEvent;
  if (napi_create_reference(env, a[7], 1, &onEvent) != napi_ok) {
    napi_throw_type_error(env, nullptr, "spawn: onEvent must be a function");
    return nullptr;
  }
  Job *job = new Job{std::move(argv), std::move(envp), std::move(publish), std::move(cwd), std::move(log), std::move(header), append, onEvent};
  pthread_mutex_lock(&pool_mu);
  bool idle = pool_idle > (int)pool_queue.size();
  int err = 0;
  if (!idle) {
    // A small stack: the thread only starts jobs, copies their output and waits. With
    // unlimited --jobs there may be thousands of them.
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    err = pthread_create(&thread, &attr, job_main, nullptr);
    pthread_attr_destroy(&attr);
  }
  if (err != 0 && pool_idle == 0) {
    pthread_mutex_unlock(&pool_mu);
    delete job;
    napi_delete_reference(env, onEvent);
    std::string msg = std::string("cannot start a thread for the job: ") + strerror(err);
    napi_throw_error(env, "EAGAIN", msg.c_str());
    return nullptr;
  }
  // With no new thread (a system limit) but an idle one busy soon enough, the job waits its turn.
  pool_queue.push_back(job);
  pthread_cond_signal(&pool_cv);
  pthread_mutex_unlock(&pool_mu);
  if (running_jobs++ == 0) napi_ref_threadsafe_function(env, events_tsfn);
  return nullptr;
}

napi_value SetBaseEnv(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value a[1];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  std::vector<std::string> envp;
  if (argc < 1 || !strings(env, a[0], &envp)) {
    napi_throw_type_error(env, nullptr, "setBaseEnv(envp)");
    return nullptr;
  }
  base_env = std::move(envp);  // set before any job starts: the job threads only read it
  return nullptr;
}

/** statMany(paths, out): out (a Float64Array of 3 per path) gets each path's size, mtime seconds
 * and nanoseconds; size -1 when it cannot be stat'ed. A no-op run checks thousands of files:
 * one call instead of a Stats object per file. */
napi_value StatMany(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value a[2];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  uint32_t n = 0;
  bool isArray = false, isTyped = false;
  if (argc < 2 || napi_is_array(env, a[0], &isArray) != napi_ok || !isArray || napi_is_typedarray(env, a[1], &isTyped) != napi_ok || !isTyped ||
      napi_get_array_length(env, a[0], &n) != napi_ok) {
    napi_throw_type_error(env, nullptr, "statMany(paths, out)");
    return nullptr;
  }
  napi_typedarray_type type;
  size_t len = 0;
  void *data = nullptr;
  napi_get_typedarray_info(env, a[1], &type, &len, &data, nullptr, nullptr);
  if (type != napi_float64_array || len < 3 * (size_t)n) {
    napi_throw_type_error(env, nullptr, "statMany: out must be a Float64Array of 3 per path");
    return nullptr;
  }
  double *out = static_cast<double *>(data);
  std::string p, dir;
  // Relative to a descriptor of the directory: the kernel walks the path's directories once per
  // directory instead of once per file (most of a stat's cost when thousands share a directory).
  int dirfd = -1;
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    struct stat st;
    bool ok = napi_get_element(env, a[0], i, &item) == napi_ok && str(env, item, &p);
    if (ok) {
      size_t slash = p.rfind('/');
      if (slash != std::string::npos && slash > 0) {
        if (dirfd < 0 || p.compare(0, slash, dir) != 0 || dir.size() != slash) {
          if (dirfd >= 0) close(dirfd);
          dir.assign(p, 0, slash);
          dirfd = open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        }
        ok = dirfd >= 0 ? fstatat(dirfd, p.c_str() + slash + 1, &st, 0) == 0 : stat(p.c_str(), &st) == 0;
      } else ok = stat(p.c_str(), &st) == 0;
    }
    if (!ok) {
      out[3 * i] = -1;
      out[3 * i + 1] = out[3 * i + 2] = 0;
      continue;
    }
    out[3 * i] = static_cast<double>(st.st_size);
    out[3 * i + 1] = static_cast<double>(st.st_mtim.tv_sec);
    out[3 * i + 2] = static_cast<double>(st.st_mtim.tv_nsec);
  }
  if (dirfd >= 0) close(dirfd);
  return nullptr;
}

/** checkStamps(text, prefix): whether every line `path\tsize\tmtimeMs` of text names a file of that
 * size and mtime (mtimeMs as Node computes it); a relative path is taken after prefix. The
 * snapshot's own text in one string: no string per file crosses into C++. The stats (a no-op's
 * main cost: one per input) are shared by a few threads, each a run of consecutive lines. */
struct StampRange {
  const std::string *text;
  const std::string *prefix;
  size_t from, to;  // [from, to) of text, whole lines
  bool holds;
};

void *CheckStampRange(void *arg) {
  StampRange *r = static_cast<StampRange *>(arg);
  const std::string &text = *r->text;
  bool holds = true;
  std::string p, dir;
  int dirfd = -1;
  size_t at = r->from;
  while (holds && at < r->to) {
    size_t nl = text.find('\n', at);
    if (nl == std::string::npos || nl > r->to) nl = r->to;
    size_t t1 = text.find('\t', at);
    size_t t2 = t1 == std::string::npos ? t1 : text.find('\t', t1 + 1);
    if (t2 == std::string::npos || t2 > nl) {
      holds = false;
      break;
    }
    p.assign(text, at, t1 - at);
    if (p.empty() || p[0] != '/') p.insert(0, *r->prefix);
    char *end = nullptr;
    double size = strtod(text.c_str() + t1 + 1, &end);
    double mtime = strtod(text.c_str() + t2 + 1, &end);
    struct stat st;
    size_t slash = p.rfind('/');
    bool ok;
    if (slash != std::string::npos && slash > 0) {
      if (dirfd < 0 || dir.size() != slash || p.compare(0, slash, dir) != 0) {
        if (dirfd >= 0) close(dirfd);
        dir.assign(p, 0, slash);
        dirfd = open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
      }
      ok = dirfd >= 0 ? fstatat(dirfd, p.c_str() + slash + 1, &st, 0) == 0 : stat(p.c_str(), &st) == 0;
    } else ok = stat(p.c_str(), &st) == 0;
    // Node: mtimeMs = sec * 1e3 + nsec / 1e6, in doubles.
    volatile double ms = static_cast<double>(st.st_mtim.tv_sec) * 1e3;
    volatile double frac = static_cast<double>(st.st_mtim.tv_nsec) / 1e6;
    holds = ok && static_cast<double>(st.st_size) == size && ms + frac == mtime;
    at = nl + 1;
  }
  if (dirfd >= 0) close(dirfd);
  r->holds = holds;
  return nullptr;
}

// Lines per thread below which another thread costs more than it saves (a stat is ~2 us).
const size_t kStampsPerThread = 2000;
const int kStampThreads = 4;

napi_value CheckStamps(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value a[2];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  std::string text, prefix;
  if (argc < 2 || !str(env, a[0], &text) || !str(env, a[1], &prefix)) {
    napi_throw_type_error(env, nullptr, "checkStamps(text, prefix)");
    return nullptr;
  }
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  int n = static_cast<int>(std::min<size_t>(std::min<long>(cpus < 1 ? 1 : cpus, kStampThreads), lines / kStampsPerThread));
  if (n < 1) n = 1;
  std::vector<StampRange> ranges(n);
  size_t from = 0;
  for (int k = 0; k < n; k++) {
    // Cut at the first line end after an even share of the bytes.
    size_t to = k == n - 1 ? text.size() : text.find('\n', std::max(from, text.size() * (k + 1) / n));
    if (to == std::string::npos) to = text.size();
    ranges[k] = StampRange{&text, &prefix, from, to, true};
    from = to < text.size() ? to + 1 : to;
  }
  std::vector<pthread_t> threads(n, pthread_t());
  std::vector<bool> started(n, false);
  for (int k = 1; k < n; k++) started[k] = pthread_create(&threads[k], nullptr, CheckStampRange, &ranges[k]) == 0;
  CheckStampRange(&ranges[0]);
  bool holds = ranges[0].holds;
  for (int k = 1; k < n; k++) {
    if (started[k]) pthread_join(threads[k], nullptr);
    else CheckStampRange(&ranges[k]);  // no thread: this one does it
    holds = holds && ranges[k].holds;
  }
  napi_value r;
  napi_get_boolean(env, holds, &r);
  return r;
}

struct CopyWork {
  napi_async_work work;
  napi_deferred deferred;
  int fd_in, fd_out;
  int64_t off_in, off_out, len;
  int64_t done = 0;
  int error = 0;
};

void CopyExecute(napi_env, void *data) {
  CopyWork *w = static_cast<CopyWork *>(data);
  while (w->done < w->len) {
    loff_t in = w->off_in + w->done, out = w->off_out + w->done;
    ssize_t n = copy_file_range(w->fd_in, &in, w->fd_out, &out, static_cast<size_t>(w->len - w->done), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      w->error = errno;
      return;
    }
    if (n == 0) return;  // end of the input
    w->done += n;
  }
}

void CopyComplete(napi_env env, napi_status, void *data) {
  CopyWork *w = static_cast<CopyWork *>(data);
  napi_value r;
  // A failure after some bytes were copied is still a failure: those bytes are not reported.
  napi_create_double(env, w->error ? -static_cast<double>(w->error) : static_cast<double>(w->done), &r);
  napi_resolve_deferred(env, w->deferred, r);
  napi_delete_async_work(env, w->work);
  delete w;
}

napi_value CopyRange(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 5) {
    napi_throw_type_error(env, nullptr, "copyRange(fdIn, offIn, fdOut, offOut, len)");
    return nullptr;
  }
  CopyWork *w = new CopyWork();
  int32_t fd_in = -1, fd_out = -1;
  if (napi_get_value_int32(env, argv[0], &fd_in) != napi_ok || napi_get_value_int64(env, argv[1], &w->off_in) != napi_ok ||
      napi_get_value_int32(env, argv[2], &fd_out) != napi_ok || napi_get_value_int64(env, argv[3], &w->off_out) != napi_ok ||
      napi_get_value_int64(env, argv[4], &w->len) != napi_ok) {
    delete w;
    napi_throw_type_error(env, nullptr, "copyRange: numbers expected");
    return nullptr;
  }
  w->fd_in = fd_in;
  w->fd_out = fd_out;
  napi_value promise, name;
  napi_create_promise(env, &w->deferred, &promise);
  napi_create_string_utf8(env, "dax.copyRange", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, nullptr, name, CopyExecute, CopyComplete, w, &w->work);
  napi_queue_async_work(env, w->work);
  return promise;
}

napi_value Init(napi_env env, napi_value exports) {
  // The interface's version (src/exec/native.ts checks it): 2 = spawn takes the log's header.
  napi_value api;
  napi_create_int32(env, 2, &api);
  napi_set_named_property(env, exports, "api", api);
  napi_value copyRange;
  napi_create_function(env, "copyRange", NAPI_AUTO_LENGTH, CopyRange, nullptr, &copyRange);
  napi_set_named_property(env, exports, "copyRange", copyRange);
  napi_value checkStamps;
  napi_create_function(env, "checkStamps", NAPI_AUTO_LENGTH, CheckStamps, nullptr, &checkStamps);
  napi_set_named_property(env, exports, "checkStamps", checkStamps);
  napi_value statMany;
  napi_create_function(env, "statMany", NAPI_AUTO_LENGTH, StatMany, nullptr, &statMany);
  napi_set_named_property(env, exports, "statMany", statMany);
  napi_value base;
  napi_create_function(env, "setBaseEnv", NAPI_AUTO_LENGTH, SetBaseEnv, nullptr, &base);
  napi_set_named_property(env, exports, "setBaseEnv", base);
  napi_value fn;
  napi_create_function(env, "spawn", NAPI_AUTO_LENGTH, Spawn, nullptr, &fn);
  napi_set_named_property(env, exports, "spawn", fn);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
