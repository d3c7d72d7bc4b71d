/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inputs.c: the guests named on the command line, for every subcommand
 * that opens guests with -a IMAGE, --format FMT, -d DOMAIN (-c URI) and
 * --domxml FILE.
 *
 * The options are kept in command-line order while parsing, each -a
 * with the --format in force when it was seen.  Nothing is opened
 * until gs_cli_inputs_guests(), which the subcommand calls after its
 * own checks, so option errors come first whatever the inputs are.
 * How the options make guests is the subcommand's choice (enum
 * gs_inputs_grouping): the -a images all disks of one guest (sysprep,
 * as virt-sysprep and virt-inspector), or one guest per option (with
 * --each-image).  Each -d and --domxml is always a guest.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cleanups.h"

/* popt values of the options: out of the way of OPT_SET (1000) and the
 * operation parameters (2000 up).
 */
#define INPUT_BASE 3000

void
gs_cli_inputs_init (struct gs_inputs *in, enum gs_inputs_grouping grouping)
{
  const bool each = grouping == GS_INPUTS_GUEST_EACH;
  size_t i = 0;

  memset (in, 0, sizeof *in);
  in->grouping = grouping;
  in->table[i++] = (struct poptOption) {
    "add", 'a', POPT_ARG_STRING, NULL, INPUT_BASE + GS_INPUT_ADD,
    each ? "Add a disk image: one guest per -a (repeatable)"
         : "Add a disk image (repeatable; all disks of one guest)",
    "IMAGE" };
  in->table[i++] = (struct poptOption) {
    "format", '\0', POPT_ARG_STRING, NULL, INPUT_BASE + GS_INPUT_FORMAT,
    "Format of the following -a images (raw, qcow2, ...; auto: probe)",
    "FMT" };
  in->table[i++] = (struct poptOption) {
    "domain", 'd', POPT_ARG_STRING, NULL, INPUT_BASE + GS_INPUT_DOMAIN,
    "Add the disks of a libvirt domain: one guest (repeatable)",
    "NAME|UUID" };
  in->table[i++] = (struct poptOption) {
    "connect", 'c', POPT_ARG_STRING, &in->connect_uri, 0,
    "libvirt URI for -d", "URI" };
  in->table[i++] = (struct poptOption) {
    "domxml", '\0', POPT_ARG_STRING, NULL, INPUT_BASE + GS_INPUT_DOMXML,
    "Add the disks described by a libvirt domain XML file: one guest "
    "(repeatable)",
    "FILE" };
  in->table[i] = (struct poptOption) POPT_TABLEEND;
}

int
gs_cli_inputs_add (struct gs_inputs *in, enum gs_input_kind kind,
                   const char *value, const char *format)
{
  struct gs_input *p;

  in->v = gs_xreallocarray (in->v, in->n + 1, sizeof *p);
  p = &in->v[in->n];
  p->kind = kind;
  p->value = gs_xstrdup (value);
  p->format = format ? gs_xstrdup (format) : NULL;
  in->n++;
  in->count[kind]++;
  return 0;
}

int
gs_cli_inputs_option (struct gs_inputs *in, poptContext pc, int rc)
{
  CLEANUP_FREE char *v = NULL;
  int kind = rc - INPUT_BASE;

  if (kind < GS_INPUT_ADD || kind > GS_INPUT_FORMAT)
    return 1;
  if ((v = poptGetOptArg (pc)) == NULL) {
    gs_error ("out of memory");
    return -1;
  }
  if (kind == GS_INPUT_FORMAT) {
    free (in->format);
    in->format = NULL;
    /* "" is virt-inspector's bare --format (cli/inspect.c): auto. */
    if (strcmp (v, "auto") != 0 && v[0] != '\0')
      in->format = gs_xstrdup (v);
    in->format_pending = true;
    return 0;
  }
  if (kind == GS_INPUT_ADD)
    in->format_pending = false;
  if (gs_cli_inputs_add (in, kind, v,
                         kind == GS_INPUT_ADD ? in->format : NULL) == -1)
    return -1;
  if (kind == GS_INPUT_ADD)
    in->v[in->n - 1].blocksize = in->blocksize;
  return 0;
}

int
gs_cli_inputs_check (const struct gs_inputs *in)
{
  if (in->format_pending) {
    gs_error ("--format must come before the -a option it applies to");
    return -1;
  }
  return 0;
}

