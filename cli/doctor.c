/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doctor.c: `goldsmith doctor`, is this host ready to run goldsmith?
 *
 * Each check ends "ok", "warn" (goldsmith works, but slower or without
 * a feature) or "fail" (goldsmith cannot work); anything but "ok"
 * says what it means and how to fix it.  Exit status 0 when nothing
 * failed.  One appliance launch at most, last, and timed.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cleanups.h"

#define MiB (1024 * 1024LL)

static int no_launch, phases;

static struct poptOption doctor_table[] = {
  { "no-launch", '\0', POPT_ARG_NONE, &no_launch, 0,
    "Skip the appliance launch (the slow check)", NULL },
  { "phases", '\0', POPT_ARG_NONE, &phases, 0,
    "Time the launch's phases (a verbose launch, a little slower)", NULL },
  { NULL, '\0', POPT_ARG_INCLUDE_TABLE, gs_common_table, 0,
    "Options of every subcommand:", NULL },
  POPT_AUTOHELP
  POPT_TABLEEND
};

enum status { OK, WARN, FAIL };
static const char *const status_names[] = { "ok", "warn", "fail" };

static json_object *checks;      /* the array of results */
static bool any_failed;
static bool kvm_broken;          /* qemu said so: launch with TCG at once */

/* Record one check.  MEANS and FIX only for warn and fail (or NULL). */
static void
check (const char *name, enum status st, const char *means,
       const char *fix, const char *fs, ...)
{
  json_object *c = json_object_new_object ();
  CLEANUP_FREE char *detail = NULL;
  va_list ap;

  va_start (ap, fs);
  if (vasprintf (&detail, fs, ap) == -1)
    detail = NULL;
  va_end (ap);
  if (st == FAIL)
    any_failed = true;
  gs_int_json_add_string (c, "name", name);
  gs_int_json_add_string (c, "status", status_names[st]);
  gs_int_json_add_string (c, "detail", detail ? detail : "");
  if (st != OK) {
    gs_int_json_add_string (c, "means", means);
    gs_int_json_add_string (c, "fix", fix);
  }
  json_object_array_add (checks, c);
  if (gs_common.json)
    return;
  printf ("%-4s  %-10s %s\n", status_names[st], name, detail ? detail : "");
  if (st != OK) {
    if (means)
      printf ("      %-10s means: %s\n", "", means);
    if (fix)
      printf ("      %-10s fix: %s\n", "", fix);
  }
  fflush (stdout);
}

/* The first directory of $PATH holding an executable NAME, or NULL. */
static char *
which (const char *name)
{
  const char *path = getenv ("PATH");
  CLEANUP_FREE char *copy = strdup (path && path[0] ? path
                                    : "/usr/bin:/bin:/usr/sbin:/sbin");
  char *save = NULL;

  if (copy == NULL)
    return NULL;
  for (char *d = strtok_r (copy, ":", &save); d;
       d = strtok_r (NULL, ":", &save)) {
    char *p;

    if (asprintf (&p, "%s/%s", d, name) == -1)
      return NULL;
    if (access (p, X_OK) == 0)
      return p;
    free (p);
  }
  return NULL;
}

static void
check_config (struct gs_env *env, bool loaded)
{
  size_t n = env->reg.nops;

  if (!loaded) {
    check ("config", FAIL,
           "the plugins or configuration files cannot be loaded, so no "
           "command can run",
           "correct the file and line named above (goldsmith config shows "
           "the files read), or remove the broken plugin",
           "%s", gs_int_last_error () ? gs_int_last_error () : "failed");
    return;
  }
  check ("config", n > 0 ? OK : FAIL,
         "no operation plugin was found: goldsmith would do nothing",
         "reinstall goldsmith, or check GOLDSMITH_PLUGIN_PATH",
         "%zu operations from %zu plugins, %zu configuration files",
         n, env->reg.nhandles, env->files.len);
}

