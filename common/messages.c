/* SPDX-License-Identifier: GPL-2.0-or-later */
/* messages.c: every message goldsmith prints goes through here, so that
 * stdout stays free for the report (JSON or text) and each line says
 * who speaks: "goldsmith: [OPERATION: ]error: text".  Messages are
 * never cut (a long argument must not hide the reason), and errno is
 * the same after a message as before it, so a caller may still say %m.
 *
 * When stderr is the journal (a systemd service), each message is a
 * journal entry of its own, with its priority and the image and
 * operation it is about as fields (journal_send).
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "goldsmith-plugin.h"
#include "goldsmith-int.h"

static const char *program = "goldsmith";
static bool quiet, verbose;
/* The anchors' ways (cli/compat.c): warnings and info on stdout as the
 * OCaml virt-* tools print them, and "PROG: error: OP: text" so the
 * anchor's "PROG: error: " prefix is always the line's start.
 */
static bool notes_on_stdout, kind_first;
static const char *current_op;   /* prefix while a plugin runs */
static const char *current_image; /* the journal's GOLDSMITH_IMAGE */
static char *last_error;        /* whole, for the report */

void
gs_int_set_verbosity (bool q, bool v)
{
  quiet = q;
  verbose = v;
}

bool
gs_int_verbose (void)
{
  return verbose;
}

bool
gs_int_quiet (void)
{
  return quiet;
}

void
gs_int_set_current_op (const char *name)
{
  current_op = name;
}

const char *
gs_int_set_current_image (const char *name)
{
  const char *old = current_image;

  current_image = name;
  return old;
}

const char *
gs_int_current_image (void)
{
  return current_image;
}

void
gs_int_set_program (const char *name)
{
  program = name;
}

const char *
gs_int_program (void)
{
  return program;
}

void
gs_int_set_message_style (bool stdout_notes, bool kind_before_op)
{
  notes_on_stdout = stdout_notes;
  kind_first = kind_before_op;
}

bool
gs_int_anchor_style (void)
{
  return kind_first;
}

const char *
gs_int_last_error (void)
{
  return last_error ? last_error : "";
}

void
gs_int_clear_last_error (void)
{
  free (last_error);
  last_error = NULL;
}

void
gs_int_print_safe (FILE *fp, const char *s, size_t n)
{
  for (size_t i = 0; i < n && s[i]; ++i) {
    unsigned char c = (unsigned char) s[i];

    if (c < 0x20 || c == 0x7f)
      fprintf (fp, "\\x%02x", c);
    else
      fputc (c, fp);
  }
}

char *
gs_int_printable (const char *s)
{
  char *r = NULL;
  size_t len;
  FILE *fp = open_memstream (&r, &len);

  if (fp == NULL)
    return NULL;
  gs_int_print_safe (fp, s, SIZE_MAX);
  if (fclose (fp) != 0) {
    free (r);
    return NULL;
  }
  return r;
}

const char *
gs_int_human_size (int64_t bytes, char *buf, size_t len)
{
  static const char units[] = "KMGT";
  const char *sign = bytes < 0 ? "-" : "";
  /* As virt-resize's human_size: each step divides the integer, so
   * 1048575 is "1024.0K", not "1.0M".
   */
  uint64_t i = bytes < 0 ? -(uint64_t) bytes : (uint64_t) bytes;
  size_t u;

  if (i < 1024) {
    snprintf (buf, len, "%s%" PRIu64, sign, i);
    return buf;
  }
  for (u = 0; ; ++u) {
    double f = (double) i / 1024;

    i /= 1024;
    if (i < 1024 || u == sizeof units - 2) {
      snprintf (buf, len, "%s%.1f%c", sign, f, units[u]);
      return buf;
    }
  }
}

/* Is stderr the journal?  systemd.exec(5): JOURNAL_STREAM is the
 * "DEVICE:INODE" of the stream it connected.  Checked for each message:
 * a child may have pointed stderr elsewhere (batch reads its tools'
 * refusals through a pipe).
 */
static bool
stderr_is_journal (void)
{
  const char *e = getenv ("JOURNAL_STREAM");
  unsigned long long dev, ino;
  struct stat st;
  int end = 0;

  return e && sscanf (e, "%llu:%llu%n", &dev, &ino, &end) == 2 &&
    e[end] == '\0' && fstat (STDERR_FILENO, &st) == 0 &&
    st.st_dev == dev && st.st_ino == ino;
}

/* KEY=VALUE, or where VALUE holds a newline, the native protocol's
 * binary form: KEY, VALUE's length (64 bits, little endian), VALUE.
 */
static void
journal_field (FILE *fp, const char *key, const char *value)
{
  uint64_t len = strlen (value);

  if (strchr (value, '\n') == NULL) {
    fprintf (fp, "%s=%s\n", key, value);
    return;
  }
  fprintf (fp, "%s\n", key);
  for (int i = 0; i < 8; ++i)
    fputc ((int) (len >> (8 * i)) & 0xff, fp);
  fprintf (fp, "%s\n", value);
}

