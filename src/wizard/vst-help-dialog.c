/* vst-help-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "vst-help-dialog.h"
#include "vst-support.h"
#include "vst-util.h"

struct _VstHelpDialog
{
  AdwWindow         parent_instance;

  GtkLabel         *summary_label;
  char             *summary;
};

G_DEFINE_FINAL_TYPE (VstHelpDialog, vst_help_dialog, ADW_TYPE_WINDOW)

/* Copies the summary, confirms it in the main window (where the person goes
 * back to) and closes, as a dialog's main response would. */
static void
copy_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  VstHelpDialog *self = VST_HELP_DIALOG (widget);
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  GtkWidget *overlay = NULL;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), self->summary);

  if (ADW_IS_APPLICATION_WINDOW (parent))
    overlay = adw_application_window_get_content (ADW_APPLICATION_WINDOW (parent));
  if (ADW_IS_TOAST_OVERLAY (overlay))
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay),
                                 adw_toast_new (_("Summary copied: paste it into your message to the helpdesk")));

  gtk_window_close (GTK_WINDOW (self));
}

static void
vst_help_dialog_finalize (GObject *object)
{
  VstHelpDialog *self = (VstHelpDialog *)object;

  g_clear_pointer (&self->summary, g_free);

  G_OBJECT_CLASS (vst_help_dialog_parent_class)->finalize (object);
}

static void
vst_help_dialog_class_init (VstHelpDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  vst_ensure_resources ();

  object_class->finalize = vst_help_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vestibule/Vestibule/vst-help-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, VstHelpDialog, summary_label);

  gtk_widget_class_install_action (widget_class, "help.copy", NULL, copy_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
vst_help_dialog_init (VstHelpDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

VstHelpDialog *
vst_help_dialog_new (GtkWindow  *parent,
                     VstSession *session,
                     guint       step,
                     const char *page_id)
{
  VstHelpDialog *self;

  g_return_val_if_fail (VST_IS_SESSION (session), NULL);

  self = g_object_new (VST_TYPE_HELP_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->summary = vst_support_summary_build (session, step, page_id);
  gtk_label_set_text (self->summary_label, self->summary);

  return self;
}

const char *
vst_help_dialog_get_summary (VstHelpDialog *self)
{
  g_return_val_if_fail (VST_IS_HELP_DIALOG (self), NULL);

  return self->summary;
}