static void
check_qemu_img (void)
{
  CLEANUP_FREE char *p = which ("qemu-img");
  char out[256];
  char *const argv[] = { (char *) "qemu-img", (char *) "--version", NULL };

  if (p == NULL || gs_int_run_qemu_img (argv, out, sizeof out, false) == -1)
    check ("qemu-img", FAIL,
           "disks cannot be checked, and sysprep's overlays, sparsify and "
           "resize cannot work",
           "install qemu-img (Debian: apt install qemu-utils)",
           "%s", p ? "qemu-img --version failed" : "not found in $PATH");
  else
    check ("qemu-img", OK, NULL, NULL, "%s (%s)", p,
           gs_int_first_line (out));
}

/* Returns true when KVM will be used. */
static bool
check_kvm (guestfs_h *g, const struct gs_settings *st)
{
  static const char tcg_means[] =
    "the appliance runs under TCG software emulation: each launch takes "
    "~20 s or more instead of a few seconds, and operations run slower";
  CLEANUP_FREE char *hv = g ? guestfs_get_hv (g) : NULL;
  char why[256] = "";
  int r;

  if (st->accel && strcmp (st->accel, "tcg") == 0) {
    check ("kvm", WARN, tcg_means,
           "remove appliance.accel = \"tcg\" from the configuration if "
           "this host has working KVM", "appliance.accel is \"tcg\"");
    return false;
  }
  if (access ("/dev/kvm", F_OK) == -1) {
    check ("kvm", WARN, tcg_means,
           "enable virtualization in the firmware and load kvm_intel or "
           "kvm_amd (modprobe); in a VM, enable nested virtualization",
           "/dev/kvm does not exist");
    return false;
  }
  if (access ("/dev/kvm", R_OK | W_OK) == -1) {
    check ("kvm", WARN, tcg_means,
           "add your user to the group owning /dev/kvm (usually 'kvm'), "
           "then log in again", "/dev/kvm: %s", strerror (errno));
    return false;
  }
  r = hv ? gs_int_kvm_probe (hv, why, sizeof why) : -1;
  if (r == 0) {
    kvm_broken = true;
    check ("kvm", WARN, tcg_means,
           "on a nested host enable nested virtualization (kvm_intel "
           "nested=1) or update the outer hypervisor; goldsmith falls back "
           "to TCG by itself",
           "/dev/kvm is accessible, but qemu cannot use it: %s",
           why[0] ? why : "qemu failed");
    return false;
  }
  if (r == -1) {
    check ("kvm", WARN, "it is unknown whether KVM works",
           "check that libguestfs's qemu (guestfs_get_hv) can be run",
           "cannot run qemu (%s) to test /dev/kvm", hv ? hv : "?");
    return false;
  }
  check ("kvm", OK, NULL, NULL, "/dev/kvm works with %s", hv);
  return true;
}

/* Free space and writability of DIR (NAME: what it is for). */
static void
check_space (const char *name, const char *dir, const char *use)
{
  struct statvfs sv;
  long long free_mib;
  CLEANUP_FREE char *means = NULL;

  if (asprintf (&means, "%s cannot be written", use) == -1)
    means = NULL;
  if (dir == NULL || statvfs (dir, &sv) == -1) {
    check (name, FAIL, means,
           "create the directory, or point TMPDIR (or LIBGUESTFS_CACHEDIR) "
           "at one that exists", "%s: %s", dir ? dir : "?",
           dir ? strerror (errno) : "unknown");
    return;
  }
  if (access (dir, W_OK | X_OK) == -1) {
    check (name, FAIL, means,
           "make it writable, or point TMPDIR (or LIBGUESTFS_CACHEDIR) at "
           "a writable directory", "%s: not writable: %s", dir,
           strerror (errno));
    return;
  }
  free_mib = (long long) sv.f_bavail * sv.f_frsize / MiB;
  if (free_mib < 256)
    check (name, FAIL, means,
           "free some space there, or point TMPDIR (or LIBGUESTFS_CACHEDIR) "
           "at a bigger file system", "%s: only %lld MiB free", dir,
           free_mib);
  else if (free_mib < 1024)
    check (name, WARN, "big guests may run out of space there",
           "free some space, or point TMPDIR (or LIBGUESTFS_CACHEDIR) at a "
           "bigger file system", "%s: %lld MiB free", dir, free_mib);
  else
    check (name, OK, NULL, NULL, "%s: %lld MiB free", dir, free_mib);
}

