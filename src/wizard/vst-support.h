/* vst-support.h: the summary a person copies to the helpdesk.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vst-session.h"

G_BEGIN_DECLS

/* Login, step, server, version, clock offset and last error code: never a
 * password, a key, a reset token or a code. @step is 0 (welcome) to 3. */
char *vst_support_summary_build (VstSession *session,
                                 guint       step,
                                 const char *page_id) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
