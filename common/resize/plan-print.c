/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plan-print.c: a resize plan shown to people (--dry-run, the text
 * before a run) and to programs (--json).
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "cleanups.h"
#include "plan.h"

#define KiB 1024
#define HUMAN_LEN 32
static const char *
extra_name (enum gs_resize_extra e)
{
  switch (e) {
  case GS_RESIZE_EXTRA_NONE: return "none";
  case GS_RESIZE_EXTRA_CREATED: return "created";
  case GS_RESIZE_EXTRA_TOO_SMALL: return "too-small";
  case GS_RESIZE_EXTRA_DISABLED: return "disabled";
  case GS_RESIZE_EXTRA_NO_NUMBER: return "no-free-number";
  case GS_RESIZE_EXTRA_MBR_LIMIT: return "beyond-mbr-limit";
  }
  return "?";
}

/* ---- Text (--dry-run) ---------------------------------------------- */

static void
print_content (FILE *fp, const struct gs_resize_part *p)
{
  const char *d = gs_int_resize_content_description (p);

  if (d)
    fprintf (fp, "%s", d);
  else {
    fprintf (fp, "the ");
    gs_int_print_safe (fp, p->content, SIZE_MAX);
    fprintf (fp, " filesystem");
  }
}

static void
print_part (FILE *fp, const struct gs_resize_plan *plan,
            const struct gs_resize_plan_part *pp)
{
  char h1[HUMAN_LEN], h2[HUMAN_LEN];
  const struct gs_resize_part *p = pp->src;

  if (p == NULL)
    fprintf (fp, "extra partition %d: created for the surplus", pp->new_num);
  else {
    fprintf (fp, "/dev/sda%d", p->num);
    if (p->name && p->name[0]) {
      fprintf (fp, " '");
      gs_int_print_safe (fp, p->name, SIZE_MAX);
      fprintf (fp, "'");
    }
    if (p->kind != GS_RESIZE_PRIMARY)
      fprintf (fp, " (%s)", gs_int_resize_kind_name (p->kind));
    fprintf (fp, ": ");
    gs_int_human_size (pp->old_size, h1, sizeof h1);
    gs_int_human_size (pp->new_size, h2, sizeof h2);
    switch (pp->action) {
    case GS_RESIZE_COPY:
      fprintf (fp, "left alone");
      break;
    case GS_RESIZE_IGNORE:
      fprintf (fp, "created, but its contents will be ignored (not copied)");
      break;
    case GS_RESIZE_DELETE:
      fprintf (fp, "deleted");
      if (p->kind == GS_RESIZE_LOGICAL)
        fprintf (fp, " with its extended partition");
      break;
    case GS_RESIZE_RESIZE:
    case GS_RESIZE_EXPAND:
    case GS_RESIZE_SHRINK:
      fprintf (fp, "%s from %s to %s",
               pp->action == GS_RESIZE_EXPAND ? "expanded"
               : pp->action == GS_RESIZE_SHRINK ? "shrunk" : "resized",
               h1, h2);
      if (pp->via_logical)
        fprintf (fp, " with its last logical partition");
      else
        fprintf (fp, " (--%s)", gs_int_resize_action_name (pp->action));
      break;
    case GS_RESIZE_CREATE:
      break;
    }
    if (pp->new_num && pp->new_num != pp->old_num)
      fprintf (fp, ", now partition %d", pp->new_num);
  }
  if (pp->expand_method) {
    fprintf (fp, "; ");
    print_content (fp, p);
    fprintf (fp, " will be expanded using the '%s' method",
             pp->expand_method);
  }
  else if (pp->content_unexpandable &&
           plan->unknown_fs != GS_RESIZE_UNKNOWN_FS_IGNORE) {
    fprintf (fp, "; ");
    print_content (fp, p);
    fprintf (fp, " will not be expanded (unknown/unavailable method)");
  }
  fprintf (fp, "\n");

  if (p)
    fprintf (fp, "    old: bytes %" PRId64 "-%" PRId64 ", size %" PRId64
             " (%s)\n", pp->old_start, pp->old_end, pp->old_size,
             gs_int_human_size (pp->old_size, h1, sizeof h1));
  if (pp->new_num)
    fprintf (fp, "    new: bytes %" PRId64 "-%" PRId64 ", size %" PRId64
             " (%s), sectors %" PRIu64 "-%" PRIu64 "\n",
             pp->new_start, pp->new_end, pp->new_size,
             gs_int_human_size (pp->new_size, h2, sizeof h2),
             pp->new_start_sect, pp->new_end_sect);
  if (pp->fix_ntfs_boot)
    fprintf (fp, "    the NTFS boot record's hidden sectors field will be "
             "set to %" PRIu64 "\n", pp->new_start_sect);
}