/* The message as one datagram to journald (sd_journal_send's protocol,
 * without libsystemd).  False if it could not go: then it goes to
 * stderr as usual.
 */
static bool
journal_send (int priority, const char *kind, const char *msg)
{
  static int fd = -1;
  /* For the test suite only (a socket it listens on). */
  const char *path = getenv ("GOLDSMITH_JOURNAL_SOCKET");
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  char *buf = NULL, *line = NULL, prio[4];
  size_t len = 0;
  FILE *fp;
  bool sent;

  if (path == NULL || path[0] == '\0')
    path = "/run/systemd/journal/socket";
  if (strlen (path) >= sizeof sa.sun_path ||
      (fd == -1 && (fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1))
    return false;
  strcpy (sa.sun_path, path);
  if (asprintf (&line, "%s%s%s%s%s", current_op ? current_op : "",
                current_op ? ": " : "", kind, kind[0] ? ": " : "", msg) == -1)
    return false;
  if ((fp = open_memstream (&buf, &len)) == NULL) {
    free (line);
    return false;
  }
  snprintf (prio, sizeof prio, "%d", priority);
  journal_field (fp, "MESSAGE", line);
  journal_field (fp, "PRIORITY", prio);
  journal_field (fp, "SYSLOG_IDENTIFIER", "goldsmith");
  if (current_image)
    journal_field (fp, "GOLDSMITH_IMAGE", current_image);
  if (current_op)
    journal_field (fp, "GOLDSMITH_OPERATION", current_op);
  sent = fclose (fp) == 0 &&
    sendto (fd, buf, len, MSG_NOSIGNAL, (struct sockaddr *) &sa,
            sizeof sa) == (ssize_t) len;
  free (buf);
  free (line);
  return sent;
}

static void vmessage (int priority, const char *cmd, const char *kind,
                      const char *fs, va_list args)
  __attribute__((format (printf, 4, 0)));

/* CMD (a usage complaint's subcommand, or NULL) follows the program's
 * name: "goldsmith sysprep: --frobnicate: unknown option".
 */
static void
vmessage (int priority, const char *cmd, const char *kind, const char *fs,
          va_list args)
{
  int saved_errno = errno;
  char *msg = NULL;

  /* gcc 12 with sanitizers can't see fs is never NULL (format-truncation). */
  if (fs == NULL)
    fs = "(null)";
  if (vasprintf (&msg, fs, args) == -1)
    msg = NULL;
  fflush (stdout);
  if (!msg || !stderr_is_journal () || !journal_send (priority, kind, msg)) {
    /* Errors and debug always on stderr; warnings and info on stdout
     * only in the anchors' style.
     */
    FILE *fp = notes_on_stdout && (priority == LOG_WARNING ||
                                   priority == LOG_INFO) ? stdout : stderr;

    fprintf (fp, "%s%s%s: ", program, cmd ? " " : "", cmd ? cmd : "");
    if (kind_first && kind[0])
      fprintf (fp, "%s: ", kind);
    if (current_op)
      fprintf (fp, "%s: ", current_op);
    if (!kind_first && kind[0])
      fprintf (fp, "%s: ", kind);
    fprintf (fp, "%s\n",
             msg ? msg : "out of memory (formatting a message)");
    if (fp == stdout)
      fflush (stdout);           /* in order with stderr's lines */
  }
  /* --machine-readable: the same message as JSON too (not debug). */
  if (msg && strcmp (kind, "debug") != 0)
    gs_int_mr_message (kind[0] ? kind : "message", msg);
  if (strcmp (kind, "error") == 0) {
    free (last_error);
    last_error = msg;
  }
  else
    free (msg);
  errno = saved_errno;
}

void
gs_error (const char *fs, ...)
{
  va_list args;

  va_start (args, fs);
  vmessage (LOG_ERR, NULL, "error", fs, args);
  va_end (args);
}

void
gs_warning (const char *fs, ...)
{
  va_list args;

  va_start (args, fs);
  vmessage (LOG_WARNING, NULL, "warning", fs, args);
  va_end (args);
}

void
gs_info (const char *fs, ...)
{
  va_list args;

  if (quiet)
    return;
  va_start (args, fs);
  vmessage (LOG_INFO, NULL, "", fs, args);
  va_end (args);
}

void
gs_debug (const char *fs, ...)
{
  va_list args;

  if (!verbose)
    return;
  va_start (args, fs);
  vmessage (LOG_DEBUG, NULL, "debug", fs, args);
  va_end (args);
}

/* A command line refused before any work: "goldsmith[ CMD]: text",
 * without "error:" (the one-line form users and the refusal catalogue
 * know), at error priority.
 */
void
gs_int_usage_error (const char *cmd, const char *fs, ...)
{
  va_list args;

  va_start (args, fs);
  vmessage (LOG_ERR, cmd, "", fs, args);
  va_end (args);
}
