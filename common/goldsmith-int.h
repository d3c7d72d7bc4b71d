/* SPDX-License-Identifier: GPL-2.0-or-later */
/* goldsmith-int.h: the core library's interface to cli/ and tests/.
 * Plugins see only goldsmith-plugin.h.
 */
#ifndef GOLDSMITH_INT_H
#define GOLDSMITH_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <guestfs.h>
#include <libconfig.h>
#include <json-c/json.h>

#include "goldsmith-plugin.h"
#include "string-vector.h"
#include "result.h"

/* Exit codes shared by every subcommand (STYLE: cli maps to these). */
enum gs_exit {
  GS_EXIT_OK = 0,
  GS_EXIT_ERROR = 1,             /* an operation or the appliance failed */
  GS_EXIT_USAGE = 2,             /* bad option, input or configuration */
  GS_EXIT_PARTIAL = 4,           /* several guests: some failed */
  GS_EXIT_UNSUPPORTED = 3,       /* the disk lacks what the mode needs
                                    (sparsify --in-place: discard) */
  GS_EXIT_BUSY = 5,              /* batch: another run has the manifest */
};

/* messages.c */
extern void gs_info (const char *fs, ...) GS_PRINTF (1, 2);
/* "goldsmith[ CMD]: text", no "error:": a refused command line. */
extern void gs_int_usage_error (const char *cmd, const char *fs, ...)
  GS_PRINTF (2, 3);
extern void gs_int_set_verbosity (bool quiet, bool verbose);
extern bool gs_int_verbose (void);
extern bool gs_int_quiet (void);
extern void gs_int_set_current_op (const char *name);
/* The image messages are about (the journal's GOLDSMITH_IMAGE field),
 * or NULL.  Returns the one before, to put back.
 */
extern const char *gs_int_set_current_image (const char *name);
/* The image being worked on (journal fields, progress events), or NULL. */
extern const char *gs_int_current_image (void);
extern const char *gs_int_last_error (void);
/* Guest or user bytes shown, never interpreted: at most N bytes of S to
 * FP, each control byte as \xNN (a newline cannot split a line, an
 * escape sequence cannot reach the terminal).  gs_int_printable: the
 * same as a new string, for a message.
 */
extern void gs_int_print_safe (FILE *fp, const char *s, size_t n);
extern char *gs_int_printable (const char *s);
/* Who speaks in messages ("goldsmith", or "goldsmith[2]" for a job;
 * an anchor's name in compatibility mode, cli/compat.c).
 */
extern void gs_int_set_program (const char *name);
extern const char *gs_int_program (void);
/* Compatibility mode: warnings and info on stdout (STDOUT_NOTES), and
 * "PROG: error: OP: text" rather than "PROG: OP: error: text".
 */
extern void gs_int_set_message_style (bool stdout_notes,
                                      bool kind_before_op);
/* Whether messages are an anchor's (compatibility mode). */
extern bool gs_int_anchor_style (void);
extern void gs_int_clear_last_error (void);
/* virt-resize's human-readable size ("512", "1.5K", "224.0K", "10.0G",
 * "2.0T").  Returns BUF (LEN >= 32 is always enough).
 */
extern const char *gs_int_human_size (int64_t bytes, char *buf, size_t len);

/* plugins.c: the operation registry. */
struct gs_op {
  const struct gs_operation *def; /* the plugin's (or template's) table */
  char *name;
  char *family;
  char *heading;
  char *description;
  enum gs_phase phase;
  int order;
  bool enabled_by_default;
  char *source;                  /* plugin file, or config file:line */
  void *data;                    /* the plugin's, via gs_op_set_data */
  bool selected;
  string_vector before, after;   /* ordering constraints (config) */
};

struct gs_registry {
  struct gs_op **ops;            /* operations, sorted after loading */
  size_t nops;
  struct gs_op **templates;      /* is_template entries */
  size_t ntemplates;
  void **handles;                /* dlopen handles */
  size_t nhandles;
};

extern int gs_int_registry_load_path (struct gs_registry *reg,
                                      const char *path_list);
extern int gs_int_registry_load_file (struct gs_registry *reg,
                                      const char *file);
extern struct gs_op *gs_int_registry_find (const struct gs_registry *reg,
                                           const char *family,
                                           const char *name);
/* The operation of FAMILY that declares the command-line option NAME
 * (and the option, in *OPT), or NULL.
 */
