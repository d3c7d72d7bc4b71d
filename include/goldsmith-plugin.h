/* goldsmith-plugin.h: the public, versioned ABI between goldsmith and
 * its operation plugins.  See goldsmith-plugin(3).
 *
 * SPDX-License-Identifier: MIT
 * (This header alone is under the MIT license, so that a plugin under
 * any license may be built against it; see COPYING.)
 *
 * A plugin is a shared object exporting exactly one symbol,
 * gs_plugin_entry.
 *
 * The ABI rule, the one place it is stated: the loader accepts a
 * plugin only if its entry's abi_version equals GS_PLUGIN_ABI_VERSION
 * and its struct_size equals sizeof (struct gs_operation), both checked
 * before anything else is touched, and its build_version is a string
 * (the GS_PLUGIN_HEADER_VERSION it was built with, shown in messages
 * and `goldsmith ops`, never compared).  Anything else is refused with
 * a message, never called.  Within one ABI version the API only grows
 * by new functions (each marked "added within ABI version N"); a change
 * to any struct, enum value, or the signature or meaning of a function
 * bumps GS_PLUGIN_ABI_VERSION.  Version 2 added struct gs_option and
 * gs_operation's options (operations declare their command-line
 * options); a plugin built for version 1 is refused and must be
 * rebuilt.  The functions declared here are exactly
 * those the goldsmith program exports to plugins.
 *
 * Lifetimes:
 * - The config_setting_t given to .configure is valid only during that
 *   call: copy what you keep.
 * - Data set with gs_op_set_data belongs to the plugin: free it in
 *   .unload, which is called once per operation instance before the
 *   .so is closed.
 * - Strings returned by gs_guest_get, gs_resize_content and
 *   gs_sparsify_content belong to the core and are valid during the
 *   .perform call that got them.
 * - The core reports libguestfs's errors itself: after a failed guestfs
 *   call, return -1 without another gs_error unless you add something
 *   (or the call was made quietly: gs_quiet_begin).
 * - With --jobs, guests are worked on in child processes forked after
 *   .configure and .config_complete: state set in .perform is per
 *   process, and never reaches the parent.
 *
 * One .so may carry several operations.  An operation marked
 * is_template is not an operation by itself: configuration sections
 * that say `kind = "NAME"` each become an operation run by it (this is
 * how path-removal operations are plain data in conf/).
 */
#ifndef GOLDSMITH_PLUGIN_H
#define GOLDSMITH_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <guestfs.h>
#include <libconfig.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GS_PLUGIN_ABI_VERSION 2  /* bump on any change; mismatch refused */
#define GS_PLUGIN_HEADER_VERSION "0.1.0" /* goldsmith's, when this shipped */

#define GS_PRINTF(f, a) __attribute__((format (printf, f, a)))

enum gs_phase {                  /* phases run in this order */
  GS_PHASE_INSPECT = 0,          /* guest mounted read-only */
  GS_PHASE_FILESYSTEMS = 1,      /* guest filesystems mounted rw */
  GS_PHASE_DEVICES = 2,          /* unmounted; whole block devices */
};

/* Types of configuration keys.  The core checks every key of a
 * section against the operation's table (unknown key or wrong type is
 * an error naming file and line) before .configure sees it.
 */
enum gs_key_type {
  GS_KEY_STRING = 1,
  GS_KEY_INT,
  GS_KEY_BOOL,
  GS_KEY_STRINGS,                /* array of strings: [ "a", "b" ] */
};

struct gs_config_key {
  const char *name;              /* NULL terminates the table */
  enum gs_key_type type;
  const char *doc;               /* one line, for the man page */
};

/* Command-line options an operation declares (ABI version 2).  The
 * goldsmith command builds its option table and --help from the
 * loaded operations of a family, so `goldsmith sysprep --hostname` is
 * the customize operation's own, and a third-party operation gets
 * options of its own.  Each use of an option becomes one
 * configuration layer after the configuration files and --set, in
 * command-line order, holding KEY of this operation with a value of
 * the key's type (built as a value, never as text parsed again):
 * .configure sees it like a file's section.  The loader refuses an
 * option whose key is not in the operation's keys or has another
 * type; using an option of an operation that is not selected is an
 * error.
 */
