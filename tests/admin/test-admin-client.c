/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "test-admin-client"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <locale.h>
#include <string.h>
#include <sys/stat.h>

#include "vst-admin-client.h"

/*
 * VstAdminClient against a fake server running in its own thread (the
 * client blocks the test's thread). The fake answers by path prefix:
 *
 *   /api/…           a Vestibule server (token "good-token")
 *   /html/api/…      a web server that is not Vestibule (404 in HTML)
 *   /redirect/api/…  a redirect to another host
 *   /down/api/…      a proxy whose backend is down (503)
 *   /garbage/api/…   200 with a body that is not JSON
 *   /crash/api/…     500 with a Vestibule error
 *   /slow/api/…      answers after 3 s
 *   /shape/api/…     200 with JSON of the wrong shape
 */

#define GOOD_TOKEN "good-token"

typedef struct {
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  char         *url;

  GMutex        lock;
  GCond         ready;

  /* The last request, for the tests to check what was sent. */
  char         *method;
  char         *path;
  char         *authorization;
  char         *accept_language;
  char         *content_type;
  char         *body;
} FakeServer;

static const char account_json[] =
  "{\"login\": \"jdupont\", \"email\": \"jean@example.org\", \"display_name\": \"Jean Dupont\","
  " \"language\": \"fr\", \"space\": null, \"created_at\": 1763647500, \"password_set\": false,"
  " \"password_expires_at\": null, \"password_expired\": false, \"totp\": \"none\","
  " \"locked_until\": null, \"last_email\": null}";

static void
respond (SoupServerMessage *message,
         guint              status,
         const char        *content_type,
         const char        *body)
{
  soup_server_message_set_status (message, status, NULL);
  if (body != NULL)
    soup_server_message_set_response (message, content_type, SOUP_MEMORY_COPY,
                                      body, strlen (body));
}

static void
respond_error (SoupServerMessage *message,
               guint              status,
               const char        *code,
               const char        *english,
               const char        *french,
               const char        *language)
{
  g_autofree char *body = g_strdup_printf ("{\"error\": \"%s\", \"message\": \"%s\"}", code,
                                           g_strcmp0 (language, "fr") == 0 ? french : english);

  respond (message, status, "application/json", body);
}

static gboolean
unpause_cb (gpointer user_data)
{
  SoupServerMessage *message = user_data;

  respond (message, SOUP_STATUS_OK, "application/json", "{\"accounts\": []}");
  soup_server_message_unpause (message);

  return G_SOURCE_REMOVE;
}

static void
vestibule_handler (FakeServer        *fake,
                   SoupServerMessage *message,
                   const char        *path,
                   const char        *language)
{
  const char *method = soup_server_message_get_method (message);

  if (g_strcmp0 (fake->authorization, "Bearer " GOOD_TOKEN) != 0)
    {
      respond_error (message, 401, "unauthorized", "Unauthorized.", "Non autorisé.", language);
      return;
    }

  if (g_str_equal (path, "/api/v1/admin/accounts") && g_str_equal (method, "GET"))
    {
      g_autofree char *body = g_strdup_printf ("{\"accounts\": [%s]}", account_json);

      respond (message, SOUP_STATUS_OK, "application/json", body);
    }
  else if (g_str_equal (path, "/api/v1/admin/accounts") && g_str_equal (method, "POST"))
    {
      if (strstr (fake->body, "\"taken\"") != NULL)
        respond_error (message, 409, "account_exists", "This login is taken.",
                       "Cet identifiant est déjà pris.", language);
      else
        respond (message, SOUP_STATUS_CREATED, "application/json", account_json);
    }
  else if (g_str_equal (path, "/api/v1/admin/accounts/jdupont")
           || g_str_equal (path, "/api/v1/admin/accounts/jdupont/reset-2fa")
           || g_str_equal (path, "/api/v1/admin/accounts/jdupont/unlock"))
    {
      respond (message, SOUP_STATUS_OK, "application/json", account_json);
    }
  else if (g_str_equal (path, "/api/v1/admin/accounts/jdupont/invitation"))
    {
      respond (message, SOUP_STATUS_ACCEPTED, "application/json", "{\"status\": \"sent\"}");
    }
  else if (g_str_equal (path, "/api/v1/admin/accounts/silent/invitation"))
    {
      respond (message, SOUP_STATUS_ACCEPTED, NULL, NULL);
    }
  else
    {
      respond_error (message, 404, "not_found", "Not found.", "Introuvable.", language);
    }
}

