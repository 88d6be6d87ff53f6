/* vst-password-done-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "vst-password-done-page.h"
#include "vst-util.h"

struct _VstPasswordDonePage
{
  VstPage       parent_instance;

  AdwActionRow *valid_row;
  AdwActionRow *login_row;
  GtkLabel     *body_label;
};

G_DEFINE_FINAL_TYPE (VstPasswordDonePage, vst_password_done_page, VST_TYPE_PAGE)

static void
vst_password_done_page_shown (VstPage *page)
{
  VstPasswordDonePage *self = VST_PASSWORD_DONE_PAGE (page);
  VstSession *session = vst_page_get_session (page);
  gint64 expires_at = vst_session_get_password_expires_at (session);
  g_autofree char *date = NULL;
  g_autofree char *body = NULL;

  if (expires_at > 0)
    {
      /* Translators: %s is a date ("5 March 2027"). */
      body = g_strdup_printf (_("Your password is valid until %s. Before then, the assistant "
                                "can reset it for you at any time."),
                              (date = vst_format_date (expires_at)));
      adw_action_row_set_subtitle (self->valid_row, date);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->body_label),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, body,
                                      -1);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->valid_row), expires_at > 0);
  adw_action_row_set_subtitle (self->login_row, vst_session_get_login (session));

  if (vst_session_get_totp_state (session) == VST_TOTP_STATE_ACTIVE)
    vst_page_set_next_label (page, _("Open My Space"));
  else
    vst_page_set_next_label (page, _("Continue to Step 2"));

  gtk_label_set_text (self->body_label, body != NULL ? body : "");
}

static void
vst_password_done_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), VST_TYPE_PASSWORD_DONE_PAGE);

  G_OBJECT_CLASS (vst_password_done_page_parent_class)->dispose (object);
}

static void
vst_password_done_page_class_init (VstPasswordDonePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  VstPageClass *page_class = VST_PAGE_CLASS (klass);

  object_class->dispose = vst_password_done_page_dispose;
  page_class->shown = vst_password_done_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vestibule/Vestibule/pages/password-done.ui");
  gtk_widget_class_bind_template_child (widget_class, VstPasswordDonePage, valid_row);
  gtk_widget_class_bind_template_child (widget_class, VstPasswordDonePage, login_row);
  gtk_widget_class_bind_template_child (widget_class, VstPasswordDonePage, body_label);
}

static void
vst_password_done_page_init (VstPasswordDonePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
