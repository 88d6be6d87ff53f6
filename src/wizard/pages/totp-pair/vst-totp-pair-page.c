/* vst-totp-pair-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "vst-totp-pair-page.h"

/* The largest QR code: whole pixels per module, up to this size. A phone
 * held at arm's length from a laptop screen reads 7-pixel modules of the
 * usual 37-module symbol (315 px) at once; a narrow window scales it down. */
#define QR_MAX_PIXELS 320

struct _VstTotpPairPage
{
  VstPage          parent_instance;

  GtkLabel        *instructions_label;
  GtkWidget       *loading_box;
  GtkSpinner      *spinner;
  AdwClamp        *qr_clamp;
  GtkPicture      *qr_picture;
  GtkWidget       *error_box;
  GtkLabel        *error_label;
  GtkWidget       *manual_group;
  AdwExpanderRow  *manual_row;
  AdwActionRow    *account_row;
  AdwActionRow    *key_row;

  gboolean         loading;
};

G_DEFINE_FINAL_TYPE (VstTotpPairPage, vst_totp_pair_page, VST_TYPE_PAGE)

static void start_pairing (VstTotpPairPage *self);

static void
set_state (VstTotpPairPage *self,
           gboolean         loading,
           const char      *error)
{
  self->loading = loading;
  gtk_widget_set_visible (self->loading_box, loading);
  gtk_spinner_set_spinning (self->spinner, loading);
  gtk_label_set_text (self->error_label, error != NULL ? error : "");
  gtk_widget_set_visible (self->error_box, error != NULL);
}

static void
wipe_display (VstTotpPairPage *self)
{
  gtk_picture_set_paintable (self->qr_picture, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->qr_picture), FALSE);
  adw_action_row_set_subtitle (self->key_row, "");
  gtk_widget_set_visible (self->manual_group, FALSE);
}

static void
show_pairing (VstTotpPairPage *self)
{
  VstSession *session = vst_page_get_session (VST_PAGE (self));
  const VstOtpauth *pairing = vst_session_get_pairing (session);
  g_autoptr(VstOtpKey) key = NULL;
  g_autoptr(VstQrCode) qr = NULL;
  g_autoptr(GBytes) pixels = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *grouped = NULL;
  gsize stride = 0;
  guint scale = 0;
  guint size = 0;

  if (pairing == NULL)
    return;

  /* Encode what the server sent, rebuilt from the parsed URI so that only
   * a valid one is ever shown. */
  key = vst_otpauth_to_key (pairing, &error);
  if (key != NULL)
    uri = vst_otpauth_build (pairing->issuer, pairing->account, key);
  if (uri != NULL)
    qr = vst_qr_code_new (uri, &error);
  if (uri != NULL)
    explicit_bzero (uri, strlen (uri));

  if (qr != NULL)
    {
      scale = vst_qr_code_scale_for (qr, QR_MAX_PIXELS);
      size = vst_qr_code_get_pixel_size (qr, scale);
      pixels = vst_qr_code_render (qr, scale, VST_QR_FORMAT_RGBA8, &stride, &error);
    }

  if (pixels == NULL)
    {
      set_state (self, FALSE, error != NULL ? error->message : _("The QR code cannot be shown."));
      return;
    }

  texture = gdk_memory_texture_new (size, size, GDK_MEMORY_R8G8B8A8, pixels, stride);
  gtk_picture_set_paintable (self->qr_picture, GDK_PAINTABLE (texture));
  gtk_widget_set_size_request (GTK_WIDGET (self->qr_picture), -1, -1);
  adw_clamp_set_maximum_size (self->qr_clamp, size);
  adw_clamp_set_tightening_threshold (self->qr_clamp, size);
  gtk_widget_set_visible (GTK_WIDGET (self->qr_picture), TRUE);

  adw_action_row_set_subtitle (self->account_row, pairing->account);
  grouped = vst_base32_group (pairing->secret);
  adw_action_row_set_subtitle (self->key_row, grouped);
  gtk_widget_add_css_class (GTK_WIDGET (self->key_row), "vst-key");
  explicit_bzero (grouped, strlen (grouped));
  gtk_widget_set_visible (self->manual_group, TRUE);

  set_state (self, FALSE, NULL);
  vst_page_set_complete (VST_PAGE (self), TRUE);
}

static void
start_totp_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(VstTotpPairPage) self = user_data;
  VstSession *session = vst_page_get_session (VST_PAGE (self));
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;
  VstOtpauth *otpauth = NULL;

  answer = vst_api_client_start_totp_finish (VST_API_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (answer == NULL && g_strcmp0 (vst_api_error_get_code (error), "totp_active") == 0)
    {
      /* Already on (another window, or the helpdesk): nothing to pair. */
      vst_session_set_totp_state (session, VST_TOTP_STATE_ACTIVE);
      set_state (self, FALSE, NULL);
      vst_page_set_complete (VST_PAGE (self), TRUE);
      gtk_widget_activate_action (GTK_WIDGET (self), "assistant.next", NULL);
      return;
    }

  if (answer != NULL)
    otpauth = vst_otpauth_parse (json_object_get_string_member_with_default (answer, "uri", ""),
                                 &error);

  if (otpauth == NULL)
    {
      vst_page_note_error (VST_PAGE (self), error);
      set_state (self, FALSE, error->message);
      return;
    }

  vst_session_set_pairing (session, otpauth);
  vst_session_set_totp_state (session, VST_TOTP_STATE_PENDING);
  show_pairing (self);
}