extern const struct gs_op *gs_int_registry_find_option
  (const struct gs_registry *reg, const char *family, const char *name,
   const struct gs_option **opt);
extern struct gs_op *gs_int_registry_find_template (const struct gs_registry *,
                                                    const char *family,
                                                    const char *kind);
extern int gs_int_registry_add_instance (struct gs_registry *reg,
                                         const struct gs_op *tmpl,
                                         const char *name,
                                         const char *source);
extern int gs_int_registry_sort (struct gs_registry *reg);
extern void gs_int_registry_free (struct gs_registry *reg);
extern bool gs_int_valid_op_name (const char *name);

/* config.c: layered libconfig files. */
struct gs_settings {
  string_vector exclude_paths;   /* paths.exclude: regexes, accumulated */
  char *accel;                   /* "auto", "kvm" or "tcg" */
  char *backend;                 /* libguestfs backend, or NULL */
  int memsize;                   /* MiB, 0 = libguestfs default */
  int smp;                       /* vCPUs, 0 = libguestfs default */
  bool uncompressed_kernel;      /* TCG: boot an uncompressed kernel */
  bool lean_init;                /* TCG: udev for the appliance's devices */
  bool libguestfs_inspection;    /* appliance.inspection = "libguestfs" */
  bool isolate;                  /* every guest in a launch of its own */
  bool cache_inspect;            /* cache.inspect: reuse unchanged images' */
  char *cache_dir;               /* cache.dir, or NULL: XDG's */
  bool network;                  /* appliance network (off by default) */
  const struct gs_keys *keys;    /* --key and friends (not owned) */
};

/* luks.c: keys for encrypted guests (--key, --keys-from-stdin). */
struct gs_key {
  char *id;                      /* device, /dev/mapper name, UUID, "all" */
  char *key;                     /* never printed */
};
struct gs_keys {
  struct gs_key *v;
  size_t n;
  bool from_stdin;               /* --keys-from-stdin */
  bool echo;                     /* --echo-keys: show what is typed */
};
/* One --key SELECTOR (ID:key:KEY, ID:file:FILENAME): -1 said. */
extern int gs_int_keys_add (struct gs_keys *k, const char *selector);
extern void gs_int_keys_free (struct gs_keys *k);

/* Refuse what libconfig 1.5 would misread in TEXT (named NAME in the
 * message): integers beyond 32 bits, an @include with no newline.
 */
extern int gs_int_config_check_text (const char *text, const char *name);
/* A whole text file, or NULL (errno set). */
extern char *gs_int_read_text_file (const char *path);
extern char *gs_int_read_all (int fd);
extern int gs_int_config_files (const char *sysconfdir,
                                const char *user_file,
                                string_vector *files);
/* A configuration layer after the files: a --set (libconfig text, as
 * the user typed it) or a use of an operation's command-line option
 * (its setting, built with its type: never text parsed again).  NAME
 * is what messages call it: "--set KEY=VALUE", "--hostname web1".
 */
struct gs_config_layer {
  char *name;
  char *text;                    /* --set, else NULL */
  config_t *cfg;                 /* an option's setting, else NULL */
};
struct gs_config_layers {
  struct gs_config_layer *v;
  size_t n;
};
/* Append a layer (taking CFG, copying the strings). */
extern int gs_int_layers_add (struct gs_config_layers *l, const char *name,
                              const char *text, config_t *cfg);
extern void gs_int_layers_free (struct gs_config_layers *l);
/* FILES in order, then the layers EXTRA (NULL: none). */
extern int gs_int_config_load (struct gs_registry *reg,
                               struct gs_settings *settings,
                               const string_vector *files,
                               const struct gs_config_layers *extra,
                               config_t *merged);
extern int gs_int_config_complete (struct gs_registry *reg);
/* The merged configuration S as JSON (config --json, provenance). */
extern json_object *gs_int_config_json (const config_setting_t *s);
extern void gs_int_settings_free (struct gs_settings *settings);

/* tcg-kernel.c: a TCG launch boots an uncompressed copy of the host's
 * kernel (about 4 s faster), where it can, and with LEAN the lean
 * appliance init (lean-init.c).
 */
extern bool gs_int_tcg_kernel (guestfs_h *g, bool lean, bool verbose);
extern bool gs_int_appliance_lean (guestfs_h *g);
/* lean-init.c: the directory (in CACHEDIR) of a copy of libguestfs's
 * supermin.d whose init triggers udev for the appliance's devices
 * only, made if need be; NULL if it cannot be (said with VERBOSE).
 */
