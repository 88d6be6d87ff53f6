/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "vestibule-server"

#include "config.h"

#include <curl/curl.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>

#include <vestibule.h>

#include "vst-api.h"
#include "vst-catalog.h"
#include "vst-log.h"
#include "vst-mailer.h"
#include "vst-server-config.h"
#include "vst-ldap-store.h"
#include "vst-sqlite-store.h"

/* How long a stop waits for requests in the KDF and an e-mail on its way. */
#define DRAIN_SECONDS 10

static gboolean
quit_cb (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                    "VST_EVENT", "stop", "MESSAGE", "Stopping");
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
drain_timeout_cb (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

static void
set_override (GKeyFile   *key_file,
              const char *group,
              const char *key,
              const char *value)
{
  if (value != NULL)
    g_key_file_set_string (key_file, group, key, value);
}

static int
run (int    argc,
     char **argv)
{
  g_autofree char *config_path = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *database = NULL;
  g_autofree char *smtp = NULL;
  g_autofree char *admin_token_file = NULL;
  g_autofree char *tls_certificate = NULL;
  g_autofree char *tls_key = NULL;
  gboolean version = FALSE;
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
      N_("Read the configuration from FILE (a key file; see vestibule-server.conf.example)"), N_("FILE") },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      N_("Listen on HOST:PORT (default 127.0.0.1:8080; [::1]:8080 for IPv6)"), N_("HOST:PORT") },
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &database,
      N_("Keep the accounts in the SQLite database PATH (created mode 0600)"), N_("PATH") },
    { "smtp", 's', 0, G_OPTION_ARG_STRING, &smtp,
      N_("Send e-mail through URL: smtp://host:port, smtps://host:port (set starttls in the configuration for STARTTLS)"), N_("URL") },
    { "admin-token-file", 'a', 0, G_OPTION_ARG_FILENAME, &admin_token_file,
      N_("Read the helpdesk's bearer token from PATH (never pass the token itself)"), N_("PATH") },
    { "tls-certificate", 0, 0, G_OPTION_ARG_FILENAME, &tls_certificate,
      N_("Serve HTTPS with the PEM certificate (chain) in FILE"), N_("FILE") },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key,
      N_("The PEM private key of the certificate"), N_("FILE") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version,
      N_("Print the version and exit"), NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VstServerConfig) config = NULL;
  g_autoptr(VstStore) store = NULL;
  g_autoptr(VstMailer) mailer = NULL;
  g_autoptr(VstCatalog) french = NULL;
  g_autoptr(VstApi) api = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *uri = NULL;
  gboolean drain_expired = FALSE;
  guint sigterm_id, sigint_id, drain_id;

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _("Vestibule's onboarding service: invitations, password resets, "
                                  "password policy and TOTP enrolment over a JSON API.\n\n"
                                  "The command-line options override the configuration file."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  if (version)
    {
      g_print ("vestibule-server %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }
  if (argc > 1)
    {
      g_printerr (_("Unexpected argument: %s\n"), argv[1]);
      return EXIT_FAILURE;
    }

  if (config_path != NULL &&
      !g_key_file_load_from_file (key_file, config_path, G_KEY_FILE_NONE, &error))
    {
      g_printerr ("%s: %s\n", config_path, error->message);
      return EXIT_FAILURE;
    }
  set_override (key_file, "server", "listen", listen);
  set_override (key_file, "server", "database", database);
  set_override (key_file, "mail", "smtp-url", smtp);
  set_override (key_file, "server", "admin-token-file", admin_token_file);
  set_override (key_file, "server", "tls-certificate", tls_certificate);
  set_override (key_file, "server", "tls-key", tls_key);

  config = vst_server_config_new (key_file, &error);
  if (config == NULL)
    {
      g_printerr (_("Configuration: %s\n"), error->message);
      return EXIT_FAILURE;
    }

  store = vst_sqlite_store_new (vst_server_config_get_database (config), &error);
  if (store == NULL)
    {
      g_printerr (_("Database: %s\n"), error->message);
      return EXIT_FAILURE;
    }
  if (vst_server_config_use_ldap (config))
    {
      VstLdapStoreSettings settings;
      g_autoptr(VstStore) local = g_steal_pointer (&store);

      /* The SQLite file stays, for what a directory cannot hold. */
      vst_server_config_get_ldap_settings (config, &settings);
      store = vst_ldap_store_new (&settings, local, &error);
      if (store == NULL)
        {
          g_printerr (_("Directory: %s\n"), error->message);
          return EXIT_FAILURE;
        }
    }
  french = vst_catalog_new (vst_server_config_get_localedir (config), GETTEXT_PACKAGE, "fr", &error);
  if (french == NULL)
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  mailer = vst_mailer_new (store, config);
  api = vst_api_new (config, store, mailer, french, &error);
  if (api == NULL || !vst_api_listen (api, &error))
    {
      g_printerr (_("Cannot listen: %s\n"), error->message);
      return EXIT_FAILURE;
    }
  if (!vst_server_config_has_admin_token (config))
    g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                      "MESSAGE", "No admin-token-file: the helpdesk API answers 401 to everything");

  loop = g_main_loop_new (NULL, FALSE);
  sigterm_id = g_unix_signal_add (SIGTERM, quit_cb, loop);
  sigint_id = g_unix_signal_add (SIGINT, quit_cb, loop);

  vst_mailer_start (mailer);
  uri = g_strdup_printf ("%s://%s:%u/", vst_server_config_get_tls_certificate (config) ? "https" : "http",
                         vst_server_config_get_listen_host (config),
                         vst_server_config_get_listen_port (config));
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                    "VST_EVENT", "start",
                    "VST_CATALOG_FR", vst_catalog_get_size (french) > 0 ? "yes" : "no",
                    "MESSAGE", "vestibule-server %s listening on %s", PACKAGE_VERSION, uri);

  g_main_loop_run (loop);

  /* A graceful stop: no new connections, then let the requests waiting for
   * the KDF and an e-mail on its way finish, for a while. */
  vst_api_disconnect (api);
  vst_mailer_stop (mailer);
  drain_id = g_timeout_add_seconds (DRAIN_SECONDS, drain_timeout_cb, &drain_expired);
  while (!drain_expired && (vst_api_get_n_pending (api) > 0 || vst_mailer_is_busy (mailer)))
    g_main_context_iteration (NULL, TRUE);
  if (!drain_expired)
    g_source_remove (drain_id);

  g_source_remove (sigterm_id);
  g_source_remove (sigint_id);
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                    "VST_EVENT", "stopped", "MESSAGE", "Stopped");
  return EXIT_SUCCESS;
}

int
main (int    argc,
      char **argv)
{
  int status;

  /* The locale only serves --help and start-up errors; the API answers in
   * each request's language through VstCatalog. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  vst_log_install_writer ();

  /* Before any thread starts: curl_global_init is not thread-safe. */
  if (curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK)
    {
      g_printerr ("curl_global_init failed\n");
      return EXIT_FAILURE;
    }
  status = run (argc, argv);
  curl_global_cleanup ();
  return status;
}
