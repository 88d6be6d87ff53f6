/* vst-assistant.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "vst-assistant.h"
#include "vst-inbox-page.h"
#include "vst-login-page.h"
#include "vst-password-done-page.h"
#include "vst-password-page.h"
#include "vst-signin-page.h"
#include "vst-space-page.h"
#include "vst-totp-app-page.h"
#include "vst-totp-done-page.h"
#include "vst-totp-pair-page.h"
#include "vst-totp-verify-page.h"
#include "vst-welcome-page.h"

typedef struct {
  const char *id;
  guint       step;
  /* Once applied, going back past this page makes no sense (the token is
   * spent, the session is open, the second factor is on). */
  gboolean    commits;
  GType     (*get_type) (void);
} PageEntry;

static const PageEntry page_table[] = {
  { "welcome",       0, FALSE, vst_welcome_page_get_type },
  { "signin",        1, TRUE,  vst_signin_page_get_type },
  { "login",         1, FALSE, vst_login_page_get_type },
  { "inbox",         1, FALSE, vst_inbox_page_get_type },
  { "password",      1, TRUE,  vst_password_page_get_type },
  { "password-done", 1, TRUE,  vst_password_done_page_get_type },
  { "totp-app",      2, FALSE, vst_totp_app_page_get_type },
  { "totp-pair",     2, FALSE, vst_totp_pair_page_get_type },
  { "totp-verify",   2, TRUE,  vst_totp_verify_page_get_type },
  { "totp-done",     2, TRUE,  vst_totp_done_page_get_type },
  { "space",         3, FALSE, vst_space_page_get_type },
};

struct _VstAssistant
{
  AdwBin        parent_instance;

  VstSession   *session;
  GtkStack     *stack;
  VstPage      *pages[G_N_ELEMENTS (page_table)];
  guint         current;
  GArray       *history;
  GCancellable *cancellable;
  gboolean      loading_info;
};

G_DEFINE_FINAL_TYPE (VstAssistant, vst_assistant, ADW_TYPE_BIN)

enum {
  SIGNAL_CHANGED,
  SIGNAL_ERROR,
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gint
find_page (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (page_table); i++)
    {
      if (g_strcmp0 (page_table[i].id, id) == 0)
        return i;
    }

  return -1;
}

const char * const *
vst_assistant_get_page_ids (void)
{
  static const char *ids[G_N_ELEMENTS (page_table) + 1];

  for (guint i = 0; i < G_N_ELEMENTS (page_table); i++)
    ids[i] = page_table[i].id;

  return ids;
}

static void
emit_changed (VstAssistant *self)
{
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
report_error (VstAssistant *self,
              const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (self->session != NULL)
    vst_session_set_last_error (self->session, vst_error_get_support_code (error));

  if (error->domain == VST_PAGE_ERROR)
    return;

  g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
}

/* Which page follows @index, from what the session now knows. */
static const char *
next_page_id (VstAssistant *self,
              guint         index)
{
  const char *id = page_table[index].id;
  gboolean totp_active = vst_session_get_totp_state (self->session) == VST_TOTP_STATE_ACTIVE;

  if (g_str_equal (id, "welcome"))
    return "login";
  if (g_str_equal (id, "signin"))
    return totp_active ? "space" : "totp-app";
  if (g_str_equal (id, "login"))
    return "inbox";
  if (g_str_equal (id, "inbox"))
    return "password";
  if (g_str_equal (id, "password"))
    return "password-done";
  if (g_str_equal (id, "password-done"))
    return totp_active ? "space" : "totp-app";
  if (g_str_equal (id, "totp-app"))
    return totp_active ? "totp-done" : "totp-pair";
  if (g_str_equal (id, "totp-pair"))
    return totp_active ? "totp-done" : "totp-verify";
  if (g_str_equal (id, "totp-verify"))
    return "totp-done";
  if (g_str_equal (id, "totp-done"))
    return "space";

  return NULL;
}

static void
page_notify_cb (VstAssistant *self,
                GParamSpec   *pspec,
                VstPage      *page)
{
  if (page == self->pages[self->current])
    emit_changed (self);
}

static VstPage *
create_page (VstAssistant *self,
             guint         index)
{
  VstPage *page = g_object_new (page_table[index].get_type (),
                                "session", self->session,
                                NULL);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();

  gtk_widget_set_name (GTK_WIDGET (page), page_table[index].id);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 520);
  adw_clamp_set_tightening_threshold (ADW_CLAMP (clamp), 400);
  gtk_widget_add_css_class (clamp, "vst-page-clamp");
  adw_clamp_set_child (ADW_CLAMP (clamp), GTK_WIDGET (page));
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_stack_add_named (self->stack, scrolled, page_table[index].id);

  g_signal_connect_object (page, "notify", G_CALLBACK (page_notify_cb), self, G_CONNECT_SWAPPED);

  return page;
}

