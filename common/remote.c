/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remote.c: disks named by a URI (-a nbd://..., a libvirt disk of
 * type 'network'), as qemu's block layer opens them.  goldsmith never
 * hands such a URI to the appliance directly: a local qcow2 overlay
 * whose backing file is the URI stands in for the disk (engine.c), so
 * the rest of the core sees files; a successful transactional run
 * commits the overlay into the remote disk, like a local one.
 *
 * Parsed with libxml2's URI parser; qemu itself reports what it cannot
 * reach.  http(s) and ftp(s) disks are read-only.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/uri.h>

#include "goldsmith-int.h"
#include "cleanups.h"

static const struct scheme {
  const char *name;
  bool readonly;                 /* qemu cannot write it */
  bool needs_host;               /* a server is part of the URI */
} schemes[] = {
  { "nbd", false, true }, { "nbd+tcp", false, true },
  { "nbd+unix", false, false },  /* ?socket=PATH instead */
  { "ssh", false, true },
  { "http", true, true }, { "https", true, true },
  { "ftp", true, true }, { "ftps", true, true },
  { "iscsi", false, true },
  { "rbd", false, false },       /* rbd:pool/image also names a default */
  { "gluster", false, true }, { "gluster+tcp", false, true },
  { "gluster+unix", false, false },
};

static const struct scheme *
scheme_of (const char *name)
{
  size_t n = strcspn (name, ":");

  if (strncmp (name + n, "://", 3) != 0)
    return NULL;
  for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; ++i)
    if (strlen (schemes[i].name) == n &&
        strncmp (schemes[i].name, name, n) == 0)
      return &schemes[i];
  return NULL;
}

bool
gs_int_uri_is_remote (const char *name)
{
  return name && scheme_of (name) != NULL;
}

bool
gs_int_uri_readonly (const char *uri)
{
  const struct scheme *s = scheme_of (uri);

  return s && s->readonly;
}

int
gs_int_uri_check (const char *uri, const char *label, bool writable)
{
  const struct scheme *s = scheme_of (uri);
  xmlURIPtr u;
  int r = -1;

  if (s == NULL) {
    gs_error ("%s: not a disk URI goldsmith knows", label);
    return -1;
  }
  if ((u = xmlParseURI (uri)) == NULL) {
    gs_error ("%s: not a well-formed URI", label);
    return -1;
  }
  if (s->needs_host && (u->server == NULL || u->server[0] == '\0'))
    gs_error ("%s: the URI names no server (%s://SERVER[:PORT]/...)", label,
              s->name);
  else if (strcmp (s->name, "nbd+unix") == 0 &&
           (u->query_raw == NULL || strncmp (u->query_raw, "socket=", 7) ||
            u->query_raw[7] == '\0'))
    gs_error ("%s: an nbd+unix URI needs ?socket=PATH", label);
  else if (writable && s->readonly)
    gs_error ("%s: %s disks are read-only: inspect them, or use --dry-run",
              label, s->name);
  else
    r = 0;
  xmlFreeURI (u);
  return r;
}

/* One URI component, %-escaped where it must be. */
static char *
escaped (const char *s, const char *keep)
{
  xmlChar *e = xmlURIEscapeStr (BAD_CAST (s ? s : ""), BAD_CAST keep);
  char *r = e ? strdup ((const char *) e) : NULL;

  xmlFree (e);
  return r;
}

char *
gs_int_uri_from_libvirt (const char *protocol, const char *name,
                         const char *host, const char *port,
                         const char *transport, const char *socket)
{
  CLEANUP_FREE char *ename = NULL, *ehost = NULL, *esock = NULL;
  bool unix_socket = transport && strcmp (transport, "unix") == 0;
  char *uri = NULL;
  int r;

  if (protocol == NULL ||
      (ename = escaped (name, "/:@")) == NULL ||
      (ehost = escaped (host, ":[]")) == NULL ||
      (esock = escaped (socket, "/")) == NULL)
    return NULL;
  if (unix_socket)
    r = asprintf (&uri, "%s+unix:///%s?socket=%s", protocol, ename, esock);
  else
    r = asprintf (&uri, "%s://%s%s%s/%s", protocol, ehost,
                  port && port[0] ? ":" : "", port ? port : "", ename);
  return r == -1 ? NULL : uri;
}
