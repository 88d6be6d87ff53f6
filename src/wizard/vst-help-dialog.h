/* vst-help-dialog.h: "Need help?" with the support summary.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "vst-session.h"

G_BEGIN_DECLS

#define VST_TYPE_HELP_DIALOG (vst_help_dialog_get_type ())

G_DECLARE_FINAL_TYPE (VstHelpDialog, vst_help_dialog, VST, HELP_DIALOG, AdwWindow)

VstHelpDialog *vst_help_dialog_new         (GtkWindow     *parent,
                                            VstSession    *session,
                                            guint          step,
                                            const char    *page_id);
const char    *vst_help_dialog_get_summary (VstHelpDialog *self);

G_END_DECLS
