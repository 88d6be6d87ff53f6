/* vst-login-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "vst-link.h"
#include "vst-login-page.h"

struct _VstLoginPage
{
  VstPage      parent_instance;

  AdwEntryRow *login_row;
  GtkLabel    *error_label;
};

G_DEFINE_FINAL_TYPE (VstLoginPage, vst_login_page, VST_TYPE_PAGE)

static char *
dup_login (VstLoginPage *self)
{
  char *login = g_utf8_strdown (gtk_editable_get_text (GTK_EDITABLE (self->login_row)), -1);

  return g_strstrip (login);
}

static void
login_changed_cb (VstLoginPage *self)
{
  g_autofree char *login = dup_login (self);
  gboolean valid = vst_login_is_valid (login);

  vst_page_set_complete (VST_PAGE (self), valid);

  if (*login != '\0' && !valid && strchr (login, '@') != NULL)
    vst_page_show_field_error (VST_PAGE (self), GTK_WIDGET (self->login_row), self->error_label,
                               _("Type your login, not your e-mail address: you find it in the invitation e-mail."));
  else
    vst_page_show_field_error (VST_PAGE (self), GTK_WIDGET (self->login_row), self->error_label, NULL);
}

static void
vst_login_page_shown (VstPage *page)
{
  VstLoginPage *self = VST_LOGIN_PAGE (page);
  const char *login = vst_session_get_login (vst_page_get_session (page));

  if (login != NULL && *gtk_editable_get_text (GTK_EDITABLE (self->login_row)) == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->login_row), login);

  gtk_widget_grab_focus (GTK_WIDGET (self->login_row));
}

static void
request_reset_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;

  answer = vst_api_client_request_reset_finish (VST_API_CLIENT (object), result, &error);
  if (answer == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
vst_login_page_apply_async (VstPage             *page,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  VstLoginPage *self = VST_LOGIN_PAGE (page);
  VstSession *session = vst_page_get_session (page);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *login = dup_login (self);

  g_task_set_source_tag (task, vst_login_page_apply_async);

  vst_session_set_login (session, login);
  vst_api_client_request_reset_async (vst_session_get_client (session), login,
                                      cancellable, request_reset_cb, g_steal_pointer (&task));
}

static gboolean
vst_login_page_apply_finish (VstPage       *page,
                             GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
vst_login_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), VST_TYPE_LOGIN_PAGE);

  G_OBJECT_CLASS (vst_login_page_parent_class)->dispose (object);
}

static void
vst_login_page_class_init (VstLoginPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  VstPageClass *page_class = VST_PAGE_CLASS (klass);

  object_class->dispose = vst_login_page_dispose;
  page_class->shown = vst_login_page_shown;
  page_class->apply_async = vst_login_page_apply_async;
  page_class->apply_finish = vst_login_page_apply_finish;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vestibule/Vestibule/pages/login.ui");
  gtk_widget_class_bind_template_child (widget_class, VstLoginPage, login_row);
  gtk_widget_class_bind_template_child (widget_class, VstLoginPage, error_label);
}

static void
vst_login_page_init (VstLoginPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->login_row, "changed",
                           G_CALLBACK (login_changed_cb), self, G_CONNECT_SWAPPED);
}