extern char *gs_int_lean_init (guestfs_h *g, const char *cachedir,
                               bool verbose);
/* The kernel version the appliance boots (supermin's choice), malloc'd,
 * or NULL when a fixed appliance (LIBGUESTFS_PATH) hides it.
 */
extern char *gs_int_appliance_kernel_version (void);
extern void gs_int_tcg_kernel_disable (void);
/* The uncompressed kernel (made if need be), its version and cache
 * directory; NULL when there is none.
 */
extern const char *gs_int_tcg_kernel_info (guestfs_h *g,
                                           const char **version,
                                           const char **dir);
extern int gs_int_appliance_kernel_uncompressed (guestfs_h *g);
extern const char *gs_int_key_type_name (enum gs_key_type t);
/* A key that takes several types (a string or an array, a group): the
 * checker below checks its name only and its caller checks the rest.
 * Not in the plugin ABI's enum, whose values start at 1.
 */
#define GS_INT_KEY_ANY ((enum gs_key_type) 0)
/* Each member of GROUP must be named in KEYS1 or KEYS2 (either may be
 * NULL) and be of its type, else one error "FILE:LINE: unknown key
 * \"x\" in WHAT (known: a, b)" or "FILE:LINE: WHAT.x must be TYPE".
 * WHAT: the group's dotted path, NULL for a file's top level.  FILE:
 * for settings libconfig knows no file of.
 */
extern int gs_int_config_check_keys (const config_setting_t *group,
                                     const char *file, const char *what,
                                     const struct gs_config_key *keys1,
                                     const struct gs_config_key *keys2);

/* selection.c: virt-sysprep's --operations / --enable syntax. */
struct gs_selection {
  bool started;                  /* an --operations or --enable was seen */
  bool enable_seen;
};
extern int gs_int_select (struct gs_registry *reg, const char *family,
                          struct gs_selection *sel, const char *option,
                          const char *spec);
extern bool gs_int_any_selected (const struct gs_registry *reg,
                                 const char *family);
extern void gs_int_select_finish (struct gs_registry *reg,
                                  const char *family,
                                  const struct gs_selection *sel);

/* domain.c, disks.c: what to open. */
struct gs_disk {
  char *path;
  char *format;                  /* never NULL after gs_int_disk_check */
  bool readonly;
  int64_t virtual_size;
  char *overlay;                 /* transactional run: qcow2 over path */
  mode_t mode;                   /* st_mode, after gs_int_disk_check */
  char *origin;                  /* "FILE:LINE: disk vda" (domain XML), or NULL */
  bool remote;                   /* path is a URI (remote.c) */
  bool scratch_overlay;          /* overlay only to reach a remote disk:
                                    discarded, never committed */
  int blocksize;                 /* sector size the appliance sees (512,
                                    4096: inspect --blocksize), 0: qemu's */
};

struct gs_guest {
  char *name;                    /* domain name, or the first image */
  struct gs_disk *disks;
  size_t ndisks;
};

extern int gs_int_guest_add_disk (struct gs_guest *guest, const char *path,
                                  const char *format, bool readonly);
extern void gs_int_guest_free (struct gs_guest *guest);
extern int gs_int_domxml_load_file (const char *file, struct gs_guest *guest);
extern int gs_int_domxml_parse (const char *xml, size_t len,
                                const char *what, const char *base_dir,
                                struct gs_guest *guest);
extern int gs_int_libvirt_load (const char *uri, const char *name,
                                bool writable, struct gs_guest *guest);
extern char *gs_int_probe_format (const char *path);
extern int gs_int_disk_check (struct gs_disk *disk);
/* Accept images that name files outside their directory (backing files,
 * external data files): --allow-external-files.
 */
extern void gs_int_disks_allow_external (bool allow);

/* qemu-img.c */
/* The first LEN bytes of disk D, read on the host (qemu-img dd for
 * formats other than raw): how many were read, or -1.
 */
extern ssize_t gs_int_read_head (const struct gs_disk *d, unsigned char *buf,
                                 size_t len);

/* remote.c: disks named by a URI (nbd://, ssh://, ...). */
extern bool gs_int_uri_is_remote (const char *name);
extern bool gs_int_uri_readonly (const char *uri);
/* The URI's form (LABEL names it in the one-line message); WRITABLE:
 * the run may write it.
 */
extern int gs_int_uri_check (const char *uri, const char *label,
                             bool writable);
