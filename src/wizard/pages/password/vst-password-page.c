/* vst-password-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "vst-password-page.h"

/* Say that the two passwords differ only once the person stops typing. */
#define MISMATCH_DELAY_MS 600

struct _VstPasswordPage
{
  VstPage               parent_instance;

  GtkLabel             *login_label;
  AdwPasswordEntryRow  *new_row;
  AdwPasswordEntryRow  *confirm_row;
  GtkWidget            *caps_box;
  GtkLabel             *mismatch_label;
  GtkLabel             *error_label;
  GtkWidget            *new_link_button;
  GtkLabel             *strength_label;
  GtkLevelBar          *strength_bar;
  GtkListBox           *rules_list;

  GPtrArray            *rule_rows;
  GPtrArray            *rule_icons;
  GdkDevice            *keyboard;
  guint                 mismatch_id;
};

G_DEFINE_FINAL_TYPE (VstPasswordPage, vst_password_page, VST_TYPE_PAGE)

static VstPasswordContext
get_context (VstPasswordPage *self)
{
  VstSession *session = vst_page_get_session (VST_PAGE (self));
  VstPasswordContext context = {
    .login = vst_session_get_login (session),
    .email = NULL,
    .display_name = vst_session_get_display_name (session),
  };

  return context;
}

static void
build_rules (VstPasswordPage *self)
{
  VstPasswordPolicy *policy = vst_session_get_policy (vst_page_get_session (VST_PAGE (self)));
  g_autoptr(VstPasswordCheck) described = NULL;

  if (policy == NULL || self->rule_rows->len > 0)
    return;

  described = vst_password_policy_describe (policy);
  for (guint i = 0; i < vst_password_check_get_n_rules (described); i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name ("radio-symbolic");

      gtk_widget_set_name (row, vst_password_check_get_rule_id (described, i));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     vst_password_check_get_rule_text (described, i));
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
      gtk_widget_add_css_class (row, "vst-rule");
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Not met yet"),
                                      -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      gtk_list_box_append (self->rules_list, row);

      g_ptr_array_add (self->rule_rows, row);
      g_ptr_array_add (self->rule_icons, icon);
    }
}

static void
update_mismatch (VstPasswordPage *self,
                 gboolean         now)
{
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->new_row));
  const char *confirm = gtk_editable_get_text (GTK_EDITABLE (self->confirm_row));
  gboolean mismatch = *confirm != '\0' && !g_str_equal (password, confirm);

  g_clear_handle_id (&self->mismatch_id, g_source_remove);

  if (!mismatch)
    vst_page_show_field_error (VST_PAGE (self), GTK_WIDGET (self->confirm_row),
                               self->mismatch_label, NULL);
  else if (now || !g_str_has_prefix (password, confirm))
    vst_page_show_field_error (VST_PAGE (self), GTK_WIDGET (self->confirm_row), self->mismatch_label,
                               _("The two passwords are not the same. Type the same password twice."));
}

static gboolean
mismatch_timeout_cb (gpointer user_data)
{
  VstPasswordPage *self = user_data;

  self->mismatch_id = 0;
  update_mismatch (self, TRUE);

  return G_SOURCE_REMOVE;
}

static void
update_check (VstPasswordPage *self)
{
  VstPasswordPolicy *policy = vst_session_get_policy (vst_page_get_session (VST_PAGE (self)));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->new_row));
  const char *confirm = gtk_editable_get_text (GTK_EDITABLE (self->confirm_row));
  g_autoptr(VstPasswordCheck) check = NULL;
  VstPasswordContext context;
  const char *strength;
  guint score;

  build_rules (self);

  if (policy == NULL)
    {
      vst_page_set_complete (VST_PAGE (self), FALSE);
      return;
    }

  context = get_context (self);
  check = vst_password_policy_check (policy, password, &context);

  for (guint i = 0; i < self->rule_icons->len && i < vst_password_check_get_n_rules (check); i++)
    {
      GtkWidget *icon = g_ptr_array_index (self->rule_icons, i);
      gboolean ok = *password != '\0' && vst_password_check_get_rule_ok (check, i);

      gtk_image_set_from_icon_name (GTK_IMAGE (icon), ok ? "emblem-ok-symbolic" : "radio-symbolic");
      gtk_widget_set_css_classes (icon, (const char *[]) { ok ? "ok" : "pending", NULL });
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      ok ? _("Met") : _("Not met yet"),
                                      -1);
    }

  score = *password != '\0' ? MAX (1, vst_password_check_get_score (check)) : 0;
  gtk_level_bar_set_value (self->strength_bar, score);

  if (*password == '\0')
    strength = _("Strength");
  else if (score <= 1)
    strength = _("Strength: weak");
  else if (score == 2)
    strength = _("Strength: fair");
  else if (score == 3)
    strength = _("Strength: good");
  else
    strength = _("Strength: strong");
  gtk_label_set_text (self->strength_label, strength);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->strength_bar),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, strength,
                                  -1);

  vst_page_set_complete (VST_PAGE (self),
                         vst_password_check_is_ok (check) && g_str_equal (password, confirm));
}