static void
destroy_page (VstAssistant *self,
              guint         index)
{
  GtkWidget *scrolled;

  if (self->pages[index] == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->pages[index], self);
  scrolled = gtk_stack_get_child_by_name (self->stack, page_table[index].id);
  gtk_stack_remove (self->stack, scrolled);
  self->pages[index] = NULL;
}

/* GTK 4.8's stack leaves every page in the accessibility tree, so a screen
 * reader in browse mode would read pages that are not on screen; only the
 * current one is left visible to it. */
static void
hide_other_pages_from_assistive_technologies (VstAssistant *self)
{
  GtkWidget *visible = gtk_stack_get_visible_child (self->stack);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->stack));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_accessible_update_state (GTK_ACCESSIBLE (child),
                                 GTK_ACCESSIBLE_STATE_HIDDEN, child != visible,
                                 -1);
}

static void
show_page (VstAssistant *self,
           guint         index,
           gboolean      remember)
{
  VstPage *previous = self->pages[self->current];

  if (remember && index != self->current)
    {
      if (page_table[self->current].commits && self->history->len > 0)
        g_array_set_size (self->history, 0);
      if (!page_table[self->current].commits)
        g_array_append_val (self->history, self->current);
    }

  if (previous != NULL && index != self->current)
    vst_page_hidden (previous);

  self->current = index;
  gtk_stack_set_visible_child_name (self->stack, page_table[index].id);
  hide_other_pages_from_assistive_technologies (self);

  /* With the focus nowhere, Enter activates the window's default action
   * (Next); a page with a field to fill focuses it in shown(). */
  if (gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
    gtk_root_set_focus (gtk_widget_get_root (GTK_WIDGET (self)), NULL);
  vst_page_shown (self->pages[index]);

  emit_changed (self);
}

static void
info_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  VstApiClient *client = (VstApiClient *)object;
  g_autoptr(VstAssistant) self = user_data;
  g_autoptr(JsonObject) info = NULL;
  g_autoptr(GError) error = NULL;

  self->loading_info = FALSE;
  info = vst_api_client_get_info_finish (client, result, &error);
  if (info == NULL || !vst_session_load_info (self->session, info, &error))
    {
      report_error (self, error);
      emit_changed (self);
      return;
    }

  emit_changed (self);
}

static void
load_info (VstAssistant *self)
{
  if (self->loading_info)
    return;

  self->loading_info = TRUE;
  emit_changed (self);
  vst_api_client_get_info_async (vst_session_get_client (self->session),
                                 self->cancellable, info_cb, g_object_ref (self));
}

static void
apply_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  VstPage *page = (VstPage *)object;
  g_autoptr(VstAssistant) self = user_data;
  g_autoptr(GError) error = NULL;
  const char *next;
  gint index;

  vst_page_set_applying (page, FALSE);

  if (!vst_page_apply_finish (page, result, &error))
    {
      report_error (self, error);
      return;
    }

  if (page != self->pages[self->current])
    return;

  next = next_page_id (self, self->current);
  if (next == NULL)
    {
      g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
      return;
    }

  index = find_page (next);
  g_assert (index >= 0);
  show_page (self, index, TRUE);
}

void
vst_assistant_next (VstAssistant *self)
{
  VstPage *page;

  g_return_if_fail (VST_IS_ASSISTANT (self));

  if (!vst_assistant_get_can_go_next (self))
    return;

  page = self->pages[self->current];
  vst_page_set_applying (page, TRUE);
  vst_page_apply_async (page, vst_page_get_cancellable (page), apply_cb, g_object_ref (self));
}

void
vst_assistant_back (VstAssistant *self)
{
  guint index;

  g_return_if_fail (VST_IS_ASSISTANT (self));

  if (!vst_assistant_get_can_go_back (self))
    return;

  index = g_array_index (self->history, guint, self->history->len - 1);
  g_array_set_size (self->history, self->history->len - 1);
  show_page (self, index, FALSE);
}

void
vst_assistant_go_to (VstAssistant *self,
                     const char   *page_id)
{
  gint index;

  g_return_if_fail (VST_IS_ASSISTANT (self));

  index = find_page (page_id);
  g_return_if_fail (index >= 0);

  if (vst_assistant_get_applying (self))
    return;

  show_page (self, index, TRUE);
}

void
vst_assistant_retry (VstAssistant *self)
{
  g_return_if_fail (VST_IS_ASSISTANT (self));

  if (!vst_session_has_info (self->session))
    load_info (self);
  else
    vst_assistant_next (self);
}

static void
action_next_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  vst_assistant_next (VST_ASSISTANT (widget));
}

static void
action_back_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  vst_assistant_back (VST_ASSISTANT (widget));
}