/* A libvirt <disk type='network'>'s source as a URI, or NULL. */
extern char *gs_int_uri_from_libvirt (const char *protocol, const char *name,
                                      const char *host, const char *port,
                                      const char *transport,
                                      const char *socket);

/* overlay.c: transactional runs (changes committed only on success). */
extern int gs_int_overlay_create (struct gs_disk *disk);
extern int gs_int_overlay_create_in (struct gs_disk *disk, const char *dir,
                                     const char *options);
extern int gs_int_overlay_commit (struct gs_disk *disk);
extern int gs_int_overlay_recover (const char *image, bool finish);
/* scratch.c: PATH (kept by the caller until gs_int_scratch_forget) is
 * removed if the run is interrupted.
 */
extern void gs_int_scratch_add (char *path);
extern void gs_int_scratch_forget (const char *path);
/* fsync PATH: a file, or a directory after a rename in it. */
extern int gs_int_sync_path (const char *path);
/* All LEN bytes of BUF to FD (EINTR and short writes retried); -1 with
 * errno set.
 */
extern int gs_int_write_all (int fd, const void *buf, size_t len);
/* fsync the directory that holds PATH (after a rename into it). */
extern int gs_int_sync_dir_of (const char *path);
extern void gs_int_overlay_discard (struct gs_disk *disk);

/* run-command.c: every host command goes through gs_int_run_command. */
enum gs_run_output {
  GS_RUN_APART,                  /* stdout to *OUT, stderr to *ERR */
  GS_RUN_MERGED,                 /* both to *OUT, in the order written */
  GS_RUN_PROGRESS,               /* stdout (-p's bar) to our stderr,
                                    stderr to *OUT */
  GS_RUN_STDOUT,                 /* stdout to *OUT, stderr discarded */
  GS_RUN_QUIET,                  /* both discarded */
  GS_RUN_TO_FD,                  /* stdout to IO->out_fd, stderr
                                    discarded */
};
/* What else the child gets (NULL: stdin is ours, no output fd). */
struct gs_run_io {
  const void *input;             /* written whole to its stdin, if set */
  size_t input_len;
  int out_fd;                    /* GS_RUN_TO_FD: its stdout */
};
#define GS_RUN_KILLED  (-1)      /* it did not exit normally */
#define GS_RUN_NOT_RUN (-2)      /* it could not be started (errno) */
#define GS_RUN_NO_PIPE (-3)      /* no pipe or no memory (errno) */
/* Run ARGV (ARGV[0] found in $PATH, or a path) and wait for it; what it
 * prints, whole, into *OUT (and *ERR: APART only; either may be NULL
 * when not wanted), malloc'd, NUL-terminated.  Returns its exit status
 * or one of the negative codes above (then *OUT and *ERR are NULL,
 * except after KILLED).  Says nothing itself.
 */
extern int gs_int_run_command (const char *const argv[],
                               enum gs_run_output how,
                               const struct gs_run_io *io, char **out,
                               char **err);

/* qemu-img.c: every run of qemu-img goes through gs_int_qemu_img:
 * gs_int_run_command with ARGV[0] "qemu-img" (HOW: APART, MERGED or
 * PROGRESS).
 */
extern int gs_int_qemu_img (const char *const argv[],
                            enum gs_run_output how, char **out,
                            char **err);
/* The same, output into the buffer OUT (truncated to OUTLEN, said in a
 * debug message): stdout and stderr, or only stderr with PROGRESS.
 * 0 if it exited with status 0, else -1.
 */
extern int gs_int_run_qemu_img (char *const argv[], char *out, size_t outlen,
                                bool progress);
extern char *gs_int_first_line (char *s);
/* Run qemu-img ARGV about the file PATH: its stdout, or NULL with *ERR
 * its first line of complaint ("qemu-img: PATH:" cut: no host path in
 * it), or "cannot run qemu-img ..." (NULL: it could not be asked,
 * said).  *CODE: its exit status, -1 if it has none.  qemu-img check's
 * status 3 (leaked clusters: harmless) counts as success.
 */
extern char *gs_int_qemu_img_on (const char *const argv[], const char *path,
                                 char **err, int *code);
/* qemu-img info --output=json of PATH, opened as FMT (never NULL: qemu
 * must not probe an image's format), with -U when SHARE (no lock: the
 * image may be open elsewhere).  0: *INFO set; -1: qemu-img failed
 * (*ERR as for gs_int_qemu_img_on); -2: it printed no JSON.
 */
