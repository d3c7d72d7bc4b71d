/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-qemu-img: the one command runner (common/run-command.c) and
 * qemu-img on it (common/qemu-img.c), against a stand-in qemu-img in
 * $PATH whose behaviour $QI_MODE picks: what goes to stdout and stderr,
 * large outputs, exit statuses and signals, the fds and signal
 * dispositions the child gets, the old fixed-buffer interface; and the
 * runner's other modes (stdout only, quiet, input fed and output to a
 * file) on sh, cat and head.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "goldsmith-int.h"
#include "unit-util.h"

static const char stand_in[] =
  "#!/bin/sh\n"
  "printf '%s\\n' \"$@\" > \"$QI_ARGS\"\n"
  "case \"$QI_MODE\" in\n"
  "apart) echo out; echo err >&2 ;;\n"
  "order) echo a; echo b >&2; echo c ;;\n"
  "big) i=0; while [ $i -lt 3000 ]; do\n"
  "       echo 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'\n"
  "       echo 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy' >&2\n"
  "       i=$((i + 1)); done ;;\n"
  "status) echo why >&2; exit 7 ;;\n"
  "killed) kill -9 $$ ;;\n"
  "fds) for f in /proc/$$/fd/*; do echo \"${f##*/}\"; done ;;\n"
  "sigs) kill -USR1 $$; kill -USR2 $$; echo alive ;;\n"
  "complain) echo \"qemu-img: $QI_PATH: Could not open: the reason\" >&2;\n"
  "          echo 'a second line' >&2; exit 1 ;;\n"
  "leaked) echo 'leaked clusters' >&2; exit 3 ;;\n"
  "json) printf '{\"virtual-size\": 1048576, \"pad\": \"'\n"
  "      i=0; while [ $i -lt 400 ]; do printf '%s' "
  "'pppppppppppppppppppppppppppppppppppppppppppppppppppppppp'; "
  "i=$((i + 1)); done\n"
  "      printf '\", \"backing-filename\": \"base.raw\"}\\n' ;;\n"
  "nojson) echo 'not json' ;;\n"
  "esac\n";

static void
mode (const char *m)
{
  setenv ("QI_MODE", m, 1);
}

/* The arguments the stand-in was given, one a line (from $QI_ARGS). */
static char *
args_given (const char *file)
{
  FILE *f = fopen (file, "r");
  char *a = NULL;
  size_t n = 0;

  if (f == NULL || getdelim (&a, &n, '\0', f) == -1) {
    free (a);
    a = NULL;
  }
  if (f)
    fclose (f);
  return a;
}

static int usr2_seen;

static void
on_usr2 (int sig)
{
  usr2_seen = sig;
}

