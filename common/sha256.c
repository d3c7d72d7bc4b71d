/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sha256.c: the SHA-256 of a file as stored on the host (what
 * sha256sum(1) prints), for provenance records (provenance.c).
 *
 * Nettle: the smallest sound library Debian 12 has for it (a hash and
 * nothing else is linked), and libguestfs already depends on it
 * through GnuTLS, so it adds nothing to a host that runs goldsmith.
 * The bytes are read here, once, after (outputs) or before (inputs) the
 * run: no image data streams through goldsmith's process (resize copies
 * inside the appliance, sparsify through qemu-img, sysprep's commit is
 * qemu-img's), so there is nothing to hash on the way.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "goldsmith-int.h"
#include "provenance.h"

/* 1 MiB: large reads keep a multi-GiB image near disk speed. */
#define CHUNK (1024 * 1024)

int
gs_int_sha256_file (const char *path, char hex[GS_SHA256_HEX])
{
  struct sha256_ctx ctx;
  uint8_t digest[SHA256_DIGEST_SIZE];
  unsigned char *buf;
  int fd, r = 0;

  if ((fd = open (path, O_RDONLY | O_CLOEXEC)) == -1) {
    gs_error ("%s: cannot open to compute its sha256: %m", path);
    return -1;
  }
  buf = gs_xmalloc (CHUNK);
  sha256_init (&ctx);
  for (;;) {
    ssize_t n = read (fd, buf, CHUNK);

    if (n == -1 && errno == EINTR)
      continue;
    if (n == -1) {
      gs_error ("%s: cannot read to compute its sha256: %m", path);
      r = -1;
      break;
    }
    if (n == 0)
      break;
    sha256_update (&ctx, (size_t) n, buf);
  }
  free (buf);
  close (fd);
  if (r == -1)
    return -1;
  sha256_digest (&ctx, sizeof digest, digest);
  for (size_t i = 0; i < sizeof digest; ++i) {
    static const char x[] = "0123456789abcdef";

    hex[2 * i] = x[digest[i] >> 4];
    hex[2 * i + 1] = x[digest[i] & 15];
  }
  hex[2 * SHA256_DIGEST_SIZE] = '\0';
  return 0;
}
