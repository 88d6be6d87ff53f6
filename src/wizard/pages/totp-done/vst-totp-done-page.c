/* vst-totp-done-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "vst-totp-done-page.h"

struct _VstTotpDonePage
{
  VstPage parent_instance;
};

G_DEFINE_FINAL_TYPE (VstTotpDonePage, vst_totp_done_page, VST_TYPE_PAGE)

static void
vst_totp_done_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), VST_TYPE_TOTP_DONE_PAGE);

  G_OBJECT_CLASS (vst_totp_done_page_parent_class)->dispose (object);
}

static void
vst_totp_done_page_class_init (VstTotpDonePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vst_totp_done_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vestibule/Vestibule/pages/totp-done.ui");
}

static void
vst_totp_done_page_init (VstTotpDonePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