static void
check_fuse (void)
{
  static const char means[] =
    "customize --script (run a host script on the mounted guest) cannot "
    "work; everything else does";
  CLEANUP_FREE char *fm3 = which ("fusermount3");
  CLEANUP_FREE char *fm = fm3 ? NULL : which ("fusermount");
  int fd = open ("/dev/fuse", O_RDWR | O_CLOEXEC);

  if (fd == -1) {
    check ("fuse", WARN, means,
           "modprobe fuse (in a container: pass /dev/fuse through)",
           "/dev/fuse: %s", strerror (errno));
    return;
  }
  close (fd);
  if (fm3 == NULL && fm == NULL)
    check ("fuse", WARN, means, "install fuse3 (Debian: apt install fuse3)",
           "neither fusermount3 nor fusermount is in $PATH");
  else
    check ("fuse", OK, NULL, NULL, "/dev/fuse, %s", fm3 ? fm3 : fm);
}

/* Whether TCG launches can boot an uncompressed kernel, and where it
 * is (JSON: kernel, version, cachedir).  Made here if need be, only
 * when launches will use TCG.
 */
static void
check_tcg_kernel (guestfs_h *g, const struct gs_settings *st, bool kvm)
{
  const char *k, *version = NULL, *dir = NULL;
  const char *env_kernel = getenv ("SUPERMIN_KERNEL");
  const char *env_path = getenv ("LIBGUESTFS_PATH");
  json_object *last;

  if (!st->uncompressed_kernel)
    check ("tcg-kernel", OK, NULL, NULL,
           "off (appliance.uncompressed-kernel = false)");
  else if (env_kernel || env_path)
    check ("tcg-kernel", OK, NULL, NULL, "%s chooses the %s: %s",
           env_kernel ? "SUPERMIN_KERNEL" : "LIBGUESTFS_PATH",
           env_kernel ? "kernel" : "appliance",
           env_kernel ? env_kernel : env_path);
  else if (kvm && !(st->accel && strcmp (st->accel, "tcg") == 0))
    check ("tcg-kernel", OK, NULL, NULL, "not needed: launches use KVM");
  else if ((k = gs_int_tcg_kernel_info (g, &version, &dir)) == NULL)
    check ("tcg-kernel", WARN,
           "each TCG launch spends about 4 s decompressing the kernel",
           "make the newest /boot/vmlinuz-* readable and its decompressor "
           "(xz, zstd or gzip) available; the kernel needs CONFIG_PVH "
           "(Debian's has it)",
           "no uncompressed copy of the host's kernel could be made");
  else {
    check ("tcg-kernel", OK, NULL, NULL,
           "%s (TCG launches boot it, appliance in %s)", k, dir);
    last = json_object_array_get_idx (checks,
                                      json_object_array_length (checks) - 1);
    gs_int_json_add_string (last, "kernel", k);
    gs_int_json_add_string (last, "version", version);
    gs_int_json_add_string (last, "cachedir", dir);
  }
}

