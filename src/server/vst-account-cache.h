/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "vst-account.h"

G_BEGIN_DECLS

/**
 * VstAccountCache:
 *
 * The accounts behind open sessions, in memory: what a signed-in request
 * reads first. The store that owns the cache keeps it in step with the
 * database (it is the only writer) and serializes the calls. Holds copies:
 * what goes in or comes out is the caller's to keep.
 */
typedef struct _VstAccountCache VstAccountCache;

VstAccountCache *vst_account_cache_new         (guint                  max_sessions);
void             vst_account_cache_free        (VstAccountCache       *cache);
VstAccount      *vst_account_cache_lookup      (VstAccountCache       *cache,
                                                const guint8          *session_hash,
                                                gint64                 now);
void             vst_account_cache_insert      (VstAccountCache       *cache,
                                                const guint8          *session_hash,
                                                gint64                 expires_at,
                                                const VstAccount      *account);
void             vst_account_cache_update_totp (VstAccountCache       *cache,
                                                const VstAccount      *account);
void             vst_account_cache_forget      (VstAccountCache       *cache,
                                                gint64                 account_id);
guint            vst_account_cache_get_size    (VstAccountCache       *cache);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VstAccountCache, vst_account_cache_free)

G_END_DECLS