enum gs_option_kind {
  GS_OPTION_STRING = 1,          /* KEY = "ARG" (a GS_KEY_STRING key) */
  GS_OPTION_APPEND,              /* KEY = [ "VERB:ARG" ], or [ "ARG" ]
                                    when verb is NULL (GS_KEY_STRINGS);
                                    with arg NULL the option takes no
                                    argument and adds "VERB:" (an
                                    ordered action such as --update;
                                    added within ABI version 2) */
  GS_OPTION_LIST,                /* KEY = [ "a", "b" ] from ARG "a,b";
                                    an empty element is an error
                                    (GS_KEY_STRINGS) */
  GS_OPTION_TRUE,                /* KEY = true, no ARG (GS_KEY_BOOL) */
  GS_OPTION_FALSE,               /* KEY = false, no ARG (GS_KEY_BOOL) */
};

struct gs_option {
  const char *name;              /* long option without "--",
                                    [a-z0-9-]+; NULL terminates */
  enum gs_option_kind kind;
  const char *key;               /* one of the operation's keys */
  const char *verb;              /* GS_OPTION_APPEND: "VERB:" prefix */
  const char *arg;               /* ARG as --help shows it ("FILE") */
  const char *help;              /* one line, for --help */
};

/* What an operation did (or, in a dry run, would do) to one path. */
enum gs_action {
  GS_ACTION_REMOVED = 1,
  GS_ACTION_CHANGED,
  GS_ACTION_CREATED,
};

struct gs_op;                    /* opaque: one operation instance */
struct gs_ctx;                   /* opaque: one guest root being prepared */

struct gs_operation {
  const char *name;              /* [a-z0-9-]+, unique per family */
  const char *family;            /* "sysprep", "inspect", ... */
  const char *heading;           /* one line, no trailing period;
                                    NULL for a template */
  const char *description;       /* POD text for the man page, or NULL */
  enum gs_phase phase;
  int order;                     /* ties broken by name; steps of 10 */
  bool enabled_by_default;
  bool is_template;              /* instantiated by `kind = "name"` */
  const struct gs_config_key *keys; /* accepted keys, or NULL for none */

  /* Called in this order; only .perform is required.  .configure is
   * called once per configuration file that has a section for the
   * operation, in precedence order (later files override earlier
   * ones), and never with a NULL section.  .config_complete is called
   * once, even when no file mentions the operation, to fill defaults.
   */
  int (*configure) (struct gs_op *op, const config_setting_t *section);
  int (*config_complete) (struct gs_op *op);
  /* In a dry run (gs_dry_run() is true) the disks are read-only and
   * .perform must only report, through gs_report_path(), what it would
   * do; one code path keeps the dry-run list honest.
   */
  int (*perform) (struct gs_op *op, struct gs_ctx *ctx,
                  guestfs_h *g, const char *root);
  void (*unload) (struct gs_op *op);
  const struct gs_option *options; /* command-line options, or NULL
                                      (ABI version 2) */
};

struct gs_plugin_entry {         /* the only symbol the loader dlsym()s */
  uint32_t abi_version;
  uint32_t struct_size;          /* sizeof (struct gs_operation) */
  const char *build_version;     /* GS_PLUGIN_HEADER_VERSION */
  const struct gs_operation *const *operations; /* NULL-terminated */
};
extern const struct gs_plugin_entry gs_plugin_entry;

/* Messages.  Report once, where the failure is first seen, then return
 * -1 (NULL); the core prefixes "goldsmith: OPERATION: ".
 */
extern void gs_error (const char *fs, ...) GS_PRINTF (1, 2);
extern void gs_warning (const char *fs, ...) GS_PRINTF (1, 2);
extern void gs_debug (const char *fs, ...) GS_PRINTF (1, 2);

/* Memory (added within ABI version 2: new functions only).  These
 * never return NULL: when memory runs out, the core says "out of
 * memory" once (one gs_error line) and ends the process with exit
 * status 1, so there is no failure to handle after them.  That is safe
 * for the user's image: a run writes to an overlay committed only after
 * every operation succeeded (unless it writes in place, as with
 * --in-place, where any failure leaves what was done; goldsmith(1),
 * EXIT STATUS).  gs_xcalloc and gs_xreallocarray
 * refuse an N * SIZE that overflows in the same way; a size of 0 gives
 * a pointer to free, never NULL.  gs_xasprintf returns the formatted
 * string.  Free what they return with free(3).
 */