extern int gs_int_qemu_img_info (const char *path, const char *fmt,
                                 bool share, json_object **info, char **err);

/* outfile.c: OUT is written under a stand-in name (a scratch file)
 * and renamed to OUT only on success; *CODE becomes an error if that
 * fails.
 */
extern const char *gs_int_outfile_reserve (const char *out);
extern void gs_int_outfile_finish (const char *out, bool success, int *code);
extern bool gs_int_same_file (const char *a, const char *b);

/* lock.c: before writing an image.  Refuses (reporting it) an image
 * another goldsmith has locked, or that a qemu (VM, libvirt domain,
 * libguestfs appliance) has open; else locks it until exit.
 */
#define GS_LOCK_BYTE ((off_t) 0x676f6c64) /* ours; qemu uses 100..299 */
extern int gs_int_lock_image (const char *path);
extern void gs_int_unlock_images (void);
/* Before reading an image only: warn when a running VM writes it. */
extern void gs_int_warn_if_written (const char *path);

/* session.c: one appliance launch. */
struct gs_session_opts {
  const struct gs_settings *settings;
  bool readonly;                 /* add every disk read-only */
  bool discard;                  /* discard must work ("enable") */
  bool verbose, trace, progress;
  struct gs_launch_log *launch_log;  /* doctor --phases: messages kept */
};

/* list-fs.c: guestfs_list_filesystems' answer ("DEV", "TYPE" pairs,
 * NULL-terminated; NULL: said), without a parted run per partition.
 */
extern char **gs_int_list_filesystems (guestfs_h *g);
/* os-compare.c: whether GOLDSMITH_INSPECT_COMPARE=1 (the test suite)
 * asks for goldsmith's answers to be compared with libguestfs's; OURS
 * (a list_filesystems answer) against libguestfs's, pair by pair,
 * said in one line per difference and a summary.
 */
extern bool gs_int_inspect_compare (void);
extern void gs_int_list_fs_compare (guestfs_h *g, char **ours);

/* launch-phases.c: a launch's messages with their times, cut into
 * phases (goldsmith doctor --phases).  ECHO: also to stderr (-v).
 */
struct gs_launch_log;
extern struct gs_launch_log *gs_int_launch_log_new (bool echo);
extern void gs_int_launch_log_free (struct gs_launch_log *l);
/* Make G's launch verbose and keep its messages in L. */
extern int gs_int_launch_log_attach (guestfs_h *g, struct gs_launch_log *l);
/* The phases of a launch of TOTAL seconds: a JSON array of {name, what,
 * seconds}, and "name N s, ..." in TEXT.
 */
extern json_object *gs_int_launch_phases (const struct gs_launch_log *l,
                                          double total, char *text,
                                          size_t len);

/* os-inspect.c: which inspection a launch uses.  GS_OS_OWN is
 * goldsmith's own (Linux guests; it falls back to libguestfs's for
 * what it does not handle); GS_OS_OWN_FULL is the same for the inspect
 * family, which also falls back where the plugin could not list what
 * virt-inspector lists (an rpm database, where libguestfs lacks the
 * call that lists one);
 * GS_OS_LIBGUESTFS is inspect_os.  Either way roots, mountpoints,
 * filesystems and facts are read through gs_guest_roots,
 * gs_guest_mountpoints, gs_guest_filesystems and gs_int_os_fact.
 */
#define GS_OS_NFACTS 9
enum gs_os_method { GS_OS_LIBGUESTFS, GS_OS_OWN, GS_OS_OWN_FULL };
extern const char *const gs_int_os_fact_keys[GS_OS_NFACTS + 1];
/* The roots (NULL-terminated, the caller frees), or NULL (said). */
extern char **gs_int_os_inspect (guestfs_h *g, enum gs_os_method method);
/* Fact K (index into gs_int_os_fact_keys) of ROOT, or NULL if unknown. */
extern char *gs_int_os_fact (guestfs_h *g, const char *root, size_t k);
/* Before the handle closes: the inspection kept on it is freed. */
extern void gs_int_os_forget (guestfs_h *g);

struct gs_session {
  guestfs_h *g;
  enum gs_os_method os_method;   /* how the launch's guests are inspected */
  bool launched;
  bool tcg_fallback;             /* the accelerated launch failed */
  bool tcg_kernel;               /* this handle boots goldsmith's kernel */
  char *last_guestfs_error;
};