static void
server_callback (SoupServer        *server,
                 SoupServerMessage *message,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  FakeServer *fake = user_data;
  /* The path as sent, escapes and all: the callback's own is decoded. */
  const char *raw_path = g_uri_get_path (soup_server_message_get_uri (message));
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  const char *language = soup_message_headers_get_one (headers, "Accept-Language");

  g_mutex_lock (&fake->lock);
  g_free (fake->method);
  fake->method = g_strdup (soup_server_message_get_method (message));
  g_free (fake->path);
  fake->path = g_strdup (raw_path);
  g_free (fake->authorization);
  fake->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  g_free (fake->accept_language);
  fake->accept_language = g_strdup (language);
  g_free (fake->content_type);
  fake->content_type = g_strdup (soup_message_headers_get_one (headers, "Content-Type"));
  g_free (fake->body);
  fake->body = g_strndup (body->data, body->length);
  g_mutex_unlock (&fake->lock);

  path = raw_path;
  if (g_str_has_prefix (path, "/api/"))
    {
      vestibule_handler (fake, message, path, language);
    }
  else if (g_str_has_prefix (path, "/html/"))
    {
      respond (message, SOUP_STATUS_NOT_FOUND, "text/html", "<h1>Not Found</h1>");
    }
  else if (g_str_has_prefix (path, "/redirect/"))
    {
      soup_server_message_set_redirect (message, SOUP_STATUS_FOUND,
                                        "https://elsewhere.example.org/api/v1/admin/accounts");
    }
  else if (g_str_has_prefix (path, "/down/"))
    {
      respond (message, SOUP_STATUS_SERVICE_UNAVAILABLE, "text/plain", "Service Unavailable");
    }
  else if (g_str_has_prefix (path, "/garbage/"))
    {
      respond (message, SOUP_STATUS_OK, "text/plain", "hello");
    }
  else if (g_str_has_prefix (path, "/crash/"))
    {
      respond_error (message, 500, "internal", "Something broke.", "Panne.", language);
    }
  else if (g_str_has_prefix (path, "/shape/"))
    {
      respond (message, SOUP_STATUS_OK, "application/json", "{\"accounts\": 3}");
    }
  else if (g_str_has_prefix (path, "/slow/"))
    {
      soup_server_message_pause (message);
      g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, 3, unpause_cb,
                                  g_object_ref (message), g_object_unref);
    }
  else
    {
      respond (message, SOUP_STATUS_NOT_FOUND, NULL, NULL);
    }
}

static gpointer
server_thread (gpointer user_data)
{
  FakeServer *fake = user_data;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (fake->context);

  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->server, NULL, server_callback, fake, NULL);
  soup_server_listen_local (fake->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (fake->server);
  g_mutex_lock (&fake->lock);
  fake->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_cond_signal (&fake->ready);
  g_mutex_unlock (&fake->lock);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_main_loop_run (fake->loop);

  soup_server_disconnect (fake->server);
  g_clear_object (&fake->server);
  /* Let the disconnections and the slow handler's timeout finish here. */
  while (g_main_context_iteration (fake->context, FALSE))
    ;
  g_main_context_pop_thread_default (fake->context);

  return NULL;
}

