/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sparsify-int.h: what the files of common/sparsify/ share; cli/ uses
 * sparsify.h only.
 */
#ifndef GS_SPARSIFY_IMPL_H
#define GS_SPARSIFY_IMPL_H

#include "sparsify.h"

/* devices.c: in the appliance, every device of the guest handed to the
 * sparsify operations (or zeroed, or ignored), each recorded in
 * RECORDS.  -2: an --ignore or --zero names nothing on the disk (bad
 * input, found before anything is written); -1: failed.
 */
extern int gs_int_sparsify_devices (struct gs_registry *reg, guestfs_h *g,
                                    const struct gs_sparsify_job *j,
                                    json_object *records);

/* copy.c: after the appliance, the overlay written to OUT. */
extern int gs_int_sparsify_convert (const struct gs_sparsify_job *j);

/* summary.c: the text report (REPORT's devices, the sizes). */
extern void gs_int_sparsify_print_text (json_object *report,
                                        const struct gs_sparsify_job *j,
                                        int64_t after);

#endif /* GS_SPARSIFY_IMPL_H */
