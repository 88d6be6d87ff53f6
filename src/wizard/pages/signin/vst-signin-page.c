/* vst-signin-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "vst-link.h"
#include "vst-signin-page.h"

struct _VstSigninPage
{
  VstPage              parent_instance;

  AdwEntryRow         *login_row;
  AdwPasswordEntryRow *password_row;
  GtkLabel            *error_label;
};

G_DEFINE_FINAL_TYPE (VstSigninPage, vst_signin_page, VST_TYPE_PAGE)

static char *
dup_login (VstSigninPage *self)
{
  char *login = g_utf8_strdown (gtk_editable_get_text (GTK_EDITABLE (self->login_row)), -1);

  return g_strstrip (login);
}

static void
changed_cb (VstSigninPage *self)
{
  g_autofree char *login = dup_login (self);

  vst_page_show_field_error (VST_PAGE (self), GTK_WIDGET (self->password_row), self->error_label, NULL);
  vst_page_set_complete (VST_PAGE (self),
                         vst_login_is_valid (login) &&
                         *gtk_editable_get_text (GTK_EDITABLE (self->password_row)) != '\0');
}

static void
action_forgot_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  VstSigninPage *self = VST_SIGNIN_PAGE (widget);
  g_autofree char *login = dup_login (self);

  if (vst_login_is_valid (login))
    vst_session_set_login (vst_page_get_session (VST_PAGE (self)), login);
  vst_page_go_to (VST_PAGE (self), "login");
}

static void
vst_signin_page_shown (VstPage *page)
{
  VstSigninPage *self = VST_SIGNIN_PAGE (page);
  const char *login = vst_session_get_login (vst_page_get_session (page));

  if (login != NULL && *gtk_editable_get_text (GTK_EDITABLE (self->login_row)) == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->login_row), login);

  if (login != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->login_row));
}

static void
vst_signin_page_hidden (VstPage *page)
{
  VstSigninPage *self = VST_SIGNIN_PAGE (page);

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
}

static void
account_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VstSigninPage *self = g_task_get_source_object (task);
  g_autoptr(JsonObject) account = NULL;
  g_autoptr(GError) error = NULL;

  account = vst_api_client_get_account_finish (VST_API_CLIENT (object), result, &error);
  if (account == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  vst_session_load_account (vst_page_get_session (VST_PAGE (self)), account);
  g_task_return_boolean (task, TRUE);
}

static void
sign_in_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VstSigninPage *self = g_task_get_source_object (task);
  VstSession *session = vst_page_get_session (VST_PAGE (self));
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;

  answer = vst_api_client_sign_in_finish (VST_API_CLIENT (object), result, &error);
  if (answer == NULL)
    {
      if (!g_error_matches (error, VST_API_ERROR, VST_API_ERROR_REJECTED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      vst_page_note_error (VST_PAGE (self), error);
      vst_page_show_field_error (VST_PAGE (self), GTK_WIDGET (self->password_row),
                                 self->error_label, error->message);
      g_task_return_new_error (task, VST_PAGE_ERROR, VST_PAGE_ERROR_HANDLED,
                               "%s", vst_api_error_get_code (error));
      return;
    }

  vst_session_load_sign_in (session, answer,
                            gtk_editable_get_text (GTK_EDITABLE (self->password_row)));

  if (json_object_get_boolean_member_with_default (answer, "password_expired", FALSE))
    {
      vst_session_set_last_error (session, "password_expired");
      vst_page_show_field_error (VST_PAGE (self), GTK_WIDGET (self->password_row), self->error_label,
                                 _("Your password has expired. Choose “Forgotten your password” "
                                   "below to get a link and set a new one."));
      g_task_return_new_error (task, VST_PAGE_ERROR, VST_PAGE_ERROR_HANDLED, "password_expired");
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  vst_api_client_get_account_async (vst_session_get_client (session),
                                    g_task_get_cancellable (task),
                                    account_cb, g_steal_pointer (&task));
}

static void
vst_signin_page_apply_async (VstPage             *page,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  VstSigninPage *self = VST_SIGNIN_PAGE (page);
  VstSession *session = vst_page_get_session (page);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *login = dup_login (self);

  g_task_set_source_tag (task, vst_signin_page_apply_async);

  vst_session_set_login (session, login);
  vst_api_client_sign_in_async (vst_session_get_client (session), login,
                                gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                                cancellable, sign_in_cb, g_steal_pointer (&task));
}

static gboolean
vst_signin_page_apply_finish (VstPage       *page,
                              GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
vst_signin_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), VST_TYPE_SIGNIN_PAGE);

  G_OBJECT_CLASS (vst_signin_page_parent_class)->dispose (object);
}

static void
vst_signin_page_class_init (VstSigninPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  VstPageClass *page_class = VST_PAGE_CLASS (klass);

  object_class->dispose = vst_signin_page_dispose;
  page_class->shown = vst_signin_page_shown;
  page_class->hidden = vst_signin_page_hidden;
  page_class->apply_async = vst_signin_page_apply_async;
  page_class->apply_finish = vst_signin_page_apply_finish;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vestibule/Vestibule/pages/signin.ui");
  gtk_widget_class_bind_template_child (widget_class, VstSigninPage, login_row);
  gtk_widget_class_bind_template_child (widget_class, VstSigninPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, VstSigninPage, error_label);

  gtk_widget_class_install_action (widget_class, "page.forgot", NULL, action_forgot_cb);
}

static void
vst_signin_page_init (VstSigninPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->login_row, "changed",
                           G_CALLBACK (changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->password_row, "changed",
                           G_CALLBACK (changed_cb), self, G_CONNECT_SWAPPED);
}