int
main (void)
{
  const char *dir = unit_temp_dir ();
  char *bin = unit_printf ("%s/bin", dir);
  char *script = unit_printf ("%s/qemu-img", bin);
  char *args = unit_printf ("%s/args", dir);
  char *path = unit_printf ("%s:%s", bin, getenv ("PATH"));
  const char *const argv[] = { "qemu-img", "info", "x", NULL };
  char *out, *err, *cap, buf[16];
  int r, fd;
  FILE *f;

  plan (43);
  if (mkdir (bin, 0755) == -1 || (f = fopen (script, "w")) == NULL) {
    printf ("Bail out! cannot write %s\n", script);
    return 1;
  }
  fputs (stand_in, f);
  fclose (f);
  chmod (script, 0755);
  setenv ("PATH", path, 1);
  setenv ("QI_ARGS", args, 1);

  mode ("apart");
  r = gs_int_qemu_img (argv, GS_RUN_APART, &out, &err);
  is_int (r, 0, "apart: exit status 0");
  is_str (out, "out\n", "apart: stdout");
  is_str (err, "err\n", "apart: stderr");
  free (out); free (err);

  mode ("order");
  r = gs_int_qemu_img (argv, GS_RUN_MERGED, &out, NULL);
  is_str (out, "a\nb\nc\n", "merged: both streams, in the order written");
  free (out);

  unit_capture_begin ();
  r = gs_int_qemu_img (argv, GS_RUN_PROGRESS, &out, NULL);
  cap = unit_capture_end ();
  is_str (out, "b\n", "progress: only stderr is captured");
  is_str (cap, "a\nc\n", "progress: stdout goes to our stderr");
  free (out); free (cap);

  mode ("big");
  r = gs_int_qemu_img (argv, GS_RUN_APART, &out, &err);
  is_int (r, 0, "big: no stall with both pipes full");
  is_int ((long) strlen (out), 3000 * 68, "big: all of stdout");
  is_int ((long) strlen (err), 3000 * 68, "big: all of stderr");
  free (out); free (err);

  mode ("status");
  r = gs_int_qemu_img (argv, GS_RUN_APART, &out, &err);
  is_int (r, 7, "its exit status");
  is_str (err, "why\n", "... with what it said");
  free (out); free (err);

  mode ("killed");
  r = gs_int_qemu_img (argv, GS_RUN_APART, &out, &err);
  is_int (r, GS_RUN_KILLED, "killed by a signal");
  ok (out && err, "... output still returned");
  free (out); free (err);

  /* An fd left open without FD_CLOEXEC is not qemu-img's. */
  mode ("fds");
  fd = open ("/dev/null", O_RDONLY);
  if (fd != -1 && dup2 (fd, 57) == 57) {       /* above the shell's own */
    close (fd);
    fd = 57;
  }
  r = gs_int_qemu_img (argv, GS_RUN_APART, &out, &err);
  ok (r == 0 && strncmp (out, "0\n", 2) == 0 && unit_contains (out, "\n1\n") &&
      unit_contains (out, "\n2\n"), "fds: 0, 1 and 2");
#ifdef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCLOSEFROM_NP
  {
    char *mine = unit_printf ("\n%d\n", fd);

    ok (!unit_contains (out, mine), "fds: not our fd %d", fd);
    free (mine);
  }
#else
  ok (true, "# SKIP no posix_spawn_file_actions_addclosefrom_np");
#endif
  close (fd);
  free (out); free (err);

  /* Ignored stays ignored (as through exec); our handler is not its. */
  mode ("sigs");
  signal (SIGUSR1, SIG_IGN);
  signal (SIGUSR2, on_usr2);
  r = gs_int_qemu_img (argv, GS_RUN_APART, &out, &err);
  is_int (r, GS_RUN_KILLED, "signals: a handled one kills the child");
  ok (!unit_contains (out, "alive") && usr2_seen == 0,
      "signals: ignored SIGUSR1 was ignored, SIGUSR2 was not ours");
  signal (SIGUSR1, SIG_DFL);
  signal (SIGUSR2, SIG_DFL);
  free (out); free (err);

  /* The fixed-buffer interface. */
  mode ("apart");
  r = gs_int_run_qemu_img ((char *const *) argv, buf, sizeof buf, false);
  ok (r == 0 && (strcmp (buf, "out\nerr\n") == 0 ||
                 strcmp (buf, "err\nout\n") == 0),
      "run_qemu_img: stdout and stderr (%s)", buf);
  mode ("big");
  r = gs_int_run_qemu_img ((char *const *) argv, buf, sizeof buf, false);
  ok (r == 0 && strlen (buf) == sizeof buf - 1,
      "run_qemu_img: cut to the buffer, its exit status kept");
  mode ("status");
  r = gs_int_run_qemu_img ((char *const *) argv, buf, sizeof buf, false);
  ok (r == -1 && strcmp (buf, "why\n") == 0,
      "run_qemu_img: -1 on a non-zero status");

  /* About a file: the complaint without "qemu-img: PATH:". */
  setenv ("QI_PATH", "/some/img", 1);
  mode ("complain");
  {
    int code;
    const char *const a[] = { "qemu-img", "info", "/some/img", NULL };
    const char *const c[] = { "qemu-img", "check", "/some/img", NULL };

    out = gs_int_qemu_img_on (a, "/some/img", &err, &code);
    ok (out == NULL && code == 1, "on: NULL, status 1");
    is_str (err, "Could not open: the reason", "on: the first line, no path");
    free (err);
    mode ("leaked");
    out = gs_int_qemu_img_on (c, "/some/img", &err, &code);
    ok (out != NULL && code == 3 && err == NULL,
        "on: check's status 3 is success");
    free (out);
    out = gs_int_qemu_img_on (a, "/some/img", &err, &code);
    ok (out == NULL && code == 3, "on: but not for info");
    is_str (err, "leaked clusters", "on: ... said");
    free (err);
  }

  /* info: parsed whole, however long; the format always given. */
  mode ("json");
  {
    json_object *info = NULL, *v;
    char *a;

    r = gs_int_qemu_img_info ("/some/img", "qcow2", true, &info, &err);
    is_int (r, 0, "info: 22 KiB of JSON parsed");
    ok (info && json_object_object_get_ex (info, "backing-filename", &v) &&
        strcmp (json_object_get_string (v), "base.raw") == 0,
        "info: ... to its end");
    json_object_put (info);
    free (err);
    a = args_given (args);
    is_str (a, "info\n--output=json\n-U\n-f\nqcow2\n/some/img\n",
            "info: -U and -f FMT");
    free (a);
    r = gs_int_qemu_img_info ("/some/img", "raw", false, &info, &err);
    a = args_given (args);
    is_str (a, "info\n--output=json\n-f\nraw\n/some/img\n",
            "info: no -U unless asked");
    free (a);
    json_object_put (info);
    free (err);
  }
  mode ("nojson");
  {
    json_object *info = NULL;

    r = gs_int_qemu_img_info ("/some/img", "raw", true, &info, &err);
    ok (r == -2 && info == NULL, "info: -2 when it prints no JSON");
    free (err);
    mode ("complain");
    r = gs_int_qemu_img_info ("/some/img", "raw", true, &info, &err);
    ok (r == -1 && info == NULL, "info: -1 when it fails");
    is_str (err, "Could not open: the reason", "info: ... and why");
    free (err);
  }

  /* The runner's other modes, on the host's own commands. */
  {
    const char *const sh[] = { "sh", "-c", "echo o; echo e >&2; exit 4",
                               NULL };
    const char *const cat[] = { "cat", NULL };
    const char *const head[] = { "head", "-c", "10", NULL };
    size_t big = 1 << 20;
    char *in = malloc (big), *file = unit_printf ("%s/fed", dir);
    struct gs_run_io io = { .input = in, .input_len = big };
    struct stat st;

    r = gs_int_run_command (sh, GS_RUN_STDOUT, NULL, &out, NULL);
    ok (r == 4 && strcmp (out, "o\n") == 0, "stdout: only stdout, status 4");
    free (out);
    unit_capture_begin ();
    r = gs_int_run_command (sh, GS_RUN_QUIET, NULL, NULL, NULL);
    cap = unit_capture_end ();
    ok (r == 4 && cap[0] == '\0', "quiet: nothing said, status 4");
    free (cap);
    for (size_t i = 0; i < big; ++i)
      in[i] = (char) ('a' + i % 26);
    io.out_fd = open (file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    r = gs_int_run_command (cat, GS_RUN_TO_FD, &io, NULL, NULL);
    close (io.out_fd);
    ok (r == 0 && stat (file, &st) == 0 && (size_t) st.st_size == big,
        "to fd: 1 MiB fed through cat into a file");
    {
      char *back = gs_int_read_text_file (file);
      ok (back && memcmp (back, in, big) == 0, "to fd: ... byte for byte");
      free (back);
    }
    io.out_fd = open (file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    r = gs_int_run_command (head, GS_RUN_TO_FD, &io, NULL, NULL);
    close (io.out_fd);
    ok (r == 0 && stat (file, &st) == 0 && st.st_size == 10,
        "input: a child that stops reading is no SIGPIPE to us");
    io.input_len = 0;
    r = gs_int_run_command (cat, GS_RUN_STDOUT, &io, &out, NULL);
    ok (r == 0 && out[0] == '\0', "input: empty, stdin closed at once");
    free (out);
    r = gs_int_run_command (sh, GS_RUN_STDOUT, NULL, NULL, NULL);
    is_int (r, 4, "stdout: OUT may be NULL");
    free (in); free (file);
  }

  /* Not installed. */
  setenv ("PATH", "/nonexistent", 1);
  r = gs_int_qemu_img (argv, GS_RUN_APART, &out, &err);
  ok (r == GS_RUN_NOT_RUN && errno == ENOENT && out == NULL &&
      err == NULL, "not installed: NOT_RUN, ENOENT");
  {
    int code;

    out = gs_int_qemu_img_on (argv, "x", &err, &code);
    ok (out == NULL && code == -1, "not installed: on gives NULL, -1");
    is_str (err, "cannot run qemu-img (is qemu-utils installed?)",
            "not installed: ... and says so");
    free (err);
  }
  r = gs_int_run_qemu_img ((char *const *) argv, buf, sizeof buf, false);
  ok (r == -1 && buf[0] == '\0', "not installed: run_qemu_img -1, no text");

  free (bin); free (script); free (args); free (path);
  return exit_status ();
}
