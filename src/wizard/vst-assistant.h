/* vst-assistant.h: sequences the wizard's pages.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "vst-page.h"
#include "vst-session.h"

G_BEGIN_DECLS

#define VST_TYPE_ASSISTANT (vst_assistant_get_type ())

G_DECLARE_FINAL_TYPE (VstAssistant, vst_assistant, VST, ASSISTANT, AdwBin)

VstAssistant *vst_assistant_new                (void) G_GNUC_WARN_UNUSED_RESULT;
/* Builds every page for @session and shows @page_id (NULL: the welcome). */
void          vst_assistant_start              (VstAssistant *self,
                                                VstSession   *session,
                                                const char   *page_id);
VstSession   *vst_assistant_get_session        (VstAssistant *self);
VstPage      *vst_assistant_get_current_page   (VstAssistant *self);
const char   *vst_assistant_get_current_id     (VstAssistant *self);
/* 0 on the welcome page, then 1 to 3. */
guint         vst_assistant_get_step           (VstAssistant *self);
gboolean      vst_assistant_get_can_go_back    (VstAssistant *self);
gboolean      vst_assistant_get_can_go_next    (VstAssistant *self);
gboolean      vst_assistant_get_applying       (VstAssistant *self);

void          vst_assistant_next               (VstAssistant *self);
void          vst_assistant_back               (VstAssistant *self);
void          vst_assistant_go_to              (VstAssistant *self,
                                                const char   *page_id);
/* Loads the server's information again, or applies the page again. */
void          vst_assistant_retry              (VstAssistant *self);
/* Rebuilds every page but the current one, which sets its strings again. */
void          vst_assistant_locale_changed     (VstAssistant *self);

/* The ids of every page, in order, NULL-terminated. */
const char * const *vst_assistant_get_page_ids (void);

G_END_DECLS