static void
fake_server_start (FakeServer *fake)
{
  g_mutex_init (&fake->lock);
  g_cond_init (&fake->ready);
  fake->context = g_main_context_new ();
  fake->loop = g_main_loop_new (fake->context, FALSE);

  g_mutex_lock (&fake->lock);
  fake->thread = g_thread_new ("fake-server", server_thread, fake);
  while (fake->url == NULL)
    g_cond_wait (&fake->ready, &fake->lock);
  g_mutex_unlock (&fake->lock);
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
fake_server_stop (FakeServer *fake)
{
  g_main_context_invoke (fake->context, quit_cb, fake->loop);
  g_thread_join (fake->thread);

  g_main_loop_unref (fake->loop);
  g_main_context_unref (fake->context);
  g_free (fake->url);
  g_free (fake->method);
  g_free (fake->path);
  g_free (fake->authorization);
  g_free (fake->accept_language);
  g_free (fake->content_type);
  g_free (fake->body);
  g_mutex_clear (&fake->lock);
  g_cond_clear (&fake->ready);
}

/* One fake server for the whole run: starting one per test is slow and
 * shows nothing more. */
static FakeServer fake;

static VstAdminClient *
client_for (const char *prefix,
            const char *token)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strconcat (fake.url, prefix, NULL);
  VstAdminClient *client = vst_admin_client_new (url, &error);

  g_assert_no_error (error);
  g_assert_nonnull (client);
  vst_admin_client_set_token (client, token);

  return client;
}

static void
test_list (void)
{
  g_autoptr(VstAdminClient) client = client_for ("", GOOD_TOKEN);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *accounts;

  root = vst_admin_client_list_accounts (client, NULL, &error);
  g_assert_no_error (error);
  accounts = json_object_get_array_member (json_node_get_object (root), "accounts");
  g_assert_cmpuint (json_array_get_length (accounts), ==, 1);

  g_assert_cmpstr (fake.method, ==, "GET");
  g_assert_cmpstr (fake.path, ==, "/api/v1/admin/accounts");
  g_assert_cmpstr (fake.authorization, ==, "Bearer " GOOD_TOKEN);
  g_assert_cmpstr (fake.accept_language, ==, "en");
}

static void
test_trailing_slash (void)
{
  g_autoptr(VstAdminClient) client = client_for ("///", GOOD_TOKEN);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_assert_cmpstr (vst_admin_client_get_server_url (client), ==, fake.url);
  root = vst_admin_client_list_accounts (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fake.path, ==, "/api/v1/admin/accounts");
}

static void
test_get_account (void)
{
  g_autoptr(VstAdminClient) client = client_for ("", GOOD_TOKEN);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) account = NULL;

  /* Logins are stored case-folded. */
  account = vst_admin_client_get_account (client, "JDupont", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (account), "login"), ==,
                   "jdupont");
  g_assert_cmpstr (fake.path, ==, "/api/v1/admin/accounts/jdupont");
}

static void
test_not_found (void)
{
  g_autoptr(VstAdminClient) client = client_for ("", GOOD_TOKEN);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) account = NULL;

  account = vst_admin_client_get_account (client, "ghost", NULL, &error);
  g_assert_null (account);
  g_assert_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "No account with login “ghost”.");
  g_assert_cmpint (vst_admin_error_get_exit_status (error), ==, VST_ADMIN_EXIT_REFUSED);
}

static void
test_login_escaped (void)
{
  g_autoptr(VstAdminClient) client = client_for ("", GOOD_TOKEN);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) account = NULL;

  /* A "?" cannot turn the rest into a query and reach "jdupont"... */
  account = vst_admin_client_get_account (client, "jdupont?x=1", NULL, &error);
  g_assert_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "No account with login “jdupont?x=1”.");
  /* (libsoup's server hands the path over decoded.) */
  g_assert_cmpstr (fake.path, ==, "/api/v1/admin/accounts/jdupont?x=1");
  g_clear_error (&error);

  /* ...and neither can dot segments or slashes, which are not even sent:
   * no login holds them. */
  g_clear_pointer (&fake.path, g_free);
  account = vst_admin_client_get_account (client, "..", NULL, &error);
  g_assert_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_NOT_FOUND);
  g_clear_error (&error);
  account = vst_admin_client_get_account (client, "jdupont/unlock", NULL, &error);
  g_assert_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "No account with login “jdupont/unlock”.");
  g_assert_null (fake.path);
}