extern void *gs_xmalloc (size_t n);
extern void *gs_xcalloc (size_t n, size_t size);
extern void *gs_xrealloc (void *ptr, size_t n);
extern void *gs_xreallocarray (void *ptr, size_t n, size_t size);
extern char *gs_xstrdup (const char *s);
extern char *gs_xstrndup (const char *s, size_t n);
extern char *gs_xasprintf (const char *fs, ...) GS_PRINTF (1, 2);

/* Calling libguestfs quietly (added within ABI version 2: new
 * functions only).  Between gs_quiet_begin (G) and gs_quiet_end (G) a
 * failing guestfs call is neither printed nor reported by the core: for
 * calls whose failure is an answer (is this a LUKS device?  does this
 * mount?).  guestfs_last_error (G) and guestfs_last_errno (G) still
 * hold the failure, after gs_quiet_end too, and neither function
 * changes errno, so a caller that does mind reports it in its own
 * words.  Pairs nest; every gs_quiet_begin needs its gs_quiet_end on
 * the same handle.
 */
extern void gs_quiet_begin (guestfs_h *g);
extern void gs_quiet_end (guestfs_h *g);

/* Operation instance. */
extern const char *gs_op_name (const struct gs_op *op);
extern void *gs_op_get_data (const struct gs_op *op);
extern void gs_op_set_data (struct gs_op *op, void *data);

/* The guest being prepared. */
extern bool gs_dry_run (const struct gs_ctx *ctx);
/* Inspection facts, or NULL when unknown.  Keys: "type", "distro",
 * "product-name", "package-format", "package-management", "arch",
 * "hostname", "major-version", "minor-version".
 */
extern const char *gs_guest_get (const struct gs_ctx *ctx, const char *key);
/* The roots the core's inspection found in this launch, and one root's
 * mountpoints ("MP", "DEV" pairs as guestfs_inspect_get_mountpoints
 * gives them), NULL-terminated, to free with every string; NULL on
 * error (said by libguestfs).  Added within ABI version 2.  The core
 * may inspect Linux guests itself (appliance.inspection, goldsmith.conf
 * (5)), and libguestfs's guestfs_inspect_get_* calls then know nothing
 * of them: plugins use these and gs_guest_get instead.
 */
extern char **gs_guest_roots (guestfs_h *g);
extern char **gs_guest_mountpoints (guestfs_h *g, const char *root);
/* ROOT's filesystems as guestfs_inspect_get_filesystems gives them
 * (every fstab entry's device, swap too, in no particular order: sort
 * them; the root alone when fstab has none), NULL-terminated, to free with every string;
 * NULL on error.  And whether ROOT was inspected by libguestfs: only
 * then do libguestfs's inspect_* calls (product variant, applications,
 * icon, ...) know it; otherwise the core inspected a Linux guest itself
 * and the plugin reads the guest.  Both added within ABI version 2.
 */
extern char **gs_guest_filesystems (guestfs_h *g, const char *root);
extern bool gs_guest_inspected_by_libguestfs (guestfs_h *g,
                                              const char *root);
/* Record a path the operation touched (bytes: size freed or written,
 * -1 if unknown), before touching it.  Returns -1 when out of memory,
 * or when PATH is protected by --exclude-path or paths.exclude (said):
 * the core holds every operation to the protections, so an operation
 * that reports before it writes never writes a protected path, and the
 * failure keeps a transactional run from reaching the image.
 */
extern int gs_report_path (struct gs_ctx *ctx, const char *path,
                           enum gs_action action, int64_t bytes);
/* Mark this run of the operation not applicable to the guest. */
extern void gs_not_applicable (struct gs_ctx *ctx, const char *fs, ...)
  GS_PRINTF (2, 3);

/* Removing paths.  Every operation removes through gs_remove, so the
 * guarantees hold for all of them: PATH (absolute, in the guest, no
 * glob) is removed only if its parent directory is reached without any
 * symlink (a guest linking /var/log/audit to / cannot make
 * /var/log/audit/etc mean /etc; such a path is left, with a warning); a
 * symlink at PATH is removed as a link, never followed; a missing PATH
 * is not an error; paths protected by --exclude-path are kept (and a
 * directory holding one keeps it: the rest of its contents go).
 * Directories are kept unless GS_REMOVE_RECURSIVE.  With
 * GS_REMOVE_FILES_ONLY only regular files are removed, inside
 * directories too (the directories stay).  Each removal is reported; in
 * a dry run nothing is removed.  Returns the number of paths removed
 * (reported, in a dry run), or -1.
 */
