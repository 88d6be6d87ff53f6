/* vst-space-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "vst-space-page.h"

struct _VstSpacePage
{
  VstPage       parent_instance;

  GtkWidget    *loading_box;
  GtkSpinner   *spinner;
  GtkWidget    *error_box;
  GtkLabel     *error_label;
  GtkWidget    *space_group;
  AdwActionRow *name_row;
  AdwActionRow *url_row;
  GtkWidget    *open_button;

  gboolean      loading;
};

G_DEFINE_FINAL_TYPE (VstSpacePage, vst_space_page, VST_TYPE_PAGE)

static void
set_state (VstSpacePage *self,
           gboolean      loading,
           const char   *error)
{
  self->loading = loading;
  gtk_widget_set_visible (self->loading_box, loading);
  gtk_spinner_set_spinning (self->spinner, loading);
  gtk_label_set_text (self->error_label, error != NULL ? error : "");
  gtk_widget_set_visible (self->error_box, error != NULL);
}

static void
show_space (VstSpacePage *self)
{
  VstSession *session = vst_page_get_session (VST_PAGE (self));
  const char *name = vst_session_get_space_name (session);
  const char *url = vst_session_get_space_url (session);

  set_state (self, FALSE, NULL);

  if (url == NULL)
    {
      set_state (self, FALSE,
                 _("No collaborative space is linked to your account yet. Your helpdesk will "
                   "send you its address."));
      vst_page_set_complete (VST_PAGE (self), TRUE);
      return;
    }

  adw_action_row_set_subtitle (self->name_row, name != NULL ? name : "");
  gtk_widget_set_visible (GTK_WIDGET (self->name_row), name != NULL);
  adw_action_row_set_subtitle (self->url_row, url);
  gtk_widget_set_visible (self->space_group, TRUE);
  gtk_widget_set_visible (self->open_button, TRUE);
  vst_page_set_complete (VST_PAGE (self), TRUE);
}

static void
account_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(VstSpacePage) self = user_data;
  g_autoptr(JsonObject) account = NULL;
  g_autoptr(GError) error = NULL;

  account = vst_api_client_get_account_finish (VST_API_CLIENT (object), result, &error);
  if (account == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      vst_page_note_error (VST_PAGE (self), error);
      set_state (self, FALSE, error->message);
      return;
    }

  vst_session_load_account (vst_page_get_session (VST_PAGE (self)), account);
  show_space (self);
}

static void
load_account (VstSpacePage *self)
{
  VstSession *session = vst_page_get_session (VST_PAGE (self));

  if (self->loading)
    return;

  set_state (self, TRUE, NULL);
  vst_api_client_get_account_async (vst_session_get_client (session),
                                    vst_page_get_cancellable (VST_PAGE (self)),
                                    account_cb, g_object_ref (self));
}

static void
vst_space_page_shown (VstPage *page)
{
  VstSpacePage *self = VST_SPACE_PAGE (page);
  VstSession *session = vst_page_get_session (page);

  if (vst_session_has_account (session))
    show_space (self);
  else if (vst_session_is_signed_in (session))
    load_account (self);
  else
    {
      set_state (self, FALSE, _("Sign in again to see the address of your space."));
      vst_page_set_complete (VST_PAGE (self), TRUE);
    }

  if (gtk_widget_get_visible (self->open_button))
    gtk_widget_grab_focus (self->open_button);
}

static void
launch_uri_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(VstSpacePage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    {
      g_debug ("Could not open the space: %s", error->message);
      vst_page_add_toast (VST_PAGE (self), _("The address could not be opened: copy it instead"));
    }
}

static void
action_open_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  VstSpacePage *self = VST_SPACE_PAGE (widget);
  const char *url = vst_session_get_space_url (vst_page_get_session (VST_PAGE (self)));
  g_autoptr(GdkAppLaunchContext) context = NULL;

  if (url == NULL)
    return;

  /* Not gtk_show_uri (), deprecated since GTK 4.10, nor GtkUriLauncher,
   * which 4.8 does not have: GIO opens the address, through the OpenURI
   * portal inside the Flatpak. */
  context = gdk_display_get_app_launch_context (gtk_widget_get_display (widget));
  g_app_info_launch_default_for_uri_async (url, G_APP_LAUNCH_CONTEXT (context), NULL,
                                           launch_uri_cb, g_object_ref (self));
}

static void
action_copy_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  VstSpacePage *self = VST_SPACE_PAGE (widget);
  const char *url = vst_session_get_space_url (vst_page_get_session (VST_PAGE (self)));

  if (url == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), url);
  vst_page_add_toast (VST_PAGE (self), _("Address copied"));
}

static void
action_retry_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  load_account (VST_SPACE_PAGE (widget));
}

static void
vst_space_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), VST_TYPE_SPACE_PAGE);

  G_OBJECT_CLASS (vst_space_page_parent_class)->dispose (object);
}

static void
vst_space_page_class_init (VstSpacePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  VstPageClass *page_class = VST_PAGE_CLASS (klass);

  object_class->dispose = vst_space_page_dispose;
  page_class->shown = vst_space_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vestibule/Vestibule/pages/space.ui");
  gtk_widget_class_bind_template_child (widget_class, VstSpacePage, loading_box);
  gtk_widget_class_bind_template_child (widget_class, VstSpacePage, spinner);
  gtk_widget_class_bind_template_child (widget_class, VstSpacePage, error_box);
  gtk_widget_class_bind_template_child (widget_class, VstSpacePage, error_label);
  gtk_widget_class_bind_template_child (widget_class, VstSpacePage, space_group);
  gtk_widget_class_bind_template_child (widget_class, VstSpacePage, name_row);
  gtk_widget_class_bind_template_child (widget_class, VstSpacePage, url_row);
  gtk_widget_class_bind_template_child (widget_class, VstSpacePage, open_button);

  gtk_widget_class_install_action (widget_class, "page.open", NULL, action_open_cb);
  gtk_widget_class_install_action (widget_class, "page.copy", NULL, action_copy_cb);
  gtk_widget_class_install_action (widget_class, "page.retry", NULL, action_retry_cb);
}

static void
vst_space_page_init (VstSpacePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