static void
test_invite (void)
{
  g_autoptr(VstAdminClient) client = client_for ("", GOOD_TOKEN);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) account = NULL;
  g_autoptr(JsonNode) sent = NULL;
  JsonObject *object;
  VstAdminInvitation invitation = {
    .login = "emuller",
    .email = "elodie@example.org",
    .display_name = "Élodie Müller",
    .language = "fr",
  };

  account = vst_admin_client_invite (client, &invitation, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (account);

  g_assert_cmpstr (fake.method, ==, "POST");
  g_assert_cmpstr (fake.path, ==, "/api/v1/admin/accounts");
  g_assert_cmpstr (fake.content_type, ==, "application/json; charset=utf-8");
  sent = json_from_string (fake.body, &error);
  g_assert_no_error (error);
  object = json_node_get_object (sent);
  g_assert_cmpstr (json_object_get_string_member (object, "login"), ==, "emuller");
  g_assert_cmpstr (json_object_get_string_member (object, "email"), ==, "elodie@example.org");
  g_assert_cmpstr (json_object_get_string_member (object, "display_name"), ==, "Élodie Müller");
  g_assert_cmpstr (json_object_get_string_member (object, "language"), ==, "fr");
  /* Optional members are left out, not sent as null. */
  g_assert_false (json_object_has_member (object, "space_name"));
  g_assert_false (json_object_has_member (object, "space_url"));
}

static void
test_conflict_translated (void)
{
  g_autoptr(VstAdminClient) client = client_for ("", GOOD_TOKEN);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) account = NULL;
  VstAdminInvitation invitation = {
    .login = "taken",
    .email = "t@example.org",
    .display_name = "T",
    .language = "en",
    .space_name = "Space",
    .space_url = "https://spaces.example.org/x",
  };

  account = vst_admin_client_invite (client, &invitation, NULL, &error);
  g_assert_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_CONFLICT);
  g_assert_cmpstr (error->message, ==, "This login is taken.");
  g_clear_error (&error);

  /* The server's message comes in the language asked for. */
  vst_admin_client_set_accept_language (client, "fr");
  account = vst_admin_client_invite (client, &invitation, NULL, &error);
  g_assert_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_CONFLICT);
  g_assert_cmpstr (error->message, ==, "Cet identifiant est déjà pris.");
  g_assert_cmpstr (fake.accept_language, ==, "fr");
  g_assert_cmpint (vst_admin_error_get_exit_status (error), ==, VST_ADMIN_EXIT_REFUSED);
}