extern int gs_int_session_launch (struct gs_session *s,
                                  struct gs_guest *guests, size_t nguests,
                                  const struct gs_session_opts *opts);
extern int gs_int_session_close (struct gs_session *s);
/* After the launch: open every LUKS device with its key (asking on a
 * terminal or stdin when none is given), LVM inside included.  -1: a
 * key given does not open its device (said: bad input, exit 2).
 */
extern int gs_int_luks_open_all (struct gs_session *s,
                                 const struct gs_keys *keys);
/* appliance.accel = "auto": probe KVM once per process (a broken KVM
 * is said once, and later launches go straight to TCG).
 */
extern void gs_int_accel_decide (const struct gs_settings *settings);
/* Does KVM work with the qemu HV?  1 yes, 0 no (WHY set), -1 unknown
 * (no accessible /dev/kvm, or qemu could not be run).
 */
extern int gs_int_kvm_probe (const char *hv, char *why, size_t whylen);

/* mount.c */
extern int gs_int_mount_root (guestfs_h *g, const char *root, bool readonly,
                              const char *mount_options,
                              const struct gs_ctx *ctx);

/* run.c: run the selected operations of one family on one guest. */
struct gs_run_opts {
  const char *family;
  bool dry_run;
  const char *mount_options;     /* "MP:OPTS;MP:OPTS" as in virt-sysprep */
  const struct gs_exclude *exclude; /* --exclude-path, or NULL */
  size_t disk_start, disk_count; /* several guests: this one's disks */
};

/* struct gs_ctx (one root or device being worked on) is defined in
 * ctx.h, for the core only: plugins and cli/ never see its fields.
 */

/* exclude.c: --exclude-path regexes (pcre2), compiled once. */
struct gs_exclude;
extern struct gs_exclude *gs_int_exclude_new (const string_vector *regexes,
                                              const char *what);
extern void gs_int_exclude_free (struct gs_exclude *ex);
/* Why RE is not a valid regex (allocated), or NULL if it is. */
extern char *gs_int_regex_error (const char *re);
extern bool gs_int_exclude_match (const struct gs_exclude *ex,
                                  const char *path);
/* Does EX (NULL: none) protect anything at all? */
extern bool gs_int_exclude_any (const struct gs_exclude *ex);

/* One operation on one root, recorded in OPS; with SKIP only recorded
 * as skipped.  Returns its status.
 */
enum { GS_OP_APPLIED, GS_OP_NA, GS_OP_SKIPPED, GS_OP_FAILED };
extern int gs_int_run_op (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
                          const char *root, bool skip,
                          struct gs_op_results *ops);

/* Run the operations on the given ROOTS (NULL-terminated), each
 * recorded as a root of GUEST's result.
 */
extern int gs_int_run_roots (struct gs_session *s, struct gs_registry *reg,
                             char *const *roots,
                             const struct gs_run_opts *opts,
                             struct gs_guest_result *guest);

/* content.c: operations chosen by what a device holds (resize,
 * sparsify).  How many selected operations of FAMILY take DEV holding
 * CONTENT (asked as dry runs, nothing recorded), -1 if one failed and
 * none took it.
 */
extern int gs_int_content_claims (struct gs_registry *reg, guestfs_h *g,
                                  const char *family, const char *dev,
                                  const char *content);
struct gs_content_opts {
  const char *family;
  bool dry_run, in_place;
  bool first_only;               /* sparsify: the first that takes it */
};
/* Run the selected operations of O->family that take DEV holding
 * CONTENT (every one, or with FIRST_ONLY the first), each recorded in
 * OPS (with how it did it, gs_sparsify_method).  Returns
 * GS_OP_FAILED if one failed, GS_OP_NA if none took it, else the last
 * status.
 */
extern int gs_int_content_run (struct gs_registry *reg, guestfs_h *g,
                               const char *dev, const char *content,
                               const struct gs_content_opts *o,
                               struct gs_op_results *ops);
extern int gs_int_clear_device (guestfs_h *g, const char *dev, bool in_place,
                                bool must_zero, const char **method);

/* remove.c: PATH made canonical without looking at the guest (no "."
 * or "..", no empty element, no trailing slash); may the entries of a
 * directory at LEXICAL, which the guest's root resolves to REAL (a
 * realpath), be removed there?
 */
extern char *gs_int_lexical_path (const char *path);
extern bool gs_int_resolved_dir_ok (const char *lexical, const char *real);

