/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "vst-store.h"

G_BEGIN_DECLS

#define VST_TYPE_SQLITE_STORE (vst_sqlite_store_get_type ())

G_DECLARE_FINAL_TYPE (VstSqliteStore, vst_sqlite_store, VST, SQLITE_STORE, GObject)

/* Opens (creating it, mode 0600) the database at @path, switches it to WAL
 * and brings its schema up to date. */
VstStore *vst_sqlite_store_new (const char  *path,
                                GError     **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