static void
test_resend (void)
{
  g_autoptr(VstAdminClient) client = client_for ("", GOOD_TOKEN);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) response = NULL;

  g_assert_true (vst_admin_client_resend_invitation (client, "jdupont", &response, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (response);
  g_assert_cmpstr (fake.method, ==, "POST");
  g_assert_cmpstr (fake.path, ==, "/api/v1/admin/accounts/jdupont/invitation");
  g_clear_pointer (&response, json_node_unref);

  /* A 202 with no body at all is a success too. */
  g_assert_true (vst_admin_client_resend_invitation (client, "silent", &response, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (response);

  g_assert_false (vst_admin_client_resend_invitation (client, "ghost", NULL, NULL, &error));
  g_assert_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_NOT_FOUND);
}

static void
test_reset_2fa_and_unlock (void)
{
  g_autoptr(VstAdminClient) client = client_for ("", GOOD_TOKEN);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reset = NULL;
  g_autoptr(JsonNode) unlocked = NULL;

  reset = vst_admin_client_reset_2fa (client, "jdupont", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fake.method, ==, "POST");
  g_assert_cmpstr (fake.path, ==, "/api/v1/admin/accounts/jdupont/reset-2fa");

  unlocked = vst_admin_client_unlock (client, "jdupont", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fake.path, ==, "/api/v1/admin/accounts/jdupont/unlock");
}

static void
test_wrong_token (void)
{
  g_autoptr(VstAdminClient) client = client_for ("", "wrong-token");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;

  root = vst_admin_client_list_accounts (client, NULL, &error);
  g_assert_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_UNAUTHORIZED);
  g_assert_true (g_str_has_prefix (error->message, "The admin token was refused"));
  g_assert_cmpint (vst_admin_error_get_exit_status (error), ==, VST_ADMIN_EXIT_UNAVAILABLE);
}

static void
test_not_vestibule (void)
{
  const struct {
    const char   *prefix;
    VstAdminError code;
    VstAdminExit  exit_status;
  } cases[] = {
    { "/html", VST_ADMIN_ERROR_PROTOCOL, VST_ADMIN_EXIT_UNAVAILABLE },
    { "/redirect", VST_ADMIN_ERROR_PROTOCOL, VST_ADMIN_EXIT_UNAVAILABLE },
    { "/down", VST_ADMIN_ERROR_UNREACHABLE, VST_ADMIN_EXIT_UNAVAILABLE },
    { "/garbage", VST_ADMIN_ERROR_PROTOCOL, VST_ADMIN_EXIT_UNAVAILABLE },
    { "/shape", VST_ADMIN_ERROR_PROTOCOL, VST_ADMIN_EXIT_UNAVAILABLE },
    { "/crash", VST_ADMIN_ERROR_SERVER, VST_ADMIN_EXIT_REFUSED },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(VstAdminClient) client = client_for (cases[i].prefix, GOOD_TOKEN);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) root = NULL;

      g_test_message ("server at %s", cases[i].prefix);
      root = vst_admin_client_list_accounts (client, NULL, &error);
      g_assert_null (root);
      g_assert_error (error, VST_ADMIN_ERROR, (int) cases[i].code);
      g_assert_cmpint (vst_admin_error_get_exit_status (error), ==, cases[i].exit_status);
    }

  /* A 404 from a server that is not Vestibule never reads as "no account". */
  {
    g_autoptr(VstAdminClient) client = client_for ("/html", GOOD_TOKEN);
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) account = vst_admin_client_get_account (client, "jdupont", NULL, &error);

    g_assert_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_PROTOCOL);
  }

  /* The redirect is reported, not followed with the token. */
  {
    g_autoptr(VstAdminClient) client = client_for ("/redirect", GOOD_TOKEN);
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) root = vst_admin_client_list_accounts (client, NULL, &error);

    g_assert_nonnull (strstr (error->message, "https://elsewhere.example.org/"));
  }
}

static void
test_timeout (void)
{
  g_autoptr(VstAdminClient) client = client_for ("/slow", GOOD_TOKEN);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_assert_cmpuint (vst_admin_client_get_timeout (client), ==, 15);
  vst_admin_client_set_timeout (client, 1);
  root = vst_admin_client_list_accounts (client, NULL, &error);
  g_assert_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, "did not answer within 1 second"));
}

