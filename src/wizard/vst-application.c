/* vst-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "vst-application.h"
#include "vst-link.h"
#include "vst-session.h"
#include "vst-util.h"
#include "vst-window.h"

#define DEFAULT_SERVER_URL "http://localhost:8080"

struct _VstApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  char           *server_override;
  char           *server_url;
  VstSession     *session;
};

G_DEFINE_FINAL_TYPE (VstApplication, vst_application, ADW_TYPE_APPLICATION)

static GSettings *
load_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);

  if (schema == NULL)
    {
      g_warning ("The settings schema %s is not installed: the login will not be remembered",
                 APPLICATION_ID);
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}

const char *
vst_application_get_server_url (VstApplication *self)
{
  g_return_val_if_fail (VST_IS_APPLICATION (self), NULL);

  if (self->server_url == NULL)
    {
      const char *env = g_getenv ("VESTIBULE_SERVER_URL");
      g_autofree char *setting = NULL;

      if (self->settings != NULL)
        setting = g_settings_get_string (self->settings, "server-url");

      if (self->server_override != NULL && *self->server_override != '\0')
        self->server_url = g_strdup (self->server_override);
      else if (env != NULL && *env != '\0')
        self->server_url = g_strdup (env);
      else if (setting != NULL && *setting != '\0')
        self->server_url = g_steal_pointer (&setting);
      else
        self->server_url = g_strdup (DEFAULT_SERVER_URL);
    }

  return self->server_url;
}

static void
session_login_cb (VstApplication *self,
                  GParamSpec     *pspec,
                  VstSession     *session)
{
  const char *login = vst_session_get_login (session);

  /* The login is not a secret; it lets a relaunch resume. */
  if (self->settings != NULL && login != NULL)
    g_settings_set_string (self->settings, "last-login", login);
}

static VstSession *
ensure_session (VstApplication *self)
{
  if (self->session == NULL)
    {
      g_autoptr(VstApiClient) client = vst_api_client_new (vst_application_get_server_url (self));

      self->session = vst_session_new (client);
    }

  return self->session;
}

static VstWindow *
get_window (VstApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  return VST_IS_WINDOW (window) ? VST_WINDOW (window) : NULL;
}

static void
show_page (VstApplication *self,
           const char     *page_id)
{
  VstWindow *window = get_window (self);

  if (window == NULL)
    {
      VstSession *session = ensure_session (self);

      window = vst_window_new (ADW_APPLICATION (self), session, page_id);
      g_signal_connect_object (session, "notify::login",
                               G_CALLBACK (session_login_cb), self, G_CONNECT_SWAPPED);
    }
  else if (page_id != NULL)
    vst_assistant_go_to (vst_window_get_assistant (window), page_id);

  gtk_window_present (GTK_WINDOW (window));
}

static void
vst_application_activate (GApplication *application)
{
  VstApplication *self = VST_APPLICATION (application);
  g_autofree char *last_login = NULL;
  const char *page_id = NULL;

  if (get_window (self) == NULL && self->settings != NULL)
    {
      /* Nothing but the login is kept: resuming means signing in again, and
       * the server's state of the account tells which step comes next. */
      last_login = g_settings_get_string (self->settings, "last-login");
      if (last_login != NULL && *last_login != '\0')
        {
          vst_session_set_login (ensure_session (self), last_login);
          page_id = "signin";
        }
    }

  show_page (self, page_id);
}

static void
vst_application_open (GApplication  *application,
                      GFile        **files,
                      int            n_files,
                      const char    *hint)
{
  VstApplication *self = VST_APPLICATION (application);
  const char *page_id = NULL;

  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *uri = g_file_get_uri (files[i]);
      g_autoptr(VstLink) link = NULL;
      g_autoptr(GError) error = NULL;
      VstSession *session = ensure_session (self);

      link = vst_link_parse (uri, &error);
      if (link == NULL)
        {
          /* Never the link itself: a reset link holds its token. */
          g_warning ("Ignoring a link that is not valid: %s", error->message);
          continue;
        }

      if (link->login != NULL)
        vst_session_set_login (session, link->login);

      if (link->kind == VST_LINK_RESET)
        {
          vst_session_set_reset_token (session, link->token);
          page_id = "password";
        }
      else if (page_id == NULL)
        page_id = "welcome";
    }

  show_page (self, page_id);
}

static int
vst_application_handle_local_options (GApplication *application,
                                      GVariantDict *options)
{
  VstApplication *self = VST_APPLICATION (application);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("vestibule %s\n", PACKAGE_VERSION);
      return 0;
    }

  g_variant_dict_lookup (options, "server", "s", &self->server_override);

  return -1;
}

static void
vst_application_startup (GApplication *application)
{
  VstApplication *self = VST_APPLICATION (application);
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  G_APPLICATION_CLASS (vst_application_parent_class)->startup (application);

  vst_ensure_resources ();
  gtk_css_provider_load_from_resource (provider, "/io/github/vestibule/Vestibule/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  self->settings = load_settings ();
  gtk_window_set_default_icon_name (APPLICATION_ID);
}

static void
vst_application_finalize (GObject *object)
{
  VstApplication *self = (VstApplication *)object;

  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->server_override, g_free);
  g_clear_pointer (&self->server_url, g_free);

  G_OBJECT_CLASS (vst_application_parent_class)->finalize (object);
}

static void
vst_application_class_init (VstApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = vst_application_finalize;

  app_class->activate = vst_application_activate;
  app_class->open = vst_application_open;
  app_class->startup = vst_application_startup;
  app_class->handle_local_options = vst_application_handle_local_options;
}

static void
vst_application_init (VstApplication *self)
{
  static const GOptionEntry entries[] = {
    { "server", 's', 0, G_OPTION_ARG_STRING, NULL,
      N_("The address of the onboarding server"), N_("URL") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Show the version and quit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  /* Translators: what the command line takes besides the options, in --help. */
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[LINK…]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Set your password, turn on two-factor authentication "
                                              "and open your collaborative space.\n"
                                              "LINK is a vestibule:// link from an invitation or "
                                              "password reset e-mail."));
}

VstApplication *
vst_application_new (void)
{
  return g_object_new (VST_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/vestibule/Vestibule",
                       NULL);
}
