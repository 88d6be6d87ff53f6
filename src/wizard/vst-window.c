/* vst-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "vst-help-dialog.h"
#include "vst-util.h"
#include "vst-window.h"

struct _VstWindow
{
  AdwApplicationWindow  parent_instance;

  VstSession           *session;

  AdwToastOverlay      *toast_overlay;
  GtkLabel             *step_label;
  GtkWidget            *step_box;
  GtkWidget            *step_dot_1;
  GtkWidget            *step_dot_2;
  GtkWidget            *step_dot_3;
  GtkButton            *help_button;
  AdwButtonContent     *help_content;
  GtkRevealer          *banner_revealer;
  GtkLabel             *banner_label;
  GtkButton            *retry_button;
  GtkButton            *banner_close_button;
  VstAssistant         *assistant;
  GtkButton            *back_button;
  AdwButtonContent     *back_content;
  GtkButton            *next_button;
  GtkSpinner           *next_spinner;
  GtkLabel             *next_label;
};

G_DEFINE_FINAL_TYPE (VstWindow, vst_window, ADW_TYPE_APPLICATION_WINDOW)

static void
set_accessible_label (gpointer    widget,
                      const char *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

/* Every string the window sets from code, again after a language change. */
static void
update_strings (VstWindow *self)
{
  gtk_window_set_title (GTK_WINDOW (self), _("Access your collaborative space"));

  adw_button_content_set_label (self->help_content, _("Need help?"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->help_button),
                               _("Show a summary to send to your helpdesk"));

  adw_button_content_set_label (self->back_content, C_("navigation", "Back"));

  gtk_button_set_label (self->retry_button, _("Retry"));
  set_accessible_label (self->retry_button, _("Retry"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->banner_close_button), _("Dismiss"));
  set_accessible_label (self->banner_close_button, _("Dismiss this message"));
}

static void
update_step_dot (GtkWidget *dot,
                 guint      dot_step,
                 guint      step)
{
  if (dot_step < step)
    gtk_widget_add_css_class (dot, "done");
  else
    gtk_widget_remove_css_class (dot, "done");

  if (dot_step == step)
    gtk_widget_add_css_class (dot, "current");
  else
    gtk_widget_remove_css_class (dot, "current");
}

static void
assistant_changed_cb (VstWindow    *self,
                      VstAssistant *assistant)
{
  VstPage *page = vst_assistant_get_current_page (assistant);
  guint step = vst_assistant_get_step (assistant);
  gboolean applying = vst_assistant_get_applying (assistant);
  const char *next_label = page != NULL ? vst_page_get_next_label (page) : NULL;
  g_autofree char *step_text = NULL;

  if (step == 0)
    step_text = g_strdup (_("Three steps"));
  else
    /* Translators: the progress indicator: "Step 2 of 3". */
    step_text = g_strdup_printf (_("Step %u of 3"), step);

  gtk_label_set_text (self->step_label, step_text);
  set_accessible_label (self->step_box, step_text);
  update_step_dot (self->step_dot_1, 1, step);
  update_step_dot (self->step_dot_2, 2, step);
  update_step_dot (self->step_dot_3, 3, step);

  if (next_label == NULL)
    next_label = C_("navigation", "Next");
  gtk_label_set_text (self->next_label, next_label);
  set_accessible_label (self->next_button, next_label);

  gtk_widget_set_visible (GTK_WIDGET (self->next_spinner), applying);
  gtk_spinner_set_spinning (self->next_spinner, applying);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->next_button),
                               GTK_ACCESSIBLE_STATE_BUSY, applying,
                               -1);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.next",
                                 vst_assistant_get_can_go_next (assistant));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back",
                                 vst_assistant_get_can_go_back (assistant));
  gtk_widget_set_visible (GTK_WIDGET (self->back_button),
                          vst_assistant_get_can_go_back (assistant) || applying);

  /* Whatever failed before is stale once the person moves on. */
  if (applying)
    gtk_revealer_set_reveal_child (self->banner_revealer, FALSE);
}

/* GTK 4.8 leaves a closed revealer's child in the accessibility tree: a
 * screen reader would read an old error and offer a Retry that is not on
 * screen. */
static void
banner_revealed_cb (VstWindow *self)
{
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->banner_revealer),
                               GTK_ACCESSIBLE_STATE_HIDDEN,
                               !gtk_revealer_get_reveal_child (self->banner_revealer),
                               -1);
}

static void
assistant_error_cb (VstWindow    *self,
                    const GError *error,
                    VstAssistant *assistant)
{
  gtk_label_set_text (self->banner_label, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), vst_api_error_is_transport (error));
  gtk_revealer_set_reveal_child (self->banner_revealer, TRUE);
}

static void
assistant_finished_cb (VstWindow    *self,
                       VstAssistant *assistant)
{
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
action_next_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  vst_assistant_next (VST_WINDOW (widget)->assistant);
}

static void
action_back_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  VstWindow *self = VST_WINDOW (widget);

  gtk_revealer_set_reveal_child (self->banner_revealer, FALSE);
  vst_assistant_back (self->assistant);
}

static void
action_retry_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  VstWindow *self = VST_WINDOW (widget);

  gtk_revealer_set_reveal_child (self->banner_revealer, FALSE);
  vst_assistant_retry (self->assistant);
}

static void
action_dismiss_error_cb (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  gtk_revealer_set_reveal_child (VST_WINDOW (widget)->banner_revealer, FALSE);
}

static void
action_help_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  VstWindow *self = VST_WINDOW (widget);
  VstHelpDialog *dialog;

  dialog = vst_help_dialog_new (GTK_WINDOW (self),
                                self->session,
                                vst_assistant_get_step (self->assistant),
                                vst_assistant_get_current_id (self->assistant));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
