/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

#include "vst-server-config.h"
#include "vst-store.h"

G_BEGIN_DECLS

#define VST_TYPE_MAILER (vst_mailer_get_type ())

G_DECLARE_FINAL_TYPE (VstMailer, vst_mailer, VST, MAILER, GObject)

/* Sends the store's outbox, one message at a time, on a worker thread,
 * retrying failures with exponential backoff. Messages queued before a
 * restart are picked up at start. */
VstMailer *vst_mailer_new     (VstStore        *store,
                               VstServerConfig *config) G_GNUC_WARN_UNUSED_RESULT;
void       vst_mailer_start   (VstMailer       *self);
/* Something was queued: look at the outbox now rather than at the next
 * timer. */
void       vst_mailer_kick    (VstMailer       *self);
/* Sends nothing more; a message on its way finishes. */
void       vst_mailer_stop    (VstMailer       *self);
gboolean   vst_mailer_is_busy (VstMailer       *self);

G_END_DECLS