static void
text_changed_cb (VstPasswordPage *self)
{
  vst_page_show_field_error (VST_PAGE (self), GTK_WIDGET (self->new_row), self->error_label, NULL);
  gtk_widget_set_visible (self->new_link_button, FALSE);
  update_check (self);
  update_mismatch (self, FALSE);

  if (self->mismatch_id == 0 && !gtk_widget_get_visible (GTK_WIDGET (self->mismatch_label)))
    {
      const char *confirm = gtk_editable_get_text (GTK_EDITABLE (self->confirm_row));

      if (*confirm != '\0' &&
          !g_str_equal (confirm, gtk_editable_get_text (GTK_EDITABLE (self->new_row))))
        self->mismatch_id = g_timeout_add (MISMATCH_DELAY_MS, mismatch_timeout_cb, self);
    }
}

static void
caps_lock_cb (VstPasswordPage *self)
{
  gtk_widget_set_visible (self->caps_box,
                          self->keyboard != NULL && gdk_device_get_caps_lock_state (self->keyboard));
}

static void
action_suggest_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  VstPasswordPage *self = VST_PASSWORD_PAGE (widget);
  VstPasswordPolicy *policy = vst_session_get_policy (vst_page_get_session (VST_PAGE (self)));
  VstPasswordContext context = get_context (self);
  g_autoptr(GError) error = NULL;
  char *password;

  if (policy == NULL)
    return;

  password = vst_password_policy_generate (policy, &context, &error);
  if (password == NULL)
    {
      g_warning ("Cannot suggest a password: %s", error->message);
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (self->new_row), password);
  gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), password);
  vst_secure_free (password);

  vst_page_add_toast (VST_PAGE (self),
                      _("A strong password is filled in. Show it with the eye button and keep "
                        "it in your password manager."));
}

static void
action_new_link_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  vst_page_go_to (VST_PAGE (widget), "login");
}

static void
session_info_cb (VstPasswordPage *self)
{
  update_check (self);
}

static void
vst_password_page_shown (VstPage *page)
{
  VstPasswordPage *self = VST_PASSWORD_PAGE (page);
  const char *login = vst_session_get_login (vst_page_get_session (page));
  g_autofree char *text = NULL;

  if (login != NULL)
    /* Translators: %s is the login ("jdupont"). */
    text = g_strdup_printf (_("For your login “%s”. You will type it often: make it long rather than complicated."), login);
  gtk_label_set_text (self->login_label, text != NULL ? text : "");

  update_check (self);
  caps_lock_cb (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->new_row));
}

static void
vst_password_page_hidden (VstPage *page)
{
  VstPasswordPage *self = VST_PASSWORD_PAGE (page);

  g_clear_handle_id (&self->mismatch_id, g_source_remove);
}