int
gs_int_resize_plan_print (const struct gs_resize_plan *plan, FILE *fp)
{
  char h[HUMAN_LEN], h2[HUMAN_LEN];

  fprintf (fp, "Summary of changes: %s partition table",
           plan->table == GS_RESIZE_TABLE_GPT ? "GPT" : "MBR");
  if (plan->disk_guid) {
    fprintf (fp, " (disk GUID ");
    gs_int_print_safe (fp, plan->disk_guid, SIZE_MAX);
    fprintf (fp, ", kept)");
  }
  fprintf (fp, ", target %" PRId64 " bytes (%s) in %" PRIu32 "-byte "
           "sectors, alignment %" PRId64 " sectors%s\n", plan->target_size,
           gs_int_human_size (plan->target_size, h, sizeof h),
           plan->sector_size, plan->alignment,
           plan->align_first ? ", first partition aligned" : "");
  fprintf (fp, "Partition numbers are %s.\n\n",
           plan->keep_numbers ? "kept" : "renumbered from 1, as virt-resize");
  for (size_t i = 0; i < plan->nparts; ++i)
    print_part (fp, plan, &plan->parts[i]);

  fprintf (fp, "\n");
  if (plan->surplus > 0) {
    fprintf (fp, "There is a surplus of %" PRId64 " bytes (%s): ",
             plan->surplus,
             gs_int_human_size (plan->surplus, h, sizeof h));
    switch (plan->extra) {
    case GS_RESIZE_EXTRA_CREATED:
      fprintf (fp, "an extra partition will be created for it.\n");
      break;
    case GS_RESIZE_EXTRA_DISABLED:
      fprintf (fp, "it will be left unpartitioned "
               "(--no-extra-partition).\n");
      break;
    case GS_RESIZE_EXTRA_TOO_SMALL:
      fprintf (fp, "too small for an extra partition, it will be left "
               "unpartitioned.\n");
      break;
    case GS_RESIZE_EXTRA_NO_NUMBER:
      fprintf (fp, "no partition number is free for an extra partition, "
               "it will be left unpartitioned.\n");
      break;
    case GS_RESIZE_EXTRA_MBR_LIMIT:
      fprintf (fp, "it is beyond what an MBR partition table can address, "
               "it will be left unpartitioned.\n");
      break;
    case GS_RESIZE_EXTRA_NONE:
      fprintf (fp, "\n");
      break;
    }
  }
  fprintf (fp, "Minimum target size for these options: %" PRId64 " bytes "
           "(%s); partitioning overhead %" PRId64 " bytes (%s).\n",
           plan->min_target_size,
           gs_int_human_size (plan->min_target_size, h, sizeof h),
           plan->overhead,
           gs_int_human_size (plan->overhead, h2, sizeof h2));
  if (fflush (fp) == EOF || ferror (fp)) {
    gs_error ("cannot write the plan: %m");
    return -1;
  }
  return 0;
}

/* ---- JSON (--json) ------------------------------------------------- */

/* Add V (a new object, NULL meaning out of memory) as KEY. */
static int
add (json_object *o, const char *key, json_object *v)
{
  if (v == NULL || json_object_object_add (o, key, v)) {
    json_object_put (v);
    return -1;
  }
  return 0;
}

/* json-c's null is the NULL pointer. */
static int
add_null (json_object *o, const char *key)
{
  return json_object_object_add (o, key, NULL) ? -1 : 0;
}

static int
add_int (json_object *o, const char *key, int64_t n)
{
  return add (o, key, json_object_new_int64 (n));
}

/* A string, or null for NULL. */
static int
add_str (json_object *o, const char *key, const char *s)
{
  return s ? add (o, key, json_object_new_string (s)) : add_null (o, key);
}

static json_object *
position (int64_t start, int64_t end, int64_t size)
{
  json_object *o = json_object_new_object ();

  if (o == NULL || add_int (o, "start", start) || add_int (o, "end", end) ||
      add_int (o, "size", size)) {
    json_object_put (o);
    return NULL;
  }
  return o;
}

