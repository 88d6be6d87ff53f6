/* vst-totp-verify-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "vst-code-diagnosis.h"
#include "vst-totp-verify-page.h"
#include "vst-util.h"

struct _VstTotpVerifyPage
{
  VstPage      parent_instance;

  GtkLabel    *intro_label;
  AdwEntryRow *code_row;
  GtkLabel    *error_label;
  GtkLabel    *countdown_label;

  gint64       locked_until;
  guint        countdown_id;
};

G_DEFINE_FINAL_TYPE (VstTotpVerifyPage, vst_totp_verify_page, VST_TYPE_PAGE)

static char *
dup_code (VstTotpVerifyPage *self)
{
  g_autoptr(GString) code = g_string_new (NULL);

  for (const char *p = gtk_editable_get_text (GTK_EDITABLE (self->code_row)); *p != '\0'; p++)
    {
      if (!g_ascii_isspace (*p))
        g_string_append_c (code, *p);
    }

  return g_string_free (g_steal_pointer (&code), FALSE);
}

static gboolean
is_locked (VstTotpVerifyPage *self)
{
  return self->locked_until > g_get_monotonic_time () / G_USEC_PER_SEC;
}

static void
update_complete (VstTotpVerifyPage *self)
{
  g_autofree char *code = dup_code (self);

  vst_page_set_complete (VST_PAGE (self), *code != '\0' && !is_locked (self));
}

static void
code_changed_cb (VstTotpVerifyPage *self)
{
  vst_page_show_field_error (VST_PAGE (self), GTK_WIDGET (self->code_row), self->error_label, NULL);
  update_complete (self);
}

static gboolean
countdown_cb (gpointer user_data)
{
  VstTotpVerifyPage *self = user_data;
  gint64 left = self->locked_until - g_get_monotonic_time () / G_USEC_PER_SEC;
  g_autofree char *duration = NULL;
  g_autofree char *text = NULL;

  if (left <= 0)
    {
      self->countdown_id = 0;
      gtk_widget_set_visible (GTK_WIDGET (self->countdown_label), FALSE);
      vst_page_show_field_error (VST_PAGE (self), GTK_WIDGET (self->code_row), self->error_label, NULL);
      update_complete (self);
      return G_SOURCE_REMOVE;
    }

  duration = vst_format_countdown (left);
  /* Translators: %s is a countdown ("45 s"). */
  text = g_strdup_printf (_("You can try again in %s."), duration);
  gtk_label_set_text (self->countdown_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->countdown_label), TRUE);

  return G_SOURCE_CONTINUE;
}

static void
start_countdown (VstTotpVerifyPage *self,
                 gint64             seconds)
{
  self->locked_until = g_get_monotonic_time () / G_USEC_PER_SEC + MAX (seconds, 1);
  g_clear_handle_id (&self->countdown_id, g_source_remove);
  self->countdown_id = g_timeout_add_seconds (1, countdown_cb, self);
  countdown_cb (self);
  update_complete (self);
}

static char *
describe_skew (gint64 skew_seconds)
{
  gint64 minutes = (ABS (skew_seconds) + 59) / 60;

  if (skew_seconds > 0)
    return g_strdup_printf (ngettext (
                                         "This code was right, but for a time about %d minute "
                                         "from now: your phone’s clock is ahead.",
                                         "This code was right, but for a time about %d minutes "
                                         "from now: your phone’s clock is ahead.",
                                         minutes),
                            (int) minutes);

  return g_strdup_printf (ngettext (
                                       "This code was right about %d minute ago: your phone’s "
                                       "clock is behind.",
                                       "This code was right about %d minutes ago: your phone’s "
                                       "clock is behind.",
                                       minutes),
                          (int) minutes);
}