static void
test_connection_refused (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(VstAdminClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *url = NULL;

  /* A port that was free a moment ago and that nobody listens on. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  client = vst_admin_client_new (url, &error);
  g_assert_no_error (error);
  vst_admin_client_set_token (client, GOOD_TOKEN);
  root = vst_admin_client_list_accounts (client, NULL, &error);
  g_assert_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_UNREACHABLE);
  g_assert_true (g_str_has_prefix (error->message, "Cannot reach the Vestibule server at "));
  g_assert_nonnull (strstr (error->message, url));
  g_assert_cmpint (vst_admin_error_get_exit_status (error), ==, VST_ADMIN_EXIT_UNAVAILABLE);
}

static void
test_invalid_urls (void)
{
  const char *invalid[] = {
    "",
    "127.0.0.1:8080",
    "ftp://example.org",
    "http://",
    "https://admin:secret@example.org",
    "https://example.org/?x=1",
    "https://example.org/#top",
    "not a url",
  };
  const char *local[] = {
    "http://127.0.0.1:8080",
    "http://localhost:8080/",
    "http://[::1]:8080",
    "https://vestibule.example.org",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VstAdminClient) client = vst_admin_client_new (invalid[i], &error);

      g_test_message ("%s", invalid[i]);
      g_assert_null (client);
      g_assert_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_INVALID_URL);
      g_assert_cmpint (vst_admin_error_get_exit_status (error), ==, VST_ADMIN_EXIT_USAGE);
    }

  for (i = 0; i < G_N_ELEMENTS (local); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VstAdminClient) client = vst_admin_client_new (local[i], &error);

      g_assert_no_error (error);
      g_assert_true (vst_admin_client_is_encrypted_or_local (client));
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(VstAdminClient) client = vst_admin_client_new ("http://vestibule.example.org/x/",
                                                             &error);

    g_assert_no_error (error);
    g_assert_false (vst_admin_client_is_encrypted_or_local (client));
    g_assert_cmpstr (vst_admin_client_get_server_url (client), ==,
                     "http://vestibule.example.org/x");
  }
}

static char *
write_token_file (const char *contents,
                  int         mode)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("vst-admin-token-XXXXXX", &path, &error);

  g_assert_no_error (error);
  g_close (fd, NULL);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);

  return path;
}

static void
test_token_file (void)
{
  const struct {
    const char *contents;
    const char *token;
  } cases[] = {
    { "s3cret-T0ken", "s3cret-T0ken" },
    { "  s3cret-T0ken\n", "s3cret-T0ken" },
    { "s3cret-T0ken\r\n\n", "s3cret-T0ken" },
    { "", NULL },
    { " \n\t\n", NULL },
    { "two\nlines", NULL },
    { "with space", NULL },
    { "caf\xc3\xa9", NULL },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_token_file (cases[i].contents, 0600);
      g_autoptr(GError) error = NULL;
      gboolean exposed = TRUE;
      char *token = vst_admin_read_token_file (path, &exposed, &error);

      g_test_message ("token file holding “%s”", cases[i].contents);
      if (cases[i].token != NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (token, ==, cases[i].token);
          g_assert_false (exposed);
        }
      else
        {
          g_assert_null (token);
          g_assert_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_TOKEN);
          g_assert_nonnull (strstr (error->message, path));
          g_assert_cmpint (vst_admin_error_get_exit_status (error), ==,
                           VST_ADMIN_EXIT_UNAVAILABLE);
        }

      vst_admin_token_free (token);
      g_unlink (path);
    }
}

static void
test_token_file_modes (void)
{
  const struct {
    int      mode;
    gboolean exposed;
  } cases[] = {
    { 0600, FALSE },
    { 0400, FALSE },
    { 0640, TRUE },
    { 0604, TRUE },
    { 0644, TRUE },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_token_file ("tok", cases[i].mode);
      g_autoptr(GError) error = NULL;
      gboolean exposed = !cases[i].exposed;
      char *token = vst_admin_read_token_file (path, &exposed, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (token, ==, "tok");
      g_assert_cmpint (exposed, ==, cases[i].exposed);

      vst_admin_token_free (token);
      g_unlink (path);
    }
}

static void
test_token_file_missing (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vst-admin-XXXXXX", &error);
  g_autofree char *missing = g_build_filename (dir, "admin-token", NULL);
  char *token;

  g_assert_no_error (error);

  token = vst_admin_read_token_file (missing, NULL, &error);
  g_assert_null (token);
  g_assert_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_TOKEN);
  g_assert_nonnull (strstr (error->message, "--token-file"));
  g_clear_error (&error);

  /* A directory is not a token file, and reading it must not hang. */
  token = vst_admin_read_token_file (dir, NULL, &error);
  g_assert_null (token);
  g_assert_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_TOKEN);

  g_rmdir (dir);
}

static void
test_token_file_too_large (void)
{
  g_autofree char *large = g_strnfill (5000, 'a');
  g_autofree char *path = write_token_file (large, 0600);
  g_autoptr(GError) error = NULL;
  char *token = vst_admin_read_token_file (path, NULL, &error);

  g_assert_null (token);
  g_assert_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_TOKEN);
  g_unlink (path);
}