size_t
gs_cli_inputs_count (const struct gs_inputs *in)
{
  return in->count[GS_INPUT_ADD] + in->count[GS_INPUT_DOMAIN] +
    in->count[GS_INPUT_DOMXML];
}

/* Open input I into GUEST (which may already hold disks). */
static int
load_one (const struct gs_inputs *in, const struct gs_input *i,
          unsigned flags, struct gs_guest *guest)
{
  switch (i->kind) {
  case GS_INPUT_ADD:
    if (gs_int_guest_add_disk (guest, i->value, i->format,
                               flags & GS_INPUTS_READONLY) == -1)
      return -1;
    guest->disks[guest->ndisks - 1].blocksize = i->blocksize;
    if (guest->name == NULL)
      guest->name = gs_xstrdup (i->value);
    return 0;
  case GS_INPUT_DOMAIN:
    return gs_int_libvirt_load (in->connect_uri, i->value,
                                flags & GS_INPUTS_DOMAIN_WRITABLE, guest);
  case GS_INPUT_DOMXML:
    return gs_int_domxml_load_file (i->value, guest);
  default:
    abort ();
  }
}

/* A loaded guest: read-only if asked, every disk checked. */
static int
finish_guest (struct gs_guest *guest, unsigned flags)
{
  for (size_t j = 0; j < guest->ndisks; ++j) {
    if (flags & GS_INPUTS_READONLY)
      guest->disks[j].readonly = true;
    if (gs_int_disk_check (&guest->disks[j]) == -1)
      return -1;
    if (guest->disks[j].readonly)
      gs_int_warn_if_written (guest->disks[j].path);
  }
  return 0;
}

int
gs_cli_inputs_guests (const struct gs_inputs *in, unsigned flags,
                      struct gs_guest **guests_ret, size_t *n_ret)
{
  const bool each = in->grouping == GS_INPUTS_GUEST_EACH;
  const size_t nadd = in->count[GS_INPUT_ADD];
  const size_t ndom = in->count[GS_INPUT_DOMAIN];
  const size_t nxml = in->count[GS_INPUT_DOMXML];
  size_t want, n = 0, images = SIZE_MAX;  /* the guest of the -a's */
  struct gs_guest *guests;

  *guests_ret = NULL;
  *n_ret = 0;
  if (nadd + ndom + nxml == 0) {
    gs_error ("no disks: add %s with -a IMAGE, -d DOMAIN or --domxml FILE",
              each ? "guests" : "a guest");
    return -1;
  }
  want = (each ? nadd : nadd > 0) + ndom + nxml;
  guests = gs_xcalloc (want, sizeof *guests);
  /* In order: an error names the first bad input on the command line.
   * Without EACH, the -a's make one guest, where the first -a is.
   */
  for (size_t i = 0; i < in->n; ++i) {
    const bool image = !each && in->v[i].kind == GS_INPUT_ADD;
    struct gs_guest *g;

    if (image && images == SIZE_MAX)
      images = n++;
    g = &guests[image ? images : n++];
    if (load_one (in, &in->v[i], flags, g) == -1)
      goto fail;
  }
  /* Too many disks, or one given twice, before the disks' own checks:
   * a 10,000-disk domain is refused at once, and a remote disk given
   * twice may not even answer.
   */
  for (size_t i = 0; i < n; ++i)
    if (guests[i].name == NULL && guests[i].ndisks > 0)
      guests[i].name = gs_xstrdup (guests[i].disks[0].path);
  if (gs_int_guests_check (guests, n) == -1)
    goto fail;
  for (size_t i = 0; i < n; ++i)
    if (finish_guest (&guests[i], flags) == -1)
      goto fail;
  *guests_ret = guests;
  *n_ret = n;
  return 0;

 fail:
  gs_cli_guests_free (guests, n);
  return -1;
}

void
gs_cli_guests_free (struct gs_guest *guests, size_t n)
{
  for (size_t i = 0; guests && i < n; ++i)
    gs_int_guest_free (&guests[i]);
  free (guests);
}

void
gs_cli_inputs_free (struct gs_inputs *in)
{
  for (size_t i = 0; i < in->n; ++i) {
    free (in->v[i].value);
    free (in->v[i].format);
  }
  free (in->v);
  free (in->format);
  free (in->connect_uri);
  in->v = NULL;
  in->n = 0;
  in->format = in->connect_uri = NULL;
  memset (in->count, 0, sizeof in->count);
}
