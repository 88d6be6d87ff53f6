/* vst-totp-app-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "vst-totp-app-page.h"

struct _VstTotpAppPage
{
  VstPage         parent_instance;

  GtkCheckButton *microsoft_check;
  GtkCheckButton *google_check;
  GtkCheckButton *other_check;
};

G_DEFINE_FINAL_TYPE (VstTotpAppPage, vst_totp_app_page, VST_TYPE_PAGE)

static VstAuthApp
get_choice (VstTotpAppPage *self)
{
  if (gtk_check_button_get_active (self->microsoft_check))
    return VST_AUTH_APP_MICROSOFT;
  if (gtk_check_button_get_active (self->google_check))
    return VST_AUTH_APP_GOOGLE;
  if (gtk_check_button_get_active (self->other_check))
    return VST_AUTH_APP_OTHER;
  return VST_AUTH_APP_NONE;
}

static void
toggled_cb (VstTotpAppPage *self)
{
  VstAuthApp app = get_choice (self);

  vst_session_set_auth_app (vst_page_get_session (VST_PAGE (self)), app);
  vst_page_set_complete (VST_PAGE (self), app != VST_AUTH_APP_NONE);
}

static void
vst_totp_app_page_shown (VstPage *page)
{
  VstTotpAppPage *self = VST_TOTP_APP_PAGE (page);

  switch (vst_session_get_auth_app (vst_page_get_session (page)))
    {
    case VST_AUTH_APP_MICROSOFT:
      gtk_check_button_set_active (self->microsoft_check, TRUE);
      break;
    case VST_AUTH_APP_GOOGLE:
      gtk_check_button_set_active (self->google_check, TRUE);
      break;
    case VST_AUTH_APP_OTHER:
      gtk_check_button_set_active (self->other_check, TRUE);
      break;
    case VST_AUTH_APP_NONE:
    default:
      break;
    }

  gtk_widget_grab_focus (GTK_WIDGET (self->microsoft_check));
}

static void
vst_totp_app_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), VST_TYPE_TOTP_APP_PAGE);

  G_OBJECT_CLASS (vst_totp_app_page_parent_class)->dispose (object);
}

static void
vst_totp_app_page_class_init (VstTotpAppPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  VstPageClass *page_class = VST_PAGE_CLASS (klass);

  object_class->dispose = vst_totp_app_page_dispose;
  page_class->shown = vst_totp_app_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vestibule/Vestibule/pages/totp-app.ui");
  gtk_widget_class_bind_template_child (widget_class, VstTotpAppPage, microsoft_check);
  gtk_widget_class_bind_template_child (widget_class, VstTotpAppPage, google_check);
  gtk_widget_class_bind_template_child (widget_class, VstTotpAppPage, other_check);
}

static void
vst_totp_app_page_init (VstTotpAppPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->microsoft_check, "toggled",
                           G_CALLBACK (toggled_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->google_check, "toggled",
                           G_CALLBACK (toggled_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->other_check, "toggled",
                           G_CALLBACK (toggled_cb), self, G_CONNECT_SWAPPED);
}
