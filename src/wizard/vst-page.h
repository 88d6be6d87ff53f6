/* vst-page.h: the abstract page of the wizard.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "vst-session.h"

G_BEGIN_DECLS

#define VST_PAGE_ERROR (vst_page_error_quark ())

/**
 * VstPageError:
 * @VST_PAGE_ERROR_HANDLED: the page already shows what went wrong, beside
 *   the field concerned; the assistant shows nothing more.
 */
typedef enum {
  VST_PAGE_ERROR_HANDLED,
} VstPageError;

GQuark vst_page_error_quark (void);

#define VST_TYPE_PAGE (vst_page_get_type ())

G_DECLARE_DERIVABLE_TYPE (VstPage, vst_page, VST, PAGE, AdwBin)

/**
 * VstPageClass:
 * @shown: the page becomes the current one.
 * @hidden: the page stops being the current one: wipe what is secret.
 * @apply_async: the person asked to go on; do what the page is for.
 * @apply_finish: whether the assistant may go on.
 * @locale_changed: the user interface language changed: set every string
 *   that is set from code again.
 */
struct _VstPageClass
{
  AdwBinClass parent_class;

  void     (*shown)          (VstPage              *self);
  void     (*hidden)         (VstPage              *self);
  void     (*apply_async)    (VstPage              *self,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data);
  gboolean (*apply_finish)   (VstPage              *self,
                              GAsyncResult         *result,
                              GError              **error);
  void     (*locale_changed) (VstPage              *self);

  gpointer padding[8];
};

VstSession   *vst_page_get_session      (VstPage      *self);
GCancellable *vst_page_get_cancellable  (VstPage      *self);

const char   *vst_page_get_title        (VstPage      *self);
void          vst_page_set_title        (VstPage      *self,
                                         const char   *title);
gboolean      vst_page_get_complete     (VstPage      *self);
void          vst_page_set_complete     (VstPage      *self,
                                         gboolean      complete);
gboolean      vst_page_get_applying     (VstPage      *self);
void          vst_page_set_applying     (VstPage      *self,
                                         gboolean      applying);
const char   *vst_page_get_next_label   (VstPage      *self);
void          vst_page_set_next_label   (VstPage      *self,
                                         const char   *next_label);

void          vst_page_shown            (VstPage      *self);
void          vst_page_hidden           (VstPage      *self);
void          vst_page_apply_async      (VstPage              *self,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean      vst_page_apply_finish     (VstPage              *self,
                                         GAsyncResult         *result,
                                         GError              **error);
void          vst_page_locale_changed   (VstPage      *self);

/* Helpers for pages. */
void          vst_page_go_to            (VstPage      *self,
                                         const char   *page_id);
void          vst_page_add_toast        (VstPage      *self,
                                         const char   *text);
/* Records @error's code for the support summary. */
void          vst_page_note_error       (VstPage      *self,
                                         const GError *error);
/* Shows @message in @label (hidden when NULL) and marks @field invalid. */
void          vst_page_show_field_error (VstPage      *self,
                                         GtkWidget    *field,
                                         GtkLabel     *label,
                                         const char   *message);

G_END_DECLS
