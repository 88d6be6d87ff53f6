/* vst-window.h: the wizard's window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "vst-assistant.h"
#include "vst-session.h"

G_BEGIN_DECLS

#define VST_TYPE_WINDOW (vst_window_get_type ())

G_DECLARE_FINAL_TYPE (VstWindow, vst_window, VST, WINDOW, AdwApplicationWindow)

VstWindow    *vst_window_new           (AdwApplication *application,
                                        VstSession     *session,
                                        const char     *page_id) G_GNUC_WARN_UNUSED_RESULT;
VstAssistant *vst_window_get_assistant (VstWindow      *self);
/* Switches the whole user interface to @language ("en" or "fr") at once. */
void          vst_window_set_language  (VstWindow      *self,
                                        const char     *language);

G_END_DECLS