static void
set_password_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VstPasswordPage *self = g_task_get_source_object (task);
  VstSession *session = vst_page_get_session (VST_PAGE (self));
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;
  const char *code;

  answer = vst_api_client_set_password_finish (VST_API_CLIENT (object), result, &error);
  if (answer != NULL)
    {
      vst_session_load_sign_in (session, answer,
                                gtk_editable_get_text (GTK_EDITABLE (self->new_row)));
      vst_session_set_reset_token (session, NULL);
      gtk_editable_set_text (GTK_EDITABLE (self->new_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");
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
  vst_page_show_field_error (VST_PAGE (self), GTK_WIDGET (self->new_row), self->error_label,
                             error->message);
  if (g_strcmp0 (code, "invalid_token") == 0)
    {
      vst_session_set_reset_token (session, NULL);
      gtk_widget_set_visible (self->new_link_button, TRUE);
    }
  g_task_return_new_error (task, VST_PAGE_ERROR, VST_PAGE_ERROR_HANDLED, "%s", code);
}

static void
vst_password_page_apply_async (VstPage             *page,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  VstPasswordPage *self = VST_PASSWORD_PAGE (page);
  VstSession *session = vst_page_get_session (page);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, vst_password_page_apply_async);

  if (vst_session_get_login (session) == NULL || vst_session_get_reset_token (session) == NULL)
    {
      vst_page_show_field_error (page, GTK_WIDGET (self->new_row), self->error_label,
                                 _("The link or code from the e-mail is missing. Ask for a new link."));
      gtk_widget_set_visible (self->new_link_button, TRUE);
      g_task_return_new_error (task, VST_PAGE_ERROR, VST_PAGE_ERROR_HANDLED, "no token");
      return;
    }

  vst_api_client_set_password_async (vst_session_get_client (session),
                                     vst_session_get_login (session),
                                     vst_session_get_reset_token (session),
                                     gtk_editable_get_text (GTK_EDITABLE (self->new_row)),
                                     cancellable, set_password_cb, g_steal_pointer (&task));
}

static gboolean
vst_password_page_apply_finish (VstPage       *page,
                                GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
vst_password_page_constructed (GObject *object)
{
  VstPasswordPage *self = VST_PASSWORD_PAGE (object);

  G_OBJECT_CLASS (vst_password_page_parent_class)->constructed (object);

  g_signal_connect_object (vst_page_get_session (VST_PAGE (self)), "notify::organisation",
                           G_CALLBACK (session_info_cb), self, G_CONNECT_SWAPPED);
  update_check (self);
}

static void
vst_password_page_dispose (GObject *object)
{
  VstPasswordPage *self = (VstPasswordPage *)object;

  g_clear_handle_id (&self->mismatch_id, g_source_remove);
  if (self->keyboard != NULL)
    g_signal_handlers_disconnect_by_data (self->keyboard, self);
  g_clear_object (&self->keyboard);
  g_clear_pointer (&self->rule_rows, g_ptr_array_unref);
  g_clear_pointer (&self->rule_icons, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), VST_TYPE_PASSWORD_PAGE);

  G_OBJECT_CLASS (vst_password_page_parent_class)->dispose (object);
}

static void
vst_password_page_class_init (VstPasswordPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  VstPageClass *page_class = VST_PAGE_CLASS (klass);

  object_class->constructed = vst_password_page_constructed;
  object_class->dispose = vst_password_page_dispose;
  page_class->shown = vst_password_page_shown;
  page_class->hidden = vst_password_page_hidden;
  page_class->apply_async = vst_password_page_apply_async;
  page_class->apply_finish = vst_password_page_apply_finish;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vestibule/Vestibule/pages/password.ui");
  gtk_widget_class_bind_template_child (widget_class, VstPasswordPage, login_label);
  gtk_widget_class_bind_template_child (widget_class, VstPasswordPage, new_row);
  gtk_widget_class_bind_template_child (widget_class, VstPasswordPage, confirm_row);
  gtk_widget_class_bind_template_child (widget_class, VstPasswordPage, caps_box);
  gtk_widget_class_bind_template_child (widget_class, VstPasswordPage, mismatch_label);
  gtk_widget_class_bind_template_child (widget_class, VstPasswordPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, VstPasswordPage, new_link_button);
  gtk_widget_class_bind_template_child (widget_class, VstPasswordPage, strength_label);
  gtk_widget_class_bind_template_child (widget_class, VstPasswordPage, strength_bar);
  gtk_widget_class_bind_template_child (widget_class, VstPasswordPage, rules_list);

  gtk_widget_class_install_action (widget_class, "page.suggest", NULL, action_suggest_cb);
  gtk_widget_class_install_action (widget_class, "page.new-link", NULL, action_new_link_cb);
}

static void
vst_password_page_init (VstPasswordPage *self)
{
  GdkDisplay *display = gdk_display_get_default ();
  GdkSeat *seat = display != NULL ? gdk_display_get_default_seat (display) : NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->rule_rows = g_ptr_array_new ();
  self->rule_icons = g_ptr_array_new ();

  gtk_level_bar_remove_offset_value (self->strength_bar, GTK_LEVEL_BAR_OFFSET_LOW);
  gtk_level_bar_remove_offset_value (self->strength_bar, GTK_LEVEL_BAR_OFFSET_HIGH);
  gtk_level_bar_remove_offset_value (self->strength_bar, GTK_LEVEL_BAR_OFFSET_FULL);
  gtk_level_bar_add_offset_value (self->strength_bar, "strength-weak", 1);
  gtk_level_bar_add_offset_value (self->strength_bar, "strength-fair", 2);
  gtk_level_bar_add_offset_value (self->strength_bar, "strength-good", 3);
  gtk_level_bar_add_offset_value (self->strength_bar, "strength-strong", 4);
  gtk_label_set_text (self->strength_label, _("Strength"));

  g_signal_connect_object (self->new_row, "changed",
                           G_CALLBACK (text_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->confirm_row, "changed",
                           G_CALLBACK (text_changed_cb), self, G_CONNECT_SWAPPED);

  if (seat != NULL && gdk_seat_get_keyboard (seat) != NULL)
    {
      self->keyboard = g_object_ref (gdk_seat_get_keyboard (seat));
      g_signal_connect_object (self->keyboard, "notify::caps-lock-state",
                               G_CALLBACK (caps_lock_cb), self, G_CONNECT_SWAPPED);
    }
}