static void
check_launch (const struct gs_settings *st, const char *tmp, bool kvm)
{
  struct gs_settings tcg = *st;   /* shallow: only accel differs */
  struct gs_session_opts so = {
    .settings = st,
    .readonly = true,
    .verbose = gs_common.verbose,
    .trace = gs_common.trace,
  };
  struct gs_session s = { 0 };
  struct gs_guest guest = { 0 };
  CLEANUP_FREE char *disk = NULL;
  int fd = -1;
  struct timespec t0, t1;
  double secs;
  int r;
  const char *kernel;
  json_object *last;

  if (no_launch) {
    check ("appliance", OK, NULL, NULL, "not launched (--no-launch)");
    return;
  }
  if (!gs_common.json)
    gs_info ("launching the appliance (may take ~20 s under TCG) ...");
  /* Known broken KVM: no second probe, no second warning. */
  if (kvm_broken) {
    tcg.accel = (char *) "tcg";
    so.settings = &tcg;
  }
  /* libguestfs wants a drive: a blank one, read-only, gone at once. */
  if (asprintf (&disk, "%s/goldsmith-doctor-XXXXXX", tmp) == -1 ||
      (fd = mkstemp (disk)) == -1 || ftruncate (fd, MiB) == -1 ||
      gs_int_guest_add_disk (&guest, disk, "raw", true) == -1) {
    check ("appliance", FAIL, "the scratch disk could not be made",
           "see the tmpdir check", "%s: %s", disk ? disk : tmp,
           strerror (errno));
    goto out;
  }
  if (phases)
    so.launch_log = gs_int_launch_log_new (gs_common.verbose);
  clock_gettime (CLOCK_MONOTONIC, &t0);
  if (gs_int_session_launch (&s, &guest, 1, &so) == -1) {
    CLEANUP_FREE char *why = strdup (s.last_guestfs_error
                                     ? s.last_guestfs_error
                                     : gs_int_last_error ()
                                     ? gs_int_last_error () : "?");

    check ("appliance", FAIL,
           "libguestfs cannot build or start its appliance: no command "
           "except ops and config can work",
           "run 'libguestfs-test-tool' (or goldsmith doctor --verbose) "
           "and read the last lines; common causes are a missing "
           "supermin/linux-image package, an unreadable /boot/vmlinuz-* "
           "(chmod 0644), or too little memory",
           "launch failed: %s", why ? gs_int_first_line (why) : "?");
    gs_int_session_close (&s);
    goto out;
  }
  clock_gettime (CLOCK_MONOTONIC, &t1);
  secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  r = gs_int_appliance_kernel_uncompressed (s.g);
  kernel = r == 1 ? "uncompressed" : r == 0 ? "compressed" : "unknown";
  check ("appliance", OK, NULL, NULL, "launched in %.1f s (%s, %s kernel%s%s)",
         secs, kvm && !s.tcg_fallback ? "KVM" : "TCG", kernel,
         gs_int_appliance_lean (s.g) ? ", lean init" : "",
         phases ? ", verbose" : "");
  /* The time, as a number, in the record just added. */
  last = json_object_array_get_idx (checks,
                                    json_object_array_length (checks) - 1);
  json_object_object_add (last, "seconds", json_object_new_double (secs));
  json_object_object_add (last, "tcg_fallback",
                          json_object_new_boolean (s.tcg_fallback));
  json_object_object_add (last, "kernel", json_object_new_string (kernel));
  json_object_object_add (last, "lean_init",
                          json_object_new_boolean (gs_int_appliance_lean (s.g)));
  if (so.launch_log) {
    char text[512];
    json_object *a = gs_int_launch_phases (so.launch_log, secs, text,
                                           sizeof text);

    json_object_object_add (last, "phases", a);
    if (!gs_common.json)
      printf ("      %-10s phases: %s\n", "", text);
  }
  if (gs_int_session_close (&s) == -1)
    check ("shutdown", FAIL, "the appliance did not shut down cleanly: "
           "writes could be lost",
           "run goldsmith doctor --verbose and read the appliance's "
           "messages", "the appliance did not shut down cleanly");
 out:
  if (fd != -1) {
    close (fd);
    unlink (disk);
  }
  gs_int_launch_log_free (so.launch_log);
  gs_int_guest_free (&guest);
}

