/* vst-application.h: single instance, vestibule:// links, --server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define VST_TYPE_APPLICATION (vst_application_get_type ())

G_DECLARE_FINAL_TYPE (VstApplication, vst_application, VST, APPLICATION, AdwApplication)

VstApplication *vst_application_new            (void) G_GNUC_WARN_UNUSED_RESULT;
/* --server, then $VESTIBULE_SERVER_URL, then the server-url setting. */
const char     *vst_application_get_server_url (VstApplication *self);

G_END_DECLS
