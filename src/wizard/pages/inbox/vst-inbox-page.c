/* vst-inbox-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "vst-inbox-page.h"
#include "vst-link.h"

/* Tell about a bad paste only once the person stops typing. */
#define CHECK_DELAY_MS 600

struct _VstInboxPage
{
  VstPage      parent_instance;

  GtkLabel    *intro_label;
  AdwEntryRow *code_row;
  GtkLabel    *error_label;

  guint        check_id;
};

G_DEFINE_FINAL_TYPE (VstInboxPage, vst_inbox_page, VST_TYPE_PAGE)

static gboolean
check_timeout_cb (gpointer user_data)
{
  VstInboxPage *self = user_data;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->code_row));
  g_autoptr(VstLink) link = NULL;
  g_autoptr(GError) error = NULL;

  self->check_id = 0;

  if (*text != '\0')
    link = vst_link_parse_pasted (text, &error);

  vst_page_show_field_error (VST_PAGE (self), GTK_WIDGET (self->code_row), self->error_label,
                             error != NULL ? error->message : NULL);

  return G_SOURCE_REMOVE;
}

static void
code_changed_cb (VstInboxPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->code_row));
  g_autoptr(VstLink) link = vst_link_parse_pasted (text, NULL);

  vst_page_set_complete (VST_PAGE (self), link != NULL);

  g_clear_handle_id (&self->check_id, g_source_remove);
  if (link != NULL || *text == '\0')
    vst_page_show_field_error (VST_PAGE (self), GTK_WIDGET (self->code_row), self->error_label, NULL);
  else
    self->check_id = g_timeout_add (CHECK_DELAY_MS, check_timeout_cb, self);
}

static void
paste_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(VstInboxPage) self = user_data;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, NULL);

  if (text != NULL && gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->code_row), g_strstrip (text));
      gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
    }
}

static void
action_paste_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  VstInboxPage *self = VST_INBOX_PAGE (widget);

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget),
                                 vst_page_get_cancellable (VST_PAGE (self)),
                                 paste_cb, g_object_ref (self));
}

static void
vst_inbox_page_shown (VstPage *page)
{
  VstInboxPage *self = VST_INBOX_PAGE (page);
  const char *login = vst_session_get_login (vst_page_get_session (page));
  g_autofree char *intro = NULL;

  /* Translators: %s is the login ("jdupont"). */
  intro = g_strdup_printf (_("If the login “%s” is right, we have just sent an e-mail to the "
                             "personal address the organisation has for you."),
                           login != NULL ? login : "");
  gtk_label_set_text (self->intro_label, intro);
  gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
}

static void
vst_inbox_page_apply_async (VstPage             *page,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  VstInboxPage *self = VST_INBOX_PAGE (page);
  VstSession *session = vst_page_get_session (page);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(VstLink) link = NULL;
  g_autoptr(GError) error = NULL;

  g_task_set_source_tag (task, vst_inbox_page_apply_async);

  link = vst_link_parse_pasted (gtk_editable_get_text (GTK_EDITABLE (self->code_row)), &error);
  if (link == NULL)
    {
      vst_page_show_field_error (page, GTK_WIDGET (self->code_row), self->error_label, error->message);
      g_task_return_new_error (task, VST_PAGE_ERROR, VST_PAGE_ERROR_HANDLED, "%s", error->message);
      return;
    }

  if (link->login != NULL)
    vst_session_set_login (session, link->login);
  vst_session_set_reset_token (session, link->token);

  /* The token now lives in the session only. */
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
  g_task_return_boolean (task, TRUE);
}

static gboolean
vst_inbox_page_apply_finish (VstPage       *page,
                             GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
vst_inbox_page_dispose (GObject *object)
{
  VstInboxPage *self = (VstInboxPage *)object;

  g_clear_handle_id (&self->check_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (object), VST_TYPE_INBOX_PAGE);

  G_OBJECT_CLASS (vst_inbox_page_parent_class)->dispose (object);
}

static void
vst_inbox_page_class_init (VstInboxPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  VstPageClass *page_class = VST_PAGE_CLASS (klass);

  object_class->dispose = vst_inbox_page_dispose;
  page_class->shown = vst_inbox_page_shown;
  page_class->apply_async = vst_inbox_page_apply_async;
  page_class->apply_finish = vst_inbox_page_apply_finish;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vestibule/Vestibule/pages/inbox.ui");
  gtk_widget_class_bind_template_child (widget_class, VstInboxPage, intro_label);
  gtk_widget_class_bind_template_child (widget_class, VstInboxPage, code_row);
  gtk_widget_class_bind_template_child (widget_class, VstInboxPage, error_label);

  gtk_widget_class_install_action (widget_class, "page.paste", NULL, action_paste_cb);
}

static void
vst_inbox_page_init (VstInboxPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->code_row, "changed",
                           G_CALLBACK (code_changed_cb), self, G_CONNECT_SWAPPED);
}