static void
activate_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VstTotpVerifyPage *self = g_task_get_source_object (task);
  VstSession *session = vst_page_get_session (VST_PAGE (self));
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;
  const char *code;
  const char *reason;
  const char *message;

  answer = vst_api_client_activate_totp_finish (VST_API_CLIENT (object), result, &error);
  if (answer != NULL)
    {
      vst_session_set_totp_state (session, VST_TOTP_STATE_ACTIVE);
      gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (!g_error_matches (error, VST_API_ERROR, VST_API_ERROR_REJECTED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  vst_page_note_error (VST_PAGE (self), error);
  code = vst_api_error_get_code (error);
  reason = vst_api_error_get_reason (error);
  message = error->message;

  if (g_strcmp0 (code, "totp_not_pending") == 0)
    {
      /* Nothing to activate: it is already on, or the pairing was reset. */
      vst_session_set_pairing (session, NULL);
    }
  else if (g_strcmp0 (reason, "replayed") == 0)
    message = _("This code was already used. Wait until the app shows a new code, then type it.");

  vst_page_show_field_error (VST_PAGE (self), GTK_WIDGET (self->code_row), self->error_label, message);

  if (g_strcmp0 (code, "locked") == 0 || g_strcmp0 (code, "throttled") == 0)
    start_countdown (self, vst_api_error_get_retry_after (error));

  g_task_return_new_error (task, VST_PAGE_ERROR, VST_PAGE_ERROR_HANDLED, "%s", code);
}

static void
vst_totp_verify_page_apply_async (VstPage             *page,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  VstTotpVerifyPage *self = VST_TOTP_VERIFY_PAGE (page);
  VstSession *session = vst_page_get_session (page);
  const VstOtpauth *pairing = vst_session_get_pairing (session);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(VstOtpKey) key = NULL;
  g_autofree char *code = dup_code (self);
  g_autofree char *message = NULL;
  gint64 skew = 0;

  g_task_set_source_tag (task, vst_totp_verify_page_apply_async);

  if (pairing != NULL)
    key = vst_otpauth_to_key (pairing, NULL);

  /* Judge the code here first, by the server's clock: a typo or a phone
   * with the wrong time is named as such, and does not count as a failure
   * on the server. */
  switch (key != NULL ? vst_code_diagnose (key, code, vst_session_get_server_now (session), &skew)
                      : VST_CODE_OK)
    {
    case VST_CODE_OK:
      vst_api_client_activate_totp_async (vst_session_get_client (session), code,
                                          vst_session_get_pairing_password (session),
                                          cancellable, activate_cb, g_steal_pointer (&task));
      return;

    case VST_CODE_TYPO:
      vst_session_set_last_error (session, "code_typo");
      message = g_strdup_printf (_("A code has exactly %u digits, and nothing else. Check what you "
                                   "typed."),
                                 vst_otp_key_get_digits (key));
      break;

    case VST_CODE_CLOCK_SKEW:
      {
        g_autofree char *skew_text = describe_skew (skew);

        vst_session_set_last_error (session, "code_clock_skew");
        message = g_strdup_printf ("%s %s", skew_text,
                                   _("In your phone’s settings, under Date and time, turn on "
                                     "“Set automatically” (iPhone) or “Automatic date and time” "
                                     "(Android), then type the new code."));
      }
      break;

    case VST_CODE_WRONG:
    default:
      vst_session_set_last_error (session, "code_wrong");
      message = g_strdup (_("This code is not the right one. In the app, look for the account "
                            "you have just added and type the code shown under it now."));
      break;
    }

  vst_page_show_field_error (page, GTK_WIDGET (self->code_row), self->error_label, message);
  gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
  g_task_return_new_error (task, VST_PAGE_ERROR, VST_PAGE_ERROR_HANDLED, "%s", message);
}

static gboolean
vst_totp_verify_page_apply_finish (VstPage       *page,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
vst_totp_verify_page_shown (VstPage *page)
{
  VstTotpVerifyPage *self = VST_TOTP_VERIFY_PAGE (page);
  const VstOtpauth *pairing = vst_session_get_pairing (vst_page_get_session (page));
  g_autofree char *intro = NULL;

  if (pairing != NULL)
    /* Translators: %s is the issuer and the account, as the app shows them. */
    intro = g_strdup_printf (_("The app now shows a 6-digit code under “%s”. Type it here."),
                             pairing->issuer != NULL ? pairing->issuer : pairing->account);
  else
    intro = g_strdup (_("The app now shows a 6-digit code for your account. Type it here."));

  gtk_label_set_text (self->intro_label, intro);
  gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
}

static void
vst_totp_verify_page_dispose (GObject *object)
{
  VstTotpVerifyPage *self = (VstTotpVerifyPage *)object;

  g_clear_handle_id (&self->countdown_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (object), VST_TYPE_TOTP_VERIFY_PAGE);

  G_OBJECT_CLASS (vst_totp_verify_page_parent_class)->dispose (object);
}

static void
vst_totp_verify_page_class_init (VstTotpVerifyPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  VstPageClass *page_class = VST_PAGE_CLASS (klass);

  object_class->dispose = vst_totp_verify_page_dispose;
  page_class->shown = vst_totp_verify_page_shown;
  page_class->apply_async = vst_totp_verify_page_apply_async;
  page_class->apply_finish = vst_totp_verify_page_apply_finish;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vestibule/Vestibule/pages/totp-verify.ui");
  gtk_widget_class_bind_template_child (widget_class, VstTotpVerifyPage, intro_label);
  gtk_widget_class_bind_template_child (widget_class, VstTotpVerifyPage, code_row);
  gtk_widget_class_bind_template_child (widget_class, VstTotpVerifyPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, VstTotpVerifyPage, countdown_label);
}

static void
vst_totp_verify_page_init (VstTotpVerifyPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->code_row, "changed",
                           G_CALLBACK (code_changed_cb), self, G_CONNECT_SWAPPED);
}