enum {
  GS_REMOVE_RECURSIVE = 1,
  GS_REMOVE_FILES_ONLY = 2,
};
extern int gs_remove (struct gs_ctx *ctx, guestfs_h *g, const char *path,
                      unsigned flags);
/* gs_remove for each of PATHS (NULL-terminated), with the same
 * guarantees, in far fewer appliance calls when paths sharing a parent
 * come together (as glob_expand and find list them): use it for many
 * paths.  (Added within ABI version 1: a new function only.)
 */
extern int gs_remove_all (struct gs_ctx *ctx, guestfs_h *g,
                          char *const *paths, unsigned flags);
/* Does PATH exist in the guest (a symlink counts, dangling or not)?
 * In a dry run, as if the removals reported so far had happened, so
 * a dry run reports what the real run would.  1, 0, or -1 on error.
 */
extern int gs_exists (struct gs_ctx *ctx, guestfs_h *g, const char *path);
/* Is PATH protected by --exclude-path (or the config's exclude-paths)?
 * Operations that change files (not only remove them) check it too.
 */
extern bool gs_path_protected (const struct gs_ctx *ctx, const char *path);

/* Run SCRIPT (LEN bytes, a shell script) once at the guest's next
 * boot: a systemd unit, or a SysV init script where the guest has no
 * systemd.  NAME ([a-z0-9-]) names the script in the guest's log.
 * Scripts run in the order they were added.  In a dry run, reports
 * only.
 */
extern int gs_firstboot_add (struct gs_ctx *ctx, guestfs_h *g,
                             const char *name, const char *script,
                             size_t len);

/* Family "resize" (`goldsmith resize`): an operation grows one kind of
 * content to fill the partition or logical volume that now holds it.
 * .perform is called once per device to grow, with ROOT the device
 * ("/dev/sdb2", "/dev/vg/lv"); nothing is mounted (an operation that
 * must mount, as xfs_growfs, mounts ROOT and unmounts it again).
 * gs_resize_content names what the device holds: a filesystem type as
 * vfs_type says it ("ext4", "xfs", "btrfs", "ntfs", ...), "swap" or
 * "lvm-pv".  An operation that does not handle that content calls
 * gs_not_applicable and returns 0.
 *
 * Before anything is copied every operation is asked once per device
 * in a dry run (gs_dry_run true, ROOT then the source disk's device,
 * read-only): it reports ROOT with gs_report_path (GS_ACTION_CHANGED)
 * if it would grow that content, after checking that the appliance has
 * what it needs (guestfs_feature_available ...); an error there means
 * the content cannot be grown.  Content no operation claims counts as
 * an unknown filesystem (--unknown-filesystems).  NULL outside resize.
 */
extern const char *gs_resize_content (const struct gs_ctx *ctx);

/* Family "sparsify" (`goldsmith sparsify`; since goldsmith 0.3, same
 * ABI version: new functions only): an operation gives the free space
 * of one kind of content back to the host.  .perform is called once per
 * device, nothing mounted, with ROOT the device ("/dev/sda1",
 * "/dev/vg/lv"), or for content "lvm-vg" a volume group's name.
 * gs_sparsify_content names what ROOT holds as gs_resize_content does,
 * plus "lvm-vg".  Operations are tried in order: the first that does
 * not call gs_not_applicable handles the device.
 *
 * gs_sparsify_in_place is true with --in-place: the disk is the user's
 * image opened with discard, so free space may only be discarded
 * (writing zeros would allocate it).  In copying mode the disk is a
 * qcow2 overlay on which a discarded block reads back as zeros and
 * costs nothing, and writing zeros is the fallback.
 *
 * The operation reports ROOT with gs_report_path (GS_ACTION_CHANGED,
 * the bytes it made sparse, -1 if unknown) and says how through
 * gs_sparsify_method ("trim", "zero", "discard", "recreate"...).  In a
 * dry run it reports what it would do; nothing is written.
 */
