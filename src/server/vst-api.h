/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <libsoup/soup.h>

#include "vst-catalog.h"
#include "vst-mailer.h"
#include "vst-server-config.h"
#include "vst-store.h"

G_BEGIN_DECLS

/* Request bodies larger than this are refused with 413. */
#define VST_API_MAX_BODY (64 * 1024)

#define VST_TYPE_API (vst_api_get_type ())

G_DECLARE_FINAL_TYPE (VstApi, vst_api, VST, API, GObject)

/* The routes of docs/api.md on a new SoupServer. @french is the French
 * catalogue of the error messages. */
VstApi     *vst_api_new           (VstServerConfig  *config,
                                   VstStore         *store,
                                   VstMailer        *mailer,
                                   VstCatalog       *french,
                                   GError          **error) G_GNUC_WARN_UNUSED_RESULT;
/* Listens on the configured address, over TLS when a certificate is set. */
gboolean    vst_api_listen        (VstApi           *self,
                                   GError          **error);
void        vst_api_disconnect    (VstApi           *self);
/* Requests waiting for the KDF. */
guint       vst_api_get_n_pending (VstApi           *self);

G_END_DECLS