/* inspect.c */
extern char *gs_int_utf8_copy (const char *s, bool xml_chars);
extern char *gs_int_sanitise_utf8 (const char *s);
/* The inspect records of R's guests as virt-inspector's XML on FP. */
extern int gs_int_inspect_write_xml (const struct gs_run_result *r, FILE *fp);
/* B64 (base64 text) in lines of 72 separated by CR LF, no line end after
 * the last: how virt-inspector's <icon> is wrapped (libxml2's
 * xmlTextWriterWriteBase64).
 */
extern char *gs_int_base64_wrap (const char *b64);
extern int gs_int_inspect_xpath (const char *expr, FILE *fp);

/* machine-readable.c: --machine-readable[=FORMAT] (resize, sparsify):
 * FORMAT NULL or "" is stdout; -1 (said) if FORMAT is not one.
 */
extern int gs_int_mr_open (const char *format);
extern bool gs_int_mr_on (void);
extern void gs_int_mr_message (const char *type, const char *msg);
extern void gs_int_mr_progress (uint64_t done, uint64_t total);

/* progress.c: --progress-fd's events (goldsmith(1), PROGRESS EVENTS). */
extern int gs_int_progress_open (int fd);
extern bool gs_int_progress_on (void);
/* EVENT "image-start" (G NULL) or "image-done" of IMAGE in TOOL. */
extern void gs_int_progress_image (const char *event, const char *tool,
                                   const char *image,
                                   const struct gs_guest_result *g);
/* OK -1: "launch" (starting); else "launched" after SECONDS. */
extern void gs_int_progress_launch (size_t guests, size_t disks,
                                    double seconds, const char *accel,
                                    int ok);
extern void gs_int_progress_operation (const char *image, const char *root,
                                       const struct gs_op_result *op);
extern void gs_int_progress_copy (uint64_t done, uint64_t total);
/* "image-done" of a one-image tool (resize, sparsify) ending with CODE. */
extern void gs_int_progress_done (const char *tool, const char *image,
                                  int code);

/* inspect-cache.c: inspect results of unchanged images (--cache).
 * The identity of GUEST's images inspected by the operations OPS (a
 * string compared whole), NULL if it cannot be cached; *NEWEST: the
 * last change of its files (seconds since the epoch).
 */
extern char *gs_int_cache_identity (const struct gs_guest *guest,
                                    const char *ops, double *newest);
extern char *gs_int_cache_dir (const struct gs_settings *st);
/* 1: G filled from DIR's entry for GUEST, whose identity is IDENTITY;
 * 0: no such entry (or a stale or bad one).
 */
extern int gs_int_cache_lookup (const char *dir, const struct gs_guest *guest,
                                const char *ops, const char *identity,
                                struct gs_guest_result *g);
extern void gs_int_cache_store (const char *dir, const struct gs_guest *guest,
                                const char *ops, const char *identity,
                                const struct gs_guest_result *g);
/* gs_int_engine_run, with E->settings->cache_inspect: guests found in
 * the cache are not launched; those inspected are cached.
 */
struct gs_engine;
extern int gs_int_engine_run_cached (const struct gs_engine *e,
                                     struct gs_guest *guests, size_t n,
                                     int jobs);

/* ownership.c: which guest of a shared launch owns what. */
extern char *gs_int_guest_device (size_t start, size_t count,
                                  const char *dev);
extern int gs_int_inspect_root_guest (guestfs_h *g, const char *root,
                                      const size_t *starts, size_t nguests);
/* The guest (index into STARTS) whose disk holds DEV, or -1. */
extern int gs_int_device_guest (guestfs_h *g, const char *dev,
                                const size_t *starts, size_t nguests);
extern int gs_int_inspect_clashes (guestfs_h *g, const size_t *starts,
                                   size_t nguests, bool *clash,
                                   unsigned char *pairs);

/* shared.c: several guests in one launch (see there). */
enum { GS_PLAN_PENDING, GS_PLAN_DONE };
struct gs_plan {
  size_t n;
  struct gs_guest *guests;
  unsigned char *clash;          /* n*n: known not to share a launch */
  unsigned char *state;          /* GS_PLAN_* per guest */
};
/* ISOLATE: no two guests in one launch (appliance.isolate, --isolate). */
extern int gs_int_plan_new (struct gs_plan *p, struct gs_guest *guests,
                            size_t n, bool isolate);