extern const char *gs_sparsify_content (const struct gs_ctx *ctx);
extern bool gs_sparsify_in_place (const struct gs_ctx *ctx);
extern void gs_sparsify_method (struct gs_ctx *ctx, const char *method);

/* Give DEV's blocks back to the host, as the core does for --zero
 * (added within ABI version 1: a new function only).  They are
 * discarded; where discard does not work, a copy gets zeros, and in
 * place that is an error (zeros would allocate the blocks).  With
 * MUST_ZERO (the data must be gone) in place, zeros are written first
 * unless the discard promises them.  *METHOD is set to "discard" or
 * "zero" (a string constant).  Returns 0, or -1 (reported).
 */
extern int gs_clear_device (struct gs_ctx *ctx, guestfs_h *g, const char *dev,
                            bool must_zero, const char **method);

/* Inspection data (plugins of family "inspect"; since goldsmith 0.2,
 * same ABI version: these are new functions, no struct changed).
 *
 * Each root being inspected has one record; the core writes it both as
 * virt-inspector's XML and as JSON, in virt-inspector's element order
 * whatever order plugins add data in.  Values are guest data: the core
 * sanitises them (invalid UTF-8 and control characters become U+FFFD),
 * so plugins pass guest strings through untouched.
 *
 * gs_inspect_set: a field of <operatingsystem> ("name", "arch",
 *   "distro", "product_name", "product_variant", "major_version",
 *   "minor_version", "package_format", "package_management",
 *   "windows_systemroot", "windows_current_control_set", "hostname",
 *   "osinfo", "format", "root", "icon" (base64)...).  NULL or "unknown"
 *   VALUE removes the field.
 * gs_inspect_list: makes SECTION ("mountpoints", "filesystems",
 *   "drive_mappings", "applications") exist, even if empty.
 * gs_inspect_add_item: starts a new item of the list SECTION;
 *   gs_inspect_item_set then sets fields of that item ("dev", "path",
 *   "type", "label", "uuid", "name", "epoch", "version", ...).
 * Each returns 0, or -1 (out of memory, or no item started).
 */
extern int gs_inspect_set (struct gs_ctx *ctx, const char *key,
                           const char *value);
extern int gs_inspect_list (struct gs_ctx *ctx, const char *section);
extern int gs_inspect_add_item (struct gs_ctx *ctx, const char *section);
extern int gs_inspect_item_set (struct gs_ctx *ctx, const char *key,
                                const char *value);
/* Several guests share one appliance, so a guest's own device names
 * (what its fstab says: /dev/sda1 is its first disk) may name another
 * guest's disk there.  gs_inspect_device returns DEV as the appliance
 * names it (a newly allocated string; NULL when out of memory): a
 * /dev/[shv]dX or /dev/xvdX name outside the guest's disks is taken as
 * the guest's own name and moved onto its disks; others are returned
 * unchanged.  Use it on what inspect_get_mountpoints and
 * inspect_get_filesystems return before querying the device.
 */
extern char *gs_inspect_device (const struct gs_ctx *ctx, const char *dev);
/* Is DEV (a whole disk, partition, LV /dev/VG/LV, or VG /dev/VG) on
 * this guest's disks?  1 yes, 0 no (another guest's, in a shared
 * launch), -1 unknown (reported).  Device operations (which list every
 * device of the appliance) touch only what this says is the guest's.
 */
extern int gs_guest_has_device (const struct gs_ctx *ctx, guestfs_h *g,
                                const char *dev);

/* GS_REGISTER_PLUGIN (&op1, &op2, ...) in exactly one file per .so. */
#define GS_REGISTER_PLUGIN(...)                                 \
  static const struct gs_operation *const gs_plugin_ops_[] =    \
    { __VA_ARGS__, NULL };                                      \
  __attribute__((visibility ("default")))                       \
  const struct gs_plugin_entry gs_plugin_entry = {              \
    .abi_version = GS_PLUGIN_ABI_VERSION,                       \
    .struct_size = sizeof (struct gs_operation),                \
    .build_version = GS_PLUGIN_HEADER_VERSION,                  \
    .operations = gs_plugin_ops_,                               \
  }

#ifdef __cplusplus
}
#endif

#endif /* GOLDSMITH_PLUGIN_H */