action_language_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  vst_window_set_language (VST_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
initial_focus_cb (VstWindow *self)
{
  GtkWidget *focus;

  if (!gtk_window_is_active (GTK_WINDOW (self)))
    return;

  g_signal_handlers_disconnect_by_func (self, initial_focus_cb, NULL);

  /* Otherwise GTK focuses the first button, "Need help?", and Enter would
   * open help instead of going on. */
  focus = gtk_window_get_focus (GTK_WINDOW (self));
  if (focus == NULL || gtk_widget_is_ancestor (focus, GTK_WIDGET (self->help_button)) ||
      focus == GTK_WIDGET (self->help_button))
    gtk_widget_grab_focus (GTK_WIDGET (self->next_button));
}

static void
vst_window_dispose (GObject *object)
{
  VstWindow *self = VST_WINDOW (object);

  /* The assistant still says "changed" while its pages go away, when the
   * labels and buttons that the handlers update are already gone. */
  if (self->assistant != NULL)
    g_signal_handlers_disconnect_by_data (self->assistant, self);
  if (self->banner_revealer != NULL)
    g_signal_handlers_disconnect_by_data (self->banner_revealer, self);

  gtk_widget_dispose_template (GTK_WIDGET (object), VST_TYPE_WINDOW);

  G_OBJECT_CLASS (vst_window_parent_class)->dispose (object);
}

static void
vst_window_finalize (GObject *object)
{
  VstWindow *self = (VstWindow *)object;

  g_clear_object (&self->session);

  G_OBJECT_CLASS (vst_window_parent_class)->finalize (object);
}

static void
vst_window_class_init (VstWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  vst_ensure_resources ();
  g_type_ensure (VST_TYPE_ASSISTANT);

  object_class->dispose = vst_window_dispose;
  object_class->finalize = vst_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vestibule/Vestibule/vst-window.ui");
  gtk_widget_class_bind_template_child (widget_class, VstWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, VstWindow, step_label);
  gtk_widget_class_bind_template_child (widget_class, VstWindow, step_box);
  gtk_widget_class_bind_template_child (widget_class, VstWindow, step_dot_1);
  gtk_widget_class_bind_template_child (widget_class, VstWindow, step_dot_2);
  gtk_widget_class_bind_template_child (widget_class, VstWindow, step_dot_3);
  gtk_widget_class_bind_template_child (widget_class, VstWindow, help_button);
  gtk_widget_class_bind_template_child (widget_class, VstWindow, help_content);
  gtk_widget_class_bind_template_child (widget_class, VstWindow, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, VstWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, VstWindow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, VstWindow, banner_close_button);
  gtk_widget_class_bind_template_child (widget_class, VstWindow, assistant);
  gtk_widget_class_bind_template_child (widget_class, VstWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, VstWindow, back_content);
  gtk_widget_class_bind_template_child (widget_class, VstWindow, next_button);
  gtk_widget_class_bind_template_child (widget_class, VstWindow, next_spinner);
  gtk_widget_class_bind_template_child (widget_class, VstWindow, next_label);

  gtk_widget_class_install_action (widget_class, "win.next", NULL, action_next_cb);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, action_back_cb);
  gtk_widget_class_install_action (widget_class, "win.retry", NULL, action_retry_cb);
  gtk_widget_class_install_action (widget_class, "win.dismiss-error", NULL, action_dismiss_error_cb);
  gtk_widget_class_install_action (widget_class, "win.help", NULL, action_help_cb);
  gtk_widget_class_install_action (widget_class, "win.language", "s", action_language_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F1, 0, "win.help", NULL);
}

static void
vst_window_init (VstWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->next_button));
  gtk_widget_set_name (GTK_WIDGET (self->next_button), "next");
  gtk_widget_set_name (GTK_WIDGET (self->back_button), "back");
  gtk_widget_set_name (GTK_WIDGET (self->help_button), "help");
  gtk_widget_set_name (GTK_WIDGET (self->retry_button), "retry");

  g_signal_connect_object (self->assistant, "changed",
                           G_CALLBACK (assistant_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->assistant, "error",
                           G_CALLBACK (assistant_error_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->assistant, "finished",
                           G_CALLBACK (assistant_finished_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect (self, "notify::is-active", G_CALLBACK (initial_focus_cb), NULL);
  g_signal_connect_object (self->banner_revealer, "notify::reveal-child",
                           G_CALLBACK (banner_revealed_cb), self, G_CONNECT_SWAPPED);
  banner_revealed_cb (self);

  update_strings (self);
}

VstWindow *
vst_window_new (AdwApplication *application,
                VstSession     *session,
                const char     *page_id)
{
  VstWindow *self;

  g_return_val_if_fail (ADW_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (VST_IS_SESSION (session), NULL);

  self = g_object_new (VST_TYPE_WINDOW, "application", application, NULL);
  self->session = g_object_ref (session);
  vst_assistant_start (self->assistant, session, page_id);

  return self;
}

VstAssistant *
vst_window_get_assistant (VstWindow *self)
{
  g_return_val_if_fail (VST_IS_WINDOW (self), NULL);

  return self->assistant;
}

void
vst_window_set_language (VstWindow  *self,
                         const char *language)
{
  g_return_if_fail (VST_IS_WINDOW (self));

  if (g_strcmp0 (language, vst_language_get ()) == 0)
    return;

  vst_language_set (language);
  gtk_revealer_set_reveal_child (self->banner_revealer, FALSE);
  update_strings (self);
  vst_assistant_locale_changed (self->assistant);
}