extern void gs_int_plan_free (struct gs_plan *p);
extern void gs_int_plan_clash (struct gs_plan *p, size_t i, size_t j);
/* The next launch's guests (indexes into IDS, which holds n): pending,
 * in command-line order, no two known to clash.  0 when all are done.
 */
extern size_t gs_int_plan_next (const struct gs_plan *p, size_t *ids);
/* libguestfs's limit on the disks of one appliance (direct backend,
 * virtio-scsi: guestfs_max_disks).
 */
#define GS_MAX_DISKS 255
/* Before any launch: no image given twice (as -a twice, or -a and a
 * domain's disk), no guest with more disks than an appliance takes.
 */
extern int gs_int_guests_check (const struct gs_guest *guests, size_t n);

/* After a launch of N guests (disks added in that order): which clash
 * with another (DEFERRED: not to be touched in this launch) and each
 * other guest's roots.
 */
struct gs_shared {
  size_t n, ndeferred;
  size_t *starts;                /* n+1: each guest's first disk index */
  bool *deferred;
  unsigned char *pairs;          /* n*n: which clashes with which */
  char ***roots;                 /* per guest, NULL-terminated */
  char **all;                    /* inspect_os's list: owns the strings */
  bool filtered;                 /* an LVM filter is set (a pass) */
  bool *has_pvs;                 /* per guest, found before any filter */
};
extern int gs_int_shared_inspect (struct gs_session *s,
                                  const struct gs_guest *guests, size_t n,
                                  struct gs_shared *sh);
extern void gs_int_shared_free (struct gs_shared *sh);
/* A clashing guest I of the launch, alone: only its volumes visible to
 * LVM (re-inspected if it has any); *ROOTS its roots (NULL-terminated,
 * the caller frees).  -1 on error (said): left for a later launch.
 */
extern int gs_int_shared_pass (struct gs_session *s, struct gs_shared *sh,
                               size_t i, char ***roots);
/* After the passes (the launch ends): nothing left mounted. */
extern void gs_int_shared_pass_end (struct gs_session *s,
                                    struct gs_shared *sh);
/* Guest I of the launch (IDS[I] in PLAN) clashes: say so, record with
 * which guests in PLAN, return true (it stays pending).
 */
extern bool gs_int_shared_defer (struct gs_plan *plan,
                                 const struct gs_shared *sh,
                                 const size_t *ids, size_t i);

/* engine.c, jobs.c: the run engine of sysprep and inspect. */
struct gs_engine {
  struct gs_registry *reg;
  struct gs_settings *settings;
  const char *family;            /* "sysprep" or "inspect" */
  bool dry_run;                  /* disks read-only, nothing written */
  bool transactional;            /* overlays, committed per guest */
  bool in_place;                 /* writes go straight to the images */
  bool verbose, trace, progress;
  const char *mount_options;     /* "MP:OPTS;..." as in virt-sysprep */
  const struct gs_exclude *exclude;
  struct gs_run_result *result;  /* out: what happened, per guest */
};
/* Every guest: in parallel jobs (up to JOBS; <= 0: from the cores and
 * memory), each a child process with whole launches, when there are
 * several guests and the plan makes more than one job worth it; else
 * here, launch after launch.  E->result (made by gs_int_result_init
 * from GUESTS) is filled whichever process did the work.  Returns the
 * last code that is not GS_EXIT_OK, or GS_EXIT_OK.
 */
extern int gs_int_engine_run (const struct gs_engine *e,
                              struct gs_guest *guests, size_t n, int jobs);
extern int gs_int_engine_each_launch (const struct gs_engine *e,
                                      struct gs_guest *guests, size_t n);
/* One launch of the guests IDS (K of them) of PLAN: each is marked
 * done, or left pending when it clashes with another of them.
 */
extern int gs_int_engine_launch (const struct gs_engine *e,
                                 struct gs_plan *plan, const size_t *ids,
                                 size_t k);

/* report.c (and result.h): the head of every tool's JSON report. */
extern json_object *gs_int_report_new (const char *tool, bool dry_run);
extern void gs_int_report_set_error (json_object *obj, const char *msg);
/* REPORT's "appliance": LAUNCHES launches, how they ran. */
extern void gs_int_report_appliance (json_object *report, int launches,
                                     bool tcg, const char *accel);
extern int gs_int_report_print_json (json_object *report);
extern int gs_int_json_add_string (json_object *obj, const char *key,
                                   const char *value);

#endif /* GOLDSMITH_INT_H */
