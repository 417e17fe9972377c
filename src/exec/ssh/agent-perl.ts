// The worker's agent in perl (perl-base is Essential on Debian, so perl is on every Debian host):
// one process per agent session that does in itself what the sh agent (scripts.ts) does with a
// subshell, `setsid` and a few commands per job. A job then costs the host a fork and the
// job's own exec. It keeps the sh launch's record format (scripts.ts: DIR.pid holds `PGID
// RECORDER`, then the status; DIR.kill; DIR.outputs), so probes, kills, sweeps and a later
// dax's re-attach read what it writes the same way, and a launch of either agent re-joins an
// attempt the other started.
//
// dax's own agent (native/agent.c, see install.ts) takes the same lines and answers the same.
//
// Its input is a line per request: an id, an op and fields, space separated, each escaped
// (perlEscape). `L` launches (perlLaunchLine), `F` finishes (perlFinishLine). It answers as
// the sh agent does: lines starting with the id, the last `status X` or `end N`.
import { type LaunchSpec } from './scripts.js';

/** A field as the perl agent reads it: bytes that would end or split a field (%, spaces,
 * control characters) as %XX. Non-ASCII characters go as they are (UTF-8 bytes both ways). */
export function perlEscape(s: string): string {
  return s.replace(/[%\x00-\x20\x7f]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

const list = (items: string[]): string[] => [String(items.length), ...items];

/** A launch for the perl agent (the fields `launch` in PERL_AGENT takes, in order). */
export function perlLaunchLine(w: LaunchSpec): string {
  const mode = w.header !== undefined ? 'h' : w.appendLog ? 'a' : 'w';
  return ['L', w.dir, w.cwd, w.log, mode, w.header?.replace(/\n$/, '') ?? '', w.hash ? '1' : '0', w.logOnOutput ? '1' : '0',
    ...list(Object.entries(w.env).flat()), ...list(w.mkdirs), ...list(w.links.flat()), ...list(w.outputs.flat()), ...w.argv,
  ].map(perlEscape).join(' ');
}

/** What scripts.ts finishScript does, for the perl agent: each [temp, stored] linked (or
 * copied) into the store, then the attempt's directory and record removed. */
export function perlFinishLine(dir: string, keep: Array<[string, string]>): string {
  return ['F', dir, ...keep.flat()].map(perlEscape).join(' ');
}

/** The program (`perl -e`). Builtins only, no module (not even Errno, which %! loads: errno
 * values are Linux's): the agent forks for every job, and a fork costs by the size of the
 * process (POSIX alone adds a tenth of a millisecond a job). */
export const PERL_AGENT = String.raw`
use strict;
# A dropped connection must not stop the recording of a job's end: the jobs get both back.
$SIG{HUP} = $SIG{PIPE} = 'IGNORE';
# A job's end wakes the loop's select through a pipe it watches (a flag would miss a SIGCHLD that
# came after the reaping and before the select began, and the job's end would wait for a
# timeout). The write end does not block (F_SETFL 4, O_NONBLOCK 04000: Linux's values).
pipe(my $wr, my $ww) or die "pipe: $!"; fcntl($ww, 4, 2048);
$SIG{CHLD} = sub { syswrite($ww, 'x') };
# %pipe: the jobs whose output comes through this agent (a log made only if they write), by fd.
my (%kid, %pipe, @watch, $out, $eof);
$out = "- agent perl\n";
sub say_ { $out .= join(' ', @_) . "\n" }
sub slurp { open(my $h, '<', $_[0]) or return undef; local $/; my $s = <$h>; $s }
# One write each (a small print to a fresh handle is one write(2) at close).
sub put { my ($f, $mode, $s) = @_; open(my $h, $mode, $f) or return 0; print $h $s; close $h }
sub mkp { my ($p) = @_; return 1 if -d $p; mkp($1) if $p =~ m{^(.+)/[^/]+/*$}; mkdir $p; -d $p }
sub dirof { $_[0] =~ m{^(.*)/} ? ($1 eq '' ? '/' : $1) : '.' }
# An attempt's record as far as written: (pgid, recorder, status); a status only with its newline.
sub record { my $s = slurp("$_[0].pid"); return () unless defined $s; $s =~ /^(?:(\d+) (\d+)\n(?:(\S+)\n)?)?/; ($1 // '', $2 // '', $3) }
# The outputs' lines (unless the launch has none to record), then the status: its last line.
sub report {
  my ($id, $d, $x, $none) = @_;
  my $o = $none ? '' : slurp("$d.outputs") // ''; say_($id, 'out', $_) for split /\n/, $o;
  say_($id, 'status', $x);
}
# An attempt that ran or runs already (a retried launch, a later dax's): its status once it has
# one, 'gone' once neither its group nor its recorder lives without one. False once reported.
sub follow {
  my ($id, $d) = @_;
  my ($p, $r, $x) = record($d);
  if (defined $x) { report($id, $d, $x); return 0 }
  return 1 if defined $p && ($p eq '' || kill(0, $p) || ($r ne '' && kill(0, $r)));  # starting, or running
  ($p, $r, $x) = record($d);
  report($id, $d, $x // 'gone'); 0;
}
sub launch {
  my ($id, @f) = @_;
  my ($d, $cwd, $log, $mode, $hdr, $hash, $lazy) = splice @f, 0, 7;
  my $take = sub { splice @f, 0, shift @f };
  my %env = $take->(); my @mk = $take->(); my @ln = $take->(); my @outs = $take->(); my @argv = @f;
  if (-e "$d.pid") { push @watch, [$id, $d] if follow($id, $d); return }
  my $ok = mkp(dirof($d)) && !grep { !mkp($_) } @mk;
  while ($ok && (my ($l, $t) = splice @ln, 0, 2)) { unlink $l; $ok = symlink $t, $l }
  # The log opened here, once (the job gets it as its output), or (lazy) a pipe this agent
  # copies to a log it makes at the first byte: a file made costs more than a pipe, and a silent
  # job then leaves no empty log, as a local one does. The record made empty ("the job is
  # starting": a probe meanwhile waits) and written through the same handle once forked.
  my ($lh, $ph, $or, $ow);
  $ok &&= -d $cwd && ($lazy ? pipe($or, $ow) : open($lh, '>>', $log) && ($mode eq 'a' || truncate($lh, 0)) && ($mode ne 'h' || syswrite($lh, "$hdr\n")))
    && open($ph, '>', "$d.pid");
  # A pipe the job's exec closes (perl's fds are close-on-exec): this agent waits on it after
  # the fork (a second at most: a child stuck in chdir on a hung mount must not stop the
  # others), so it writes to no page the child still shares, each of which the kernel would
  # copy (the fork's main cost, more than the fork itself).
  my ($er, $ew);
  my $p = $ok && pipe($er, $ew) ? fork : undef;
  if (!defined $p) { print STDERR "dax: could not prepare $d: $!\n"; say_($id, 'end', 1); return }
  if ($p == 0) {
    # The job: a process group of its own (dax signals the group; this agent is not in it; no
    # terminal, so no session needed), all three fds away from the session (or ssh would wait
    # for the job), signals as default. exit, not POSIX::_exit: no buffered output to lose.
    $SIG{$_} = 'DEFAULT' for qw(HUP PIPE CHLD);
    setpgrp(0, 0);
    @ENV{keys %env} = values %env;
    my $to = $lazy ? $ow : $lh;
    open(STDIN, '<', '/dev/null'); open(STDOUT, '>&', $to) && open(STDERR, '>&', $to) or exit 126;
    chdir $cwd or do { print STDERR "dax: cd $cwd: $!\n"; exit 126 };
    exec { $argv[0] } @argv; my $e = $! + 0;
    print STDERR "dax: $argv[0]: $!\n"; exit($e == 2 ? 127 : 126);  # ENOENT: not found, as sh says it
  }
  close $ew; my $t = time + 1; my $w = ''; vec($w, fileno $er, 1) = 1;
  1 while select(my $r = $w, undef, undef, 1) < 0 && time < $t;  # interrupted by a SIGCHLD: again
  close $er;
  syswrite($ph, "$p $$\n"); close $ph; close $lh if $lh; close $ow if $ow;
  # A signal dax sent before the group was recorded (a job not in its group yet gets it alone).
  if (defined(my $k = slurp("$d.kill"))) { chomp $k; kill($k, -$p) or kill($k, $p) }
  $kid{$p} = { id => $id, d => $d, hash => $hash, outs => \@outs };
  $pipe{fileno $or} = { or => $or, log => $log, mode => $mode, hdr => $hdr } if $lazy;
  $kid{$p}{out} = $pipe{fileno $or} if $lazy;
}
# What a job wrote, from its pipe to its log (made at the first byte: truncated, or appended to
# for a retry, the header first). False at the end of the pipe.
sub copy {
  my ($o) = @_;
  my $n = sysread($o->{or}, my $buf, 65536);
  return 1 if !defined $n && $! == 4;  # EINTR
  unless ($n) { delete $pipe{fileno $o->{or}}; close $o->{or}; $o->{or} = undef; return 0 }
  unless ($o->{lh}) {
    open($o->{lh}, $o->{mode} eq 'a' ? '>>' : '>', $o->{log}) or return 1;  # unwritable: lost, the job goes on
    syswrite($o->{lh}, "$o->{hdr}\n") if $o->{mode} eq 'h';
  }
  syswrite($o->{lh}, $buf); 1;
}
# The job ended: what is left in its pipe goes to the log (not what a process it left behind
# writes later), and a silent first attempt removes an earlier run's log.
sub drained {
  my ($o) = @_;
  while ($o->{or}) { my $r = ''; vec($r, fileno $o->{or}, 1) = 1; last unless select($r, undef, undef, 0) > 0; copy($o) }
  if ($o->{or}) { delete $pipe{fileno $o->{or}}; close $o->{or} }
  if ($o->{lh}) { close $o->{lh} } elsif ($o->{mode} ne 'a') { unlink $o->{log} }
}
# The job ended with status x: outputs written under their own names moved to their temporary
# ones, the temporaries' sizes (and sha256, by a child that runs sha256sum) recorded.
sub ended {
  my ($j, $x) = @_;
  $j->{x} = $x;
  my @o = @{$j->{outs}};
  return done($j) unless @o;
  my @t;
  while (my ($t, $o) = splice @o, 0, 2) { rename $o, $t if $x == 0 && !-e $t && -e $o; push @t, $t }
  my $lines = sub { my ($h) = @_; join '', map { -f $_ ? (stat _)[7] . ' ' . $h->($_) . "\n" : "- -\n" } @t };
  unless ($j->{hash}) { put("$j->{d}.outputs", '>', $lines->(sub { '-' })); return done($j) }
  my $p = fork;
  if (!defined $p) { put("$j->{d}.outputs", '>', ''); return done($j) }
  if ($p == 0) {
    $SIG{$_} = 'DEFAULT' for qw(HUP PIPE CHLD);
    my $sha = sub { open(STDIN, '<', $_[0]) or return '-'; substr(qx(sha256sum) // '-', 0, 64) };
    put("$j->{d}.outputs", '>', $lines->($sha)); exit 0;
  }
  $kid{$p} = { %$j, hashing => 1 };
}
sub done { my ($j) = @_; put("$j->{d}.pid", '>>', "$j->{x}\n"); report($j->{id}, $j->{d}, $j->{x}, !@{$j->{outs}}); 1 }
sub finish {
  my ($d, %keep) = @_;
  for my $t (sort keys %keep) {
    my $s = $keep{$t}; mkp(dirof($s)); unlink $s;
    link $t, $s or system('cp', '-p', $t, $s);
  }
  rmtree($_) for $d, "$d.pid", "$d.outputs", "$d.kill";
}
# rm -rf (File::Path would grow the process every job's fork copies).
sub rmtree {
  my ($p) = @_;
  return unlink $p if -l $p || !-d _;
  opendir(my $dh, $p) or return;
  rmtree("$p/$_") for grep { $_ ne '.' && $_ ne '..' } readdir $dh;
  rmdir $p;
}
sub line {
  my ($id, $op, @f) = map { s/%([0-9A-F]{2})/chr hex $1/ger } split / /, $_[0], -1;
  return unless defined $op;
  if ($op eq 'L') { launch($id, @f) }
  elsif ($op eq 'F') { finish(@f); say_($id, 'end', 0) }
  else { say_($id, 'end', 2) }
}
my $in = '';
while (1) {
  while ((my $p = waitpid(-1, 1)) > 0) {  # 1: WNOHANG
    my $j = delete $kid{$p} or next;
    my $x = $? & 127 ? 128 + ($? & 127) : $? >> 8;
    if ($j->{hashing}) { done($j) } else { drained(delete $j->{out}) if $j->{out}; ended($j, $x) }
  }
  @watch = grep { follow(@$_) } @watch;
  while (length $out) {
    my $n = syswrite(STDOUT, $out);
    if ($n) { substr($out, 0, $n) = '' } elsif ($! != 4) { $out = '' }  # not EINTR: the session is gone
  }
  last if $eof && !%kid;
  my $rin = ''; vec($rin, 0, 1) = 1 unless $eof; vec($rin, $_, 1) = 1 for fileno($wr), keys %pipe;
  # Waits for a line, a job's output or a child's end (the wake pipe); re-joined attempts are
  # polled, and a second is the most a job's end could wait if a wake were ever lost.
  # (Interrupted, select returns -1 and leaves the bits as they were.)
  my $ready = select(my $rout = $rin, undef, undef, @watch ? 0.1 : %kid ? 1 : undef);
  sysread($wr, my $wake, 4096) if $ready > 0 && vec($rout, fileno $wr, 1);
  copy($pipe{$_}) for grep { $ready > 0 && vec($rout, $_, 1) } keys %pipe;
  if ($ready > 0 && vec($rout, 0, 1)) {
    my $n = sysread(STDIN, $in, 65536, length $in);
    if (defined $n ? $n == 0 : $! != 4) { $eof = 1; @watch = () }  # 4: EINTR
    line($1) while $in =~ s/^([^\n]*)\n//;
  }
}
`;