static void
test_language_from_locale (void)
{
  g_assert_cmpstr (vst_admin_language_from_locale (NULL, NULL, NULL, NULL), ==, "en");
  g_assert_cmpstr (vst_admin_language_from_locale ("fr", NULL, NULL, "C"), ==, "fr");
  g_assert_cmpstr (vst_admin_language_from_locale ("fr_CA:en", NULL, NULL, NULL), ==, "fr");
  g_assert_cmpstr (vst_admin_language_from_locale ("en:fr", NULL, NULL, "fr_FR.UTF-8"), ==, "en");
  g_assert_cmpstr (vst_admin_language_from_locale ("", "fr_BE.UTF-8", "en_GB", NULL), ==, "fr");
  g_assert_cmpstr (vst_admin_language_from_locale (NULL, "", "fr_FR", "en_US"), ==, "fr");
  g_assert_cmpstr (vst_admin_language_from_locale (NULL, NULL, NULL, "fr_CH.UTF-8"), ==, "fr");
  g_assert_cmpstr (vst_admin_language_from_locale (NULL, "C.UTF-8", NULL, "fr_FR"), ==, "en");
  g_assert_cmpstr (vst_admin_language_from_locale ("de", NULL, NULL, NULL), ==, "en");
}

static void
test_exit_status (void)
{
  g_autoptr(GError) io = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x");
  g_autoptr(GError) tls = g_error_new_literal (VST_ADMIN_ERROR, VST_ADMIN_ERROR_TLS, "x");
  g_autoptr(GError) invalid = g_error_new_literal (VST_ADMIN_ERROR, VST_ADMIN_ERROR_INVALID, "x");

  g_assert_cmpint (vst_admin_error_get_exit_status (io), ==, VST_ADMIN_EXIT_REFUSED);
  g_assert_cmpint (vst_admin_error_get_exit_status (tls), ==, VST_ADMIN_EXIT_UNAVAILABLE);
  g_assert_cmpint (vst_admin_error_get_exit_status (invalid), ==, VST_ADMIN_EXIT_REFUSED);
}

static void
test_finalize (void)
{
  g_autoptr(GError) error = NULL;
  VstAdminClient *client = vst_admin_client_new ("http://127.0.0.1:1", &error);

  g_assert_no_error (error);
  vst_admin_client_set_token (client, "a");
  vst_admin_client_set_token (client, "b");
  g_assert_finalize_object (client);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_unsetenv ("LANGUAGE");
  /* The fake server is on 127.0.0.1; a proxy from the environment must not
   * stand in between. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_unsetenv ("http_proxy");
  g_unsetenv ("HTTP_PROXY");
  setlocale (LC_ALL, "");

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/admin/client/list", test_list);
  g_test_add_func ("/admin/client/trailing-slash", test_trailing_slash);
  g_test_add_func ("/admin/client/get-account", test_get_account);
  g_test_add_func ("/admin/client/not-found", test_not_found);
  g_test_add_func ("/admin/client/login-escaped", test_login_escaped);
  g_test_add_func ("/admin/client/invite", test_invite);
  g_test_add_func ("/admin/client/conflict-translated", test_conflict_translated);
  g_test_add_func ("/admin/client/resend", test_resend);
  g_test_add_func ("/admin/client/reset-2fa-and-unlock", test_reset_2fa_and_unlock);
  g_test_add_func ("/admin/client/wrong-token", test_wrong_token);
  g_test_add_func ("/admin/client/not-vestibule", test_not_vestibule);
  g_test_add_func ("/admin/client/timeout", test_timeout);
  g_test_add_func ("/admin/client/connection-refused", test_connection_refused);
  g_test_add_func ("/admin/client/invalid-urls", test_invalid_urls);
  g_test_add_func ("/admin/client/token-file", test_token_file);
  g_test_add_func ("/admin/client/token-file/modes", test_token_file_modes);
  g_test_add_func ("/admin/client/token-file/missing", test_token_file_missing);
  g_test_add_func ("/admin/client/token-file/too-large", test_token_file_too_large);
  g_test_add_func ("/admin/client/language", test_language_from_locale);
  g_test_add_func ("/admin/client/exit-status", test_exit_status);
  g_test_add_func ("/admin/client/finalize", test_finalize);

  fake_server_start (&fake);
  status = g_test_run ();
  fake_server_stop (&fake);

  return status;
}