static void
start_pairing (VstTotpPairPage *self)
{
  VstSession *session = vst_page_get_session (VST_PAGE (self));

  if (self->loading)
    return;

  set_state (self, TRUE, NULL);
  vst_api_client_start_totp_async (vst_session_get_client (session),
                                   vst_page_get_cancellable (VST_PAGE (self)),
                                   start_totp_cb, g_object_ref (self));
}

static void
update_instructions (VstTotpPairPage *self)
{
  const char *text;

  switch (vst_session_get_auth_app (vst_page_get_session (VST_PAGE (self))))
    {
    case VST_AUTH_APP_MICROSOFT:
      text = _("Open Microsoft Authenticator on your phone, tap “+” (Add account), choose "
               "“Other account (Google, Facebook, etc.)” and point the camera at this QR code.");
      break;

    case VST_AUTH_APP_GOOGLE:
      text = _("Open Google Authenticator on your phone, tap “+” (Add a code), choose "
               "“Scan a QR code” and point the camera at this QR code.");
      break;

    case VST_AUTH_APP_OTHER:
    case VST_AUTH_APP_NONE:
    default:
      text = _("Open your authenticator app on your phone, add an account and scan this QR code "
               "with the camera.");
      break;
    }

  gtk_label_set_text (self->instructions_label, text);
}

static void
vst_totp_pair_page_shown (VstPage *page)
{
  VstTotpPairPage *self = VST_TOTP_PAIR_PAGE (page);

  update_instructions (self);

  if (vst_session_get_pairing (vst_page_get_session (page)) != NULL)
    show_pairing (self);
  else
    start_pairing (self);
}

static void
vst_totp_pair_page_hidden (VstPage *page)
{
  /* The key stays in the session's memory for the check on the next page;
   * it is not left on screen. */
  wipe_display (VST_TOTP_PAIR_PAGE (page));
}

static void
copy_text (VstTotpPairPage *self,
           const char      *text,
           const char      *toast)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
  vst_page_add_toast (VST_PAGE (self), toast);
}

static void
action_copy_account_cb (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  VstTotpPairPage *self = VST_TOTP_PAIR_PAGE (widget);
  const VstOtpauth *pairing = vst_session_get_pairing (vst_page_get_session (VST_PAGE (self)));

  if (pairing != NULL)
    copy_text (self, pairing->account, _("Account name copied"));
}

static void
action_copy_key_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  VstTotpPairPage *self = VST_TOTP_PAIR_PAGE (widget);
  const VstOtpauth *pairing = vst_session_get_pairing (vst_page_get_session (VST_PAGE (self)));

  if (pairing != NULL)
    copy_text (self, pairing->secret, _("Key copied, without spaces"));
}

static void
action_retry_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  start_pairing (VST_TOTP_PAIR_PAGE (widget));
}

static void
vst_totp_pair_page_dispose (GObject *object)
{
  VstTotpPairPage *self = (VstTotpPairPage *)object;

  if (self->qr_picture != NULL)
    wipe_display (self);
  gtk_widget_dispose_template (GTK_WIDGET (object), VST_TYPE_TOTP_PAIR_PAGE);

  G_OBJECT_CLASS (vst_totp_pair_page_parent_class)->dispose (object);
}

static void
vst_totp_pair_page_class_init (VstTotpPairPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  VstPageClass *page_class = VST_PAGE_CLASS (klass);

  object_class->dispose = vst_totp_pair_page_dispose;
  page_class->shown = vst_totp_pair_page_shown;
  page_class->hidden = vst_totp_pair_page_hidden;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vestibule/Vestibule/pages/totp-pair.ui");
  gtk_widget_class_bind_template_child (widget_class, VstTotpPairPage, instructions_label);
  gtk_widget_class_bind_template_child (widget_class, VstTotpPairPage, loading_box);
  gtk_widget_class_bind_template_child (widget_class, VstTotpPairPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, VstTotpPairPage, qr_clamp);
  gtk_widget_class_bind_template_child (widget_class, VstTotpPairPage, qr_picture);
  gtk_widget_class_bind_template_child (widget_class, VstTotpPairPage, error_box);
  gtk_widget_class_bind_template_child (widget_class, VstTotpPairPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, VstTotpPairPage, manual_group);
  gtk_widget_class_bind_template_child (widget_class, VstTotpPairPage, manual_row);
  gtk_widget_class_bind_template_child (widget_class, VstTotpPairPage, account_row);
  gtk_widget_class_bind_template_child (widget_class, VstTotpPairPage, key_row);

  gtk_widget_class_install_action (widget_class, "page.copy-account", NULL, action_copy_account_cb);
  gtk_widget_class_install_action (widget_class, "page.copy-key", NULL, action_copy_key_cb);
  gtk_widget_class_install_action (widget_class, "page.retry", NULL, action_retry_cb);
}

static void
vst_totp_pair_page_init (VstTotpPairPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_picture_set_content_fit (self->qr_picture, GTK_CONTENT_FIT_SCALE_DOWN);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->qr_picture),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("QR code for your account"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("Scan it with the authenticator app on your phone. It holds "
                                    "the account name and the key shown under “Can’t scan it?”."),
                                  -1);
}
