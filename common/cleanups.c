/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cleanups.c: the functions behind the CLEANUP_* attributes. */
#include <config.h>

#include <stdlib.h>
#include <libconfig.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "cleanups.h"

void
gs_cleanup_xmldoc (void *ptr)
{
  xmlDocPtr doc = *(xmlDocPtr *) ptr;

  if (doc)
    xmlFreeDoc (doc);
}

void
gs_cleanup_xpathctx (void *ptr)
{
  xmlXPathContextPtr xc = *(xmlXPathContextPtr *) ptr;

  if (xc)
    xmlXPathFreeContext (xc);
}

void
gs_cleanup_xpathobj (void *ptr)
{
  xmlXPathObjectPtr obj = *(xmlXPathObjectPtr *) ptr;

  if (obj)
    xmlXPathFreeObject (obj);
}

void
gs_cleanup_config (void *ptr)
{
  config_t *cfg = *(config_t **) ptr;

  if (cfg) {
    config_destroy (cfg);
    free (cfg);
  }
}
