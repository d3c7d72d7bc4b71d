/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-result: a run's results (common/result.h) as the engine records
 * them: fields replaced in place and removed, the first error kept,
 * launches counted with a TCG fallback anywhere winning, exit codes
 * computed from the results (one guest, a fleet), and the wire form a
 * parallel job sends its parent read back into the same results.  No
 * appliance.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "goldsmith-int.h"

static char *
text (const struct gs_guest_result *g)
{
  json_object *j = gs_int_guest_result_json (g, true);
  char *s = strdup (json_object_to_json_string_ext (j,
                                                    JSON_C_TO_STRING_PLAIN));

  json_object_put (j);
  return s;
}

int
main (void)
{
  struct gs_disk d[2] = {
    { .path = (char *) "/img/a.qcow2", .format = (char *) "qcow2" },
    { .path = (char *) "/img/b.raw", .format = (char *) "raw",
      .readonly = true },
  };
  struct gs_guest guests[3] = {
    { .name = (char *) "a", .disks = d, .ndisks = 2 },
    { .name = (char *) "b" },
    { .name = (char *) "c" },
  };
  struct gs_run_result r, back;
  struct gs_root_result *rr;
  struct gs_op_result *op;
  struct gs_fields *item;
  char *s1, *s2;

  plan (16);
  gs_int_result_init (&r, "sysprep", false, guests, 3);
  is_int ((int) r.guest[0].ndisks, 2, "disks copied from the guest");
  ok (r.guest[0].disk[1].readonly && strcmp (r.guest[0].disk[1].format,
                                             "raw") == 0,
      "... with format and read-only");

  rr = gs_int_result_add_root (&r.guest[0], "/dev/sda1");
  gs_int_fields_set (&rr->os, "type", "linux");
  gs_int_fields_set (&rr->os, "distro", "debian");
  gs_int_fields_set (&rr->os, "type", "windows");
  gs_int_fields_set (&rr->os, "arch", "x86_64");
  gs_int_fields_set (&rr->os, "distro", NULL);
  is_int ((int) rr->os.n, 2, "a NULL value removes the field");
  ok (strcmp (rr->os.key[0], "type") == 0 &&
      strcmp (rr->os.value[0], "windows") == 0,
      "setting a field again replaces it in place");
  op = gs_int_result_add_op (&rr->ops, "logfiles");
  op->status = GS_OP_APPLIED;
  gs_int_result_add_path (op, "/var/log/a\x01\xff", GS_ACTION_REMOVED, 10);
  gs_int_result_add_path (op, "/var/log/dir", GS_ACTION_REMOVED, -1);
  gs_int_result_add_path (op, "/etc/b", GS_ACTION_CHANGED, 5);
  is_int ((int) op->bytes, 15, "bytes: the sum of the positive sizes");
  op = gs_int_result_add_op (&rr->ops, "machine-id");
  op->status = GS_OP_FAILED;
  gs_int_result_set_error (&op->reason, "first cause");
  gs_int_result_set_error (&op->reason, "an echo");
  is_str (op->reason, "first cause", "the first error is kept");
  rr->inspect = calloc (1, sizeof *rr->inspect);
  gs_int_fields_set (&rr->inspect->fields, "root", "/dev/sda1");
  gs_int_inspect_list (rr->inspect, "filesystems", false);
  item = gs_int_inspect_list (rr->inspect, "applications", true);
  gs_int_fields_set (item, "name", "bash");
  item = gs_int_inspect_list (rr->inspect, "applications", true);
  gs_int_fields_set (item, "name", "zsh");
  is_int ((int) rr->inspect->list[1].n, 2, "list items added in order");
  r.guest[0].committed = GS_COMMIT_DONE;
  r.guest[1].committed = GS_COMMIT_NOT_DONE;
  gs_int_result_set_error (&r.guest[1].error, "");
  is_str (r.guest[1].error, "failed", "an empty error reads \"failed\"");

  /* The wire form: rendered, read back, rendered again: the same. */
  gs_int_result_init (&back, "sysprep", false, guests, 3);
  for (size_t i = 0; i < 2; ++i) {
    json_object *j = gs_int_guest_result_json (&r.guest[i], false);

    ok (gs_int_guest_result_from_json (j, &back.guest[i]) == 0,
        "guest %zu read back", i);
    json_object_put (j);
    s1 = text (&r.guest[i]);
    s2 = text (&back.guest[i]);
    is_str (s2, s1, "guest %zu: the same after the round trip", i);
    free (s1);
    free (s2);
  }
  gs_int_result_free (&back);

  /* Exit codes, from the results. */
  is_int (gs_int_result_exit (&r), GS_EXIT_OK, "all succeeded: 0");
  r.guest[1].exit = GS_EXIT_ERROR;
  is_int (gs_int_result_exit_fleet (&r), GS_EXIT_PARTIAL,
          "a fleet where some failed: partial");
  r.guest[0].exit = r.guest[2].exit = GS_EXIT_USAGE;
  is_int (gs_int_result_exit_fleet (&r), GS_EXIT_ERROR,
          "a fleet where all failed: error");
  gs_int_result_launch (&r, 1, false, "kvm");
  gs_int_result_launch (&r, 2, true, "kvm");
  gs_int_result_launch (&r, 1, false, "kvm");
  ok (r.launches == 4 && r.tcg_fallback && strcmp (r.accel, "tcg") == 0,
      "launches counted; a TCG fallback in one is reported");
  gs_int_result_free (&r);
  return exit_status ();
}