static void
action_go_cb (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  vst_assistant_go_to (VST_ASSISTANT (widget), g_variant_get_string (parameter, NULL));
}

static void
vst_assistant_dispose (GObject *object)
{
  VstAssistant *self = (VstAssistant *)object;

  g_cancellable_cancel (self->cancellable);
  for (guint i = 0; i < G_N_ELEMENTS (page_table); i++)
    {
      if (self->pages[i] != NULL)
        {
          g_signal_handlers_disconnect_by_data (self->pages[i], self);
          self->pages[i] = NULL;
        }
    }

  G_OBJECT_CLASS (vst_assistant_parent_class)->dispose (object);
}

static void
vst_assistant_finalize (GObject *object)
{
  VstAssistant *self = (VstAssistant *)object;

  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->history, g_array_unref);

  G_OBJECT_CLASS (vst_assistant_parent_class)->finalize (object);
}

static void
vst_assistant_class_init (VstAssistantClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vst_assistant_dispose;
  object_class->finalize = vst_assistant_finalize;

  /* Anything the window shows may have changed: page, step, title,
   * completeness, the next action's label. */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A failure to show above the page: the message is translated. */
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  /* The last page was applied. */
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "assistant.next", NULL, action_next_cb);
  gtk_widget_class_install_action (widget_class, "assistant.back", NULL, action_back_cb);
  gtk_widget_class_install_action (widget_class, "assistant.go", "s", action_go_cb);
}

static void
vst_assistant_init (VstAssistant *self)
{
  self->cancellable = g_cancellable_new ();
  self->history = g_array_new (FALSE, FALSE, sizeof (guint));
  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_set_transition_type (self->stack, GTK_STACK_TRANSITION_TYPE_CROSSFADE);
  gtk_stack_set_vhomogeneous (self->stack, FALSE);
  gtk_stack_set_hhomogeneous (self->stack, FALSE);
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->stack));
}

VstAssistant *
vst_assistant_new (void)
{
  return g_object_new (VST_TYPE_ASSISTANT, NULL);
}

void
vst_assistant_start (VstAssistant *self,
                     VstSession   *session,
                     const char   *page_id)
{
  gint index;

  g_return_if_fail (VST_IS_ASSISTANT (self));
  g_return_if_fail (VST_IS_SESSION (session));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);

  for (guint i = 0; i < G_N_ELEMENTS (page_table); i++)
    self->pages[i] = create_page (self, i);

  index = page_id != NULL ? find_page (page_id) : 0;
  if (index < 0)
    index = 0;

  /* A link that opens a later page still lets the person go back to the
   * welcome page. */
  self->current = 0;
  if (index > 0)
    g_array_append_val (self->history, self->current);
  show_page (self, index, FALSE);

  if (!vst_session_has_info (session))
    load_info (self);
}

VstSession *
vst_assistant_get_session (VstAssistant *self)
{
  g_return_val_if_fail (VST_IS_ASSISTANT (self), NULL);

  return self->session;
}

VstPage *
vst_assistant_get_current_page (VstAssistant *self)
{
  g_return_val_if_fail (VST_IS_ASSISTANT (self), NULL);

  return self->pages[self->current];
}

const char *
vst_assistant_get_current_id (VstAssistant *self)
{
  g_return_val_if_fail (VST_IS_ASSISTANT (self), NULL);

  return page_table[self->current].id;
}

guint
vst_assistant_get_step (VstAssistant *self)
{
  g_return_val_if_fail (VST_IS_ASSISTANT (self), 0);

  return page_table[self->current].step;
}

gboolean
vst_assistant_get_applying (VstAssistant *self)
{
  VstPage *page;

  g_return_val_if_fail (VST_IS_ASSISTANT (self), FALSE);

  page = self->pages[self->current];
  return page != NULL && vst_page_get_applying (page);
}

gboolean
vst_assistant_get_can_go_back (VstAssistant *self)
{
  g_return_val_if_fail (VST_IS_ASSISTANT (self), FALSE);

  return self->history->len > 0 && !vst_assistant_get_applying (self);
}

gboolean
vst_assistant_get_can_go_next (VstAssistant *self)
{
  VstPage *page;

  g_return_val_if_fail (VST_IS_ASSISTANT (self), FALSE);

  page = self->pages[self->current];
  return page != NULL &&
         vst_page_get_complete (page) &&
         !vst_assistant_get_applying (self);
}

void
vst_assistant_locale_changed (VstAssistant *self)
{
  g_return_if_fail (VST_IS_ASSISTANT (self));

  if (self->session == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (page_table); i++)
    {
      if (i == self->current)
        continue;
      destroy_page (self, i);
      self->pages[i] = create_page (self, i);
    }

  vst_page_locale_changed (self->pages[self->current]);
  emit_changed (self);
}
