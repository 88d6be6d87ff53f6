/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define VST_TYPE_CATALOG (vst_catalog_get_type ())

G_DECLARE_FINAL_TYPE (VstCatalog, vst_catalog, VST, CATALOG, GObject)

/* The translations of one language, read from
 * @localedir/@language/LC_MESSAGES/@domain.mo. A missing file gives an
 * empty catalogue (every string stays English); a corrupt one is an error. */
VstCatalog *vst_catalog_new    (const char  *localedir,
                                const char  *domain,
                                const char  *language,
                                GError     **error) G_GNUC_WARN_UNUSED_RESULT;

/* The translation of @msgid, or @msgid itself. Thread-safe. */
const char *vst_catalog_lookup (VstCatalog  *self,
                                const char  *msgid);

guint       vst_catalog_get_size (VstCatalog *self);

G_END_DECLS