int
gs_cmd_doctor (int argc, const char **argv)
{
  poptContext pc;
  int rc, code = GS_EXIT_USAGE;
  struct gs_env env = { 0 };
  guestfs_h *g = NULL;
  const char *tmp = getenv ("TMPDIR");
  CLEANUP_FREE char *cachedir = NULL;
  CLEANUP_FREE char *cache_error = NULL;
  bool loaded, kvm;

  pc = gs_cli_context ("goldsmith doctor", argc, argv, doctor_table);
  while ((rc = poptGetNextOpt (pc)) > 0) {
    int c = gs_cli_common_option (pc, rc);

    if (c == -1)
      goto out;
  }
  if (rc < -1) {
    code = gs_cli_popt_error (pc, "doctor", rc);
    goto out;
  }
  if (poptPeekArg (pc)) {
    gs_error ("doctor: unexpected argument '%s'", poptPeekArg (pc));
    code = gs_cli_fail ("doctor", GS_EXIT_USAGE);
    goto out;
  }
  if (gs_common.version) {
    gs_cli_print_version ();
    code = GS_EXIT_OK;
    goto out;
  }
  gs_int_set_verbosity (gs_common.quiet, gs_common.verbose);
  checks = json_object_new_array ();

  /* A broken configuration is one of the findings, not a usage error. */
  loaded = gs_cli_load (&env) == 0;
  check_config (&env, loaded);
  check_qemu_img ();
  /* The environment parsed after our handler is set: a bad TMPDIR is
   * a finding (below), not a stray message.
   */
  if ((g = guestfs_create_flags (GUESTFS_CREATE_NO_ENVIRONMENT)) != NULL) {
    gs_quiet_begin (g);          /* errors are findings: check() */
    guestfs_parse_environment (g);
  }
  if (g == NULL)
    check ("libguestfs", FAIL, "no appliance can be started",
           "reinstall libguestfs (Debian: libguestfs0)",
           "cannot create a libguestfs handle: %s", strerror (errno));
  else {
    struct guestfs_version *v = guestfs_version (g);
    const char *b = env.settings.backend;
    CLEANUP_FREE char *backend = b && b[0] ? strdup (b)
      : guestfs_get_backend (g);

    if (v)
      check ("libguestfs", OK, NULL, NULL, "%lld.%lld.%lld%s, backend %s",
             (long long) v->major, (long long) v->minor,
             (long long) v->release, v->extra, backend ? backend : "?");
    guestfs_free_version (v);
    if ((cachedir = guestfs_get_cachedir (g)) == NULL &&
        guestfs_last_error (g))
      cache_error = strdup (guestfs_last_error (g));
  }
  kvm = check_kvm (g, &env.settings);
  if (g)
    check_tcg_kernel (g, &env.settings, kvm);
  check_space ("tmpdir", tmp && tmp[0] ? tmp : "/tmp",
               "overlays, scratch files and sparsify's temporary copy");
  if (cachedir)
    check_space ("cachedir", cachedir,
                 "the appliance libguestfs builds (~300 MB)");
  else
    check ("cachedir", FAIL, "libguestfs cannot build its appliance",
           "point TMPDIR (or LIBGUESTFS_CACHEDIR) at a writable directory",
           "%s", cache_error ? cache_error : "unknown");
  check_fuse ();
  if (g) {
    gs_quiet_end (g);
    guestfs_close (g);
  }
  if (loaded && g)
    check_launch (&env.settings, tmp && tmp[0] ? tmp : "/tmp", kvm);
  else
    check ("appliance", FAIL, "see the failures above",
           "fix the failures above first", "not launched");

  code = any_failed ? GS_EXIT_ERROR : GS_EXIT_OK;
  if (gs_common.json) {
    json_object *r = json_object_new_object ();

    gs_int_json_add_string (r, "tool", "doctor");
    json_object_object_add (r, "checks", json_object_get (checks));
    json_object_object_add (r, "ok", json_object_new_boolean (!any_failed));
    json_object_object_add (r, "exit_status", json_object_new_int (code));
    if (gs_int_report_print_json (r) == -1)
      code = GS_EXIT_ERROR;
    json_object_put (r);
  }
  else if (!gs_common.quiet)
    printf ("%s\n", any_failed
            ? "goldsmith cannot work on this host: see the failures above"
            : "goldsmith can work on this host");

 out:
  json_object_put (checks);
  checks = NULL;
  gs_cli_env_free (&env);
  poptFreeContext (pc);
  return code;
}