static json_object *
part_json (const struct gs_resize_plan *plan,
           const struct gs_resize_plan_part *pp)
{
  const struct gs_resize_part *p = pp->src;
  json_object *o = json_object_new_object (), *nw = NULL;
  int e = 0;

  if (o == NULL)
    return NULL;
  e |= pp->old_num ? add (o, "old_number", json_object_new_int (pp->old_num))
                   : add_null (o, "old_number");
  e |= pp->new_num ? add (o, "new_number", json_object_new_int (pp->new_num))
                   : add_null (o, "new_number");
  e |= add_str (o, "kind", gs_int_resize_kind_name (pp->kind));
  e |= add_str (o, "action", gs_int_resize_action_name (pp->action));
  e |= p ? add (o, "old", position (pp->old_start, pp->old_end,
                                    pp->old_size))
          : add_null (o, "old");
  if (pp->new_num) {
    nw = position (pp->new_start, pp->new_end, pp->new_size);
    if (nw && (add_int (nw, "start_sector", (int64_t) pp->new_start_sect) ||
               add_int (nw, "end_sector", (int64_t) pp->new_end_sect))) {
      json_object_put (nw);
      nw = NULL;
    }
    e |= add (o, "new", nw);
  }
  else
    e |= add_null (o, "new");
  e |= add_int (o, "requested_size", pp->requested_size);
  e |= add_int (o, "copy_size", pp->copy_size);
  e |= add_str (o, "expand_method", pp->expand_method);
  e |= add (o, "content_unexpandable",
            json_object_new_boolean (pp->content_unexpandable));
  e |= add (o, "via_logical", json_object_new_boolean (pp->via_logical));
  e |= add (o, "fix_ntfs_boot", json_object_new_boolean (pp->fix_ntfs_boot));
  if (p) {
    e |= add_str (o, "content", gs_int_resize_content_unknown (p) ? "unknown" : p->content);
    e |= p->content_size >= 0 ? add_int (o, "content_size", p->content_size)
                              : add_null (o, "content_size");
    e |= add (o, "bootable", json_object_new_boolean (p->bootable));
    if (plan->table == GS_RESIZE_TABLE_MBR)
      e |= p->mbr_id >= 0 ? add (o, "mbr_id", json_object_new_int (p->mbr_id))
                          : add_null (o, "mbr_id");
    else {
      char attrs[32];

      e |= add_str (o, "gpt_type", p->gpt_type);
      e |= add_str (o, "gpt_guid", p->gpt_guid);
      e |= add_str (o, "name", p->name);
      snprintf (attrs, sizeof attrs, "0x%016" PRIx64, p->gpt_attributes);
      e |= add_str (o, "gpt_attributes", p->has_gpt_attributes ? attrs : NULL);
    }
  }
  if (e) {
    json_object_put (o);
    return NULL;
  }
  return o;
}

json_object *
gs_int_resize_plan_json (const struct gs_resize_plan *plan)
{
  json_object *o = json_object_new_object (), *parts;
  int e = 0;

  if (o == NULL)
    return NULL;
  e |= add_str (o, "table", plan->table == GS_RESIZE_TABLE_GPT ? "gpt"
                                                               : "mbr");
  e |= add_str (o, "disk_guid", plan->disk_guid);
  e |= add_int (o, "sector_size", plan->sector_size);
  e |= add_int (o, "target_size", plan->target_size);
  e |= add_int (o, "target_sectors", (int64_t) plan->target_sectors);
  e |= add_int (o, "alignment", plan->alignment);
  e |= add (o, "align_first", json_object_new_boolean (plan->align_first));
  e |= add (o, "keep_numbers", json_object_new_boolean (plan->keep_numbers));
  e |= add_int (o, "required", plan->required);
  e |= add_int (o, "overhead", plan->overhead);
  e |= add_int (o, "surplus", plan->surplus);
  e |= add_int (o, "minimum_target_size", plan->min_target_size);
  e |= add_str (o, "extra_partition", extra_name (plan->extra));
  parts = json_object_new_array ();
  e |= add (o, "partitions", parts);
  for (size_t i = 0; e == 0 && i < plan->nparts; ++i) {
    json_object *p = part_json (plan, &plan->parts[i]);

    if (p == NULL || json_object_array_add (parts, p)) {
      json_object_put (p);
      e = 1;
    }
  }
  if (e) {
    json_object_put (o);
    return NULL;
  }
  return o;
}

