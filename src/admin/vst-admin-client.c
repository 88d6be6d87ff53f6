/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "vestibule-admin"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vst-admin-client.h"

#define DEFAULT_TIMEOUT_SECONDS 15

/* A token is a few dozen characters; anything much larger is the wrong file
 * (a key, a log), and should not be sent as a header. */
#define MAX_TOKEN_FILE_SIZE 4096

G_DEFINE_QUARK (vst-admin-error-quark, vst_admin_error)

struct _VstAdminClient
{
  GObject      parent_instance;

  char        *server_url;
  char        *authorization;
  char        *accept_language;
  gboolean     encrypted_or_local;
  SoupSession *session;
};

G_DEFINE_FINAL_TYPE (VstAdminClient, vst_admin_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SERVER_URL,
  PROP_ACCEPT_LANGUAGE,
  PROP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

VstAdminExit
vst_admin_error_get_exit_status (const GError *error)
{
  g_return_val_if_fail (error != NULL, VST_ADMIN_EXIT_REFUSED);

  if (error->domain != VST_ADMIN_ERROR)
    return VST_ADMIN_EXIT_REFUSED;

  switch ((VstAdminError) error->code)
    {
    case VST_ADMIN_ERROR_INVALID_URL:
      return VST_ADMIN_EXIT_USAGE;

    case VST_ADMIN_ERROR_TOKEN:
    case VST_ADMIN_ERROR_UNREACHABLE:
    case VST_ADMIN_ERROR_TLS:
    case VST_ADMIN_ERROR_UNAUTHORIZED:
    case VST_ADMIN_ERROR_PROTOCOL:
      return VST_ADMIN_EXIT_UNAVAILABLE;

    case VST_ADMIN_ERROR_NOT_FOUND:
    case VST_ADMIN_ERROR_CONFLICT:
    case VST_ADMIN_ERROR_INVALID:
    case VST_ADMIN_ERROR_THROTTLED:
    case VST_ADMIN_ERROR_REFUSED:
    case VST_ADMIN_ERROR_SERVER:
    default:
      return VST_ADMIN_EXIT_REFUSED;
    }
}

/* Token file */

void
vst_admin_token_free (char *token)
{
  if (token == NULL)
    return;
  explicit_bzero (token, strlen (token));
  g_free (token);
}

static gboolean
is_token_character (char c)
{
  /* Printable ASCII without the space: what fits in an HTTP header as is. */
  return c > 0x20 && c < 0x7f;
}

char *
vst_admin_read_token_file (const char  *path,
                           gboolean    *out_exposed,
                           GError     **error)
{
  g_autofree char *display_path = NULL;
  char buffer[MAX_TOKEN_FILE_SIZE + 1];
  struct stat st;
  gsize length = 0;
  gsize start, end, i;
  char *token = NULL;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  display_path = g_filename_display_name (path);

  /* O_NONBLOCK so that a FIFO put there by mistake fails below instead of
   * hanging the command. */
  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_TOKEN,
                     _("There is no admin token file at %s. Put the token there, or give the "
                       "file’s path with --token-file or VESTIBULE_ADMIN_TOKEN_FILE."),
                     display_path);
      else
        g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_TOKEN,
                     _("Cannot read the admin token file %s: %s"),
                     display_path, g_strerror (saved_errno));
      return NULL;
    }

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_TOKEN,
                   _("The admin token file %s is not a regular file."), display_path);
      g_close (fd, NULL);
      return NULL;
    }

  while (length <= MAX_TOKEN_FILE_SIZE)
    {
      gssize n = read (fd, buffer + length, sizeof buffer - length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_TOKEN,
                       _("Cannot read the admin token file %s: %s"),
                       display_path, g_strerror (saved_errno));
          goto out;
        }
      if (n == 0)
        break;
      length += n;
    }

  if (length > MAX_TOKEN_FILE_SIZE)
    {
      g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_TOKEN,
                   _("The admin token file %s is too large to hold a token."), display_path);
      goto out;
    }

  /* Editors add a final newline; people paste with blanks around. */
  for (start = 0; start < length && g_ascii_isspace (buffer[start]); start++)
    ;
  for (end = length; end > start && g_ascii_isspace (buffer[end - 1]); end--)
    ;

  if (start == end)
    {
      g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_TOKEN,
                   _("The admin token file %s is empty."), display_path);
      goto out;
    }

  for (i = start; i < end; i++)
    {
      if (!is_token_character (buffer[i]))
        {
          g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_TOKEN,
                       _("The admin token file %s must hold the token alone, on one line."),
                       display_path);
          goto out;
        }
    }

  token = g_strndup (buffer + start, end - start);
  if (out_exposed != NULL)
    *out_exposed = (st.st_mode & (S_IRGRP | S_IROTH)) != 0;

out:
  explicit_bzero (buffer, sizeof buffer);
  g_close (fd, NULL);
  return token;
}

/* Language */

const char *
vst_admin_language_from_locale (const char *language,
                                const char *lc_all,
                                const char *lc_messages,
                                const char *lang)
{
  const char *candidates[] = { language, lc_all, lc_messages, lang };
  guint i;

  /* The order gettext reads them in; the first one set decides. */
  for (i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      if (candidates[i] != NULL && *candidates[i] != '\0')
        return g_str_has_prefix (candidates[i], "fr") ? "fr" : "en";
    }

  return "en";
}

const char *
vst_admin_language_from_environment (void)
{
  return vst_admin_language_from_locale (g_getenv ("LANGUAGE"),
                                         g_getenv ("LC_ALL"),
                                         g_getenv ("LC_MESSAGES"),
                                         g_getenv ("LANG"));
}

/* Client */

static gboolean
is_local_host (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* Checks @server_url and returns it without trailing slashes, ready for
 * "/api/v1/…" to be appended. */
static char *
normalize_server_url (const char  *server_url,
                      gboolean    *out_encrypted_or_local,
                      GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *scheme;
  const char *host;
  gsize length;

  uri = g_uri_parse (server_url, G_URI_FLAGS_NONE, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_INVALID_URL,
                   _("“%s” is not a valid server address: %s"),
                   server_url, local_error->message);
      return NULL;
    }

  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if ((g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
      || host == NULL || *host == '\0')
    {
      g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_INVALID_URL,
                   _("“%s” is not a valid server address: give an http:// or https:// address, "
                     "such as https://vestibule.example.org."),
                   server_url);
      return NULL;
    }

  /* A password in the address would end up in the shell history and in
   * the process list; the admin token is what authenticates. */
  if (g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_INVALID_URL,
                   _("The server address must not hold a user name or password."));
      return NULL;
    }

  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_INVALID_URL,
                   _("“%s” is not a valid server address: remove what follows “?” or "
                     "“#”."),
                   server_url);
      return NULL;
    }

  *out_encrypted_or_local = g_ascii_strcasecmp (scheme, "https") == 0 || is_local_host (host);

  length = strlen (server_url);
  while (length > 0 && server_url[length - 1] == '/')
    length--;

  return g_strndup (server_url, length);
}

static void
vst_admin_client_finalize (GObject *object)
{
  VstAdminClient *self = (VstAdminClient *) object;

  g_clear_object (&self->session);
  g_clear_pointer (&self->server_url, g_free);
  g_clear_pointer (&self->accept_language, g_free);
  g_clear_pointer (&self->authorization, vst_admin_token_free);

  G_OBJECT_CLASS (vst_admin_client_parent_class)->finalize (object);
}

static void
vst_admin_client_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  VstAdminClient *self = VST_ADMIN_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;

    case PROP_ACCEPT_LANGUAGE:
      g_value_set_string (value, self->accept_language);
      break;

    case PROP_TIMEOUT:
      g_value_set_uint (value, vst_admin_client_get_timeout (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vst_admin_client_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  VstAdminClient *self = VST_ADMIN_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SERVER_URL:
      /* Checked by vst_admin_client_new(), which is the only constructor. */
      self->server_url = g_value_dup_string (value);
      break;

    case PROP_ACCEPT_LANGUAGE:
      vst_admin_client_set_accept_language (self, g_value_get_string (value));
      break;

    case PROP_TIMEOUT:
      vst_admin_client_set_timeout (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vst_admin_client_class_init (VstAdminClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vst_admin_client_finalize;
  object_class->get_property = vst_admin_client_get_property;
  object_class->set_property = vst_admin_client_set_property;

  properties[PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_ACCEPT_LANGUAGE] =
    g_param_spec_string ("accept-language", NULL, NULL,
                         "en",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL,
                       1, 3600, DEFAULT_TIMEOUT_SECONDS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vst_admin_client_init (VstAdminClient *self)
{
  self->accept_language = g_strdup ("en");
  self->session = soup_session_new_with_options ("timeout", DEFAULT_TIMEOUT_SECONDS,
                                                 "user-agent", "vestibule-admin/" PACKAGE_VERSION,
                                                 NULL);
}

VstAdminClient *
vst_admin_client_new (const char  *server_url,
                      GError     **error)
{
  g_autofree char *normalized = NULL;
  VstAdminClient *self;
  gboolean encrypted_or_local = FALSE;

  g_return_val_if_fail (server_url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  normalized = normalize_server_url (server_url, &encrypted_or_local, error);
  if (normalized == NULL)
    return NULL;

  self = g_object_new (VST_TYPE_ADMIN_CLIENT,
                       "server-url", normalized,
                       NULL);
  self->encrypted_or_local = encrypted_or_local;

  return self;
}

void
vst_admin_client_set_token (VstAdminClient *self,
                            const char     *token)
{
  g_return_if_fail (VST_IS_ADMIN_CLIENT (self));
  g_return_if_fail (token != NULL);

  g_clear_pointer (&self->authorization, vst_admin_token_free);
  self->authorization = g_strconcat ("Bearer ", token, NULL);
}

const char *
vst_admin_client_get_server_url (VstAdminClient *self)
{
  g_return_val_if_fail (VST_IS_ADMIN_CLIENT (self), NULL);

  return self->server_url;
}

gboolean
vst_admin_client_is_encrypted_or_local (VstAdminClient *self)
{
  g_return_val_if_fail (VST_IS_ADMIN_CLIENT (self), FALSE);

  return self->encrypted_or_local;
}

const char *
vst_admin_client_get_accept_language (VstAdminClient *self)
{
  g_return_val_if_fail (VST_IS_ADMIN_CLIENT (self), NULL);

  return self->accept_language;
}

void
vst_admin_client_set_accept_language (VstAdminClient *self,
                                      const char     *language)
{
  g_return_if_fail (VST_IS_ADMIN_CLIENT (self));

  if (language == NULL || *language == '\0')
    language = "en";

  if (g_strcmp0 (self->accept_language, language) == 0)
    return;

  g_free (self->accept_language);
  self->accept_language = g_strdup (language);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCEPT_LANGUAGE]);
}

guint
vst_admin_client_get_timeout (VstAdminClient *self)
{
  g_return_val_if_fail (VST_IS_ADMIN_CLIENT (self), 0);

  return soup_session_get_timeout (self->session);
}

void
vst_admin_client_set_timeout (VstAdminClient *self,
                              guint           seconds)
{
  g_return_if_fail (VST_IS_ADMIN_CLIENT (self));
  g_return_if_fail (seconds > 0);

  if (soup_session_get_timeout (self->session) == seconds)
    return;

  soup_session_set_timeout (self->session, seconds);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

static const char *
error_member (JsonNode   *root,
              const char *name)
{
  JsonObject *object;
  JsonNode *node;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  object = json_node_get_object (root);
  node = json_object_get_member (object, name);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static void
set_transport_error (VstAdminClient  *self,
                     GError          *transport_error,
                     GError         **error)
{
  if (g_error_matches (transport_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_error_copy (transport_error));
      return;
    }

  if (transport_error->domain == G_TLS_ERROR)
    {
      g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_TLS,
                   _("Cannot establish a secure connection to the Vestibule server at %s: %s"),
                   self->server_url, transport_error->message);
      return;
    }

  if (g_error_matches (transport_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      guint timeout = vst_admin_client_get_timeout (self);

      g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_UNREACHABLE,
                   ngettext ("The Vestibule server at %s did not answer within %u second.",
                             "The Vestibule server at %s did not answer within %u seconds.",
                             timeout),
                   self->server_url, timeout);
      return;
    }

  /* Garbage instead of HTTP: most often http:// given for an https:// port. */
  if (transport_error->domain == SOUP_SESSION_ERROR)
    {
      g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_PROTOCOL,
                   _("The server at %s does not answer in HTTP (%s). Is the address right, "
                     "with https:// where needed?"),
                   self->server_url, transport_error->message);
      return;
    }

  g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_UNREACHABLE,
               _("Cannot reach the Vestibule server at %s: %s"),
               self->server_url, transport_error->message);
}

static void
set_http_error (VstAdminClient  *self,
                SoupMessage     *message,
                JsonNode        *root,
                const char      *login,
                GError         **error)
{
  guint status = soup_message_get_status (message);
  const char *reason = soup_message_get_reason_phrase (message);
  const char *code = error_member (root, "error");
  const char *server_message = error_member (root, "message");
  VstAdminError error_code;

  if (reason == NULL || *reason == '\0')
    reason = soup_status_get_phrase (status);
  if (server_message != NULL && *server_message == '\0')
    server_message = NULL;

  /* Redirects are not followed: the token must not go to another host, and
   * a POST must not silently become a GET. */
  if (SOUP_STATUS_IS_REDIRECTION (status))
    {
      SoupMessageHeaders *headers = soup_message_get_response_headers (message);
      const char *location = soup_message_headers_get_one (headers, "Location");

      g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_PROTOCOL,
                   _("The server at %s redirects to %s; use the address of the Vestibule "
                     "server itself."),
                   self->server_url, location != NULL ? location : "?");
      return;
    }

  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    {
      g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_UNAUTHORIZED,
                   _("The admin token was refused by the Vestibule server at %s."),
                   self->server_url);
      return;
    }

  if (status == SOUP_STATUS_NOT_FOUND)
    {
      if (login != NULL && g_strcmp0 (code, "not_found") == 0)
        g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_NOT_FOUND,
                     _("No account with login “%s”."), login);
      else
        g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_PROTOCOL,
                     _("The server at %s does not offer the Vestibule helpdesk API (HTTP 404). "
                       "Is the address right?"),
                     self->server_url);
      return;
    }

  /* What a proxy in front of a stopped server says. */
  if (code == NULL
      && (status == SOUP_STATUS_BAD_GATEWAY
          || status == SOUP_STATUS_SERVICE_UNAVAILABLE
          || status == SOUP_STATUS_GATEWAY_TIMEOUT))
    {
      g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_UNREACHABLE,
                   _("Cannot reach the Vestibule server at %s: HTTP %u %s"),
                   self->server_url, status, reason);
      return;
    }

  if (SOUP_STATUS_IS_SERVER_ERROR (status))
    {
      if (server_message != NULL)
        g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_SERVER,
                     _("The Vestibule server failed: %s"), server_message);
      else
        g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_SERVER,
                     _("The Vestibule server failed: HTTP %u %s"), status, reason);
      return;
    }

  if (code == NULL)
    {
      g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_PROTOCOL,
                   _("The server at %s answered HTTP %u %s, which a Vestibule server never "
                     "does. Is the address right?"),
                   self->server_url, status, reason);
      return;
    }

  switch (status)
    {
    case SOUP_STATUS_BAD_REQUEST:
    case SOUP_STATUS_UNPROCESSABLE_ENTITY:
      error_code = VST_ADMIN_ERROR_INVALID;
      break;

    case SOUP_STATUS_CONFLICT:
      error_code = VST_ADMIN_ERROR_CONFLICT;
      break;

    case 429: /* Too Many Requests: not in libsoup 3.2's list. */
      error_code = VST_ADMIN_ERROR_THROTTLED;
      break;

    default:
      error_code = VST_ADMIN_ERROR_REFUSED;
      break;
    }

  /* The server's message is already in the agent's language. */
  if (server_message != NULL)
    g_set_error_literal (error, VST_ADMIN_ERROR, error_code, server_message);
  else
    g_set_error (error, VST_ADMIN_ERROR, error_code,
                 _("The Vestibule server refused the request: %s (HTTP %u)"), code, status);
}

/* Sends one request and returns the JSON the server answered with, or NULL
 * in @out_root when a success came with no body. @login names the account
 * in a "no such account" message; NULL when the route names none. */
static gboolean
send_request (VstAdminClient  *self,
              const char      *method,
              const char      *path,
              const char      *login,
              JsonNode        *body,
              JsonNode       **out_root,
              GCancellable    *cancellable,
              GError         **error)
{
  g_autofree char *url = g_strconcat (self->server_url, path, NULL);
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) response = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  SoupMessageHeaders *headers;
  gconstpointer data;
  gsize size;

  message = soup_message_new (method, url);
  if (message == NULL)
    {
      g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_INVALID_URL,
                   _("“%s” is not a valid address."), url);
      return FALSE;
    }

  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);

  headers = soup_message_get_request_headers (message);
  if (self->authorization != NULL)
    soup_message_headers_replace (headers, "Authorization", self->authorization);
  soup_message_headers_replace (headers, "Accept", "application/json");
  soup_message_headers_replace (headers, "Accept-Language", self->accept_language);

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = NULL;
      char *text = json_to_string (body, FALSE);

      bytes = g_bytes_new_take (text, strlen (text));
      soup_message_set_request_body_from_bytes (message, "application/json; charset=utf-8", bytes);
    }

  response = soup_session_send_and_read (self->session, message, cancellable, &local_error);
  if (response == NULL)
    {
      set_transport_error (self, local_error, error);
      return FALSE;
    }

  data = g_bytes_get_data (response, &size);
  if (size > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();

      /* A body that is not JSON is kept as NULL: for an error status the
       * status alone is enough to explain, for a success it is checked
       * below. */
      if (json_parser_load_from_data (parser, data, size, NULL))
        root = json_parser_steal_root (parser);
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (message)))
    {
      set_http_error (self, message, root, login, error);
      return FALSE;
    }

  if (size > 0 && root == NULL)
    {
      g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_PROTOCOL,
                   _("The server at %s answered with something other than JSON. Is the address "
                     "right?"),
                   self->server_url);
      return FALSE;
    }

  *out_root = g_steal_pointer (&root);
  return TRUE;
}

static JsonNode *
expect_object (VstAdminClient  *self,
               JsonNode        *root,
               const char      *member,
               GError         **error)
{
  g_autoptr(JsonNode) owned = root;
  gboolean expected = owned != NULL && JSON_NODE_HOLDS_OBJECT (owned);

  if (expected && member != NULL)
    {
      JsonNode *node = json_object_get_member (json_node_get_object (owned), member);

      expected = node != NULL && JSON_NODE_HOLDS_ARRAY (node);
    }

  if (!expected)
    {
      g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_PROTOCOL,
                   _("The server at %s answered with JSON of an unexpected shape. Is it a "
                     "Vestibule server of the same version?"),
                   self->server_url);
      return NULL;
    }

  return g_steal_pointer (&owned);
}

/* "/api/v1/admin/accounts/<login><suffix>" with the login escaped. */
static char *
account_path (const char *login,
              const char *suffix)
{
  /* Logins are stored case-folded; "JDupont" typed from an e-mail should
   * still find "jdupont". */
  g_autofree char *folded = g_ascii_strdown (login, -1);
  g_autofree char *escaped = g_uri_escape_string (folded, NULL, FALSE);

  return g_strconcat ("/api/v1/admin/accounts/", escaped, suffix, NULL);
}

/* "." and ".." are made of valid login characters but would be resolved
 * away as path segments, and libsoup's server decodes an escaped "/" before
 * routing: either would reach another route. No account has such a login,
 * so say so without asking. */
static gboolean
check_login (const char  *login,
             GError     **error)
{
  if (*login != '\0' && !g_str_equal (login, ".") && !g_str_equal (login, "..")
      && strchr (login, '/') == NULL)
    return TRUE;

  g_set_error (error, VST_ADMIN_ERROR, VST_ADMIN_ERROR_NOT_FOUND,
               _("No account with login “%s”."), login);
  return FALSE;
}

static JsonNode *
account_request (VstAdminClient  *self,
                 const char      *method,
                 const char      *login,
                 const char      *suffix,
                 GCancellable    *cancellable,
                 GError         **error)
{
  g_autofree char *path = NULL;
  JsonNode *root = NULL;

  if (!check_login (login, error))
    return NULL;

  path = account_path (login, suffix);
  if (!send_request (self, method, path, login, NULL, &root, cancellable, error))
    return NULL;

  return expect_object (self, root, NULL, error);
}

JsonNode *
vst_admin_client_list_accounts (VstAdminClient  *self,
                                GCancellable    *cancellable,
                                GError         **error)
{
  JsonNode *root = NULL;

  g_return_val_if_fail (VST_IS_ADMIN_CLIENT (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!send_request (self, SOUP_METHOD_GET, "/api/v1/admin/accounts", NULL, NULL, &root,
                     cancellable, error))
    return NULL;

  return expect_object (self, root, "accounts", error);
}

JsonNode *
vst_admin_client_get_account (VstAdminClient  *self,
                              const char      *login,
                              GCancellable    *cancellable,
                              GError         **error)
{
  g_return_val_if_fail (VST_IS_ADMIN_CLIENT (self), NULL);
  g_return_val_if_fail (login != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return account_request (self, SOUP_METHOD_GET, login, "", cancellable, error);
}

JsonNode *
vst_admin_client_invite (VstAdminClient            *self,
                         const VstAdminInvitation  *invitation,
                         GCancellable              *cancellable,
                         GError                   **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) body = NULL;
  JsonNode *root = NULL;

  g_return_val_if_fail (VST_IS_ADMIN_CLIENT (self), NULL);
  g_return_val_if_fail (invitation != NULL, NULL);
  g_return_val_if_fail (invitation->login != NULL, NULL);
  g_return_val_if_fail (invitation->email != NULL, NULL);
  g_return_val_if_fail (invitation->display_name != NULL, NULL);
  g_return_val_if_fail (invitation->language != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "login");
  json_builder_add_string_value (builder, invitation->login);
  json_builder_set_member_name (builder, "email");
  json_builder_add_string_value (builder, invitation->email);
  json_builder_set_member_name (builder, "display_name");
  json_builder_add_string_value (builder, invitation->display_name);
  json_builder_set_member_name (builder, "language");
  json_builder_add_string_value (builder, invitation->language);
  if (invitation->space_name != NULL)
    {
      json_builder_set_member_name (builder, "space_name");
      json_builder_add_string_value (builder, invitation->space_name);
    }
  if (invitation->space_url != NULL)
    {
      json_builder_set_member_name (builder, "space_url");
      json_builder_add_string_value (builder, invitation->space_url);
    }
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  /* No login for the 404 message: this route names no account. */
  if (!send_request (self, SOUP_METHOD_POST, "/api/v1/admin/accounts", NULL, body, &root,
                     cancellable, error))
    return NULL;

  return expect_object (self, root, NULL, error);
}

gboolean
vst_admin_client_resend_invitation (VstAdminClient  *self,
                                    const char      *login,
                                    JsonNode       **out_response,
                                    GCancellable    *cancellable,
                                    GError         **error)
{
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (VST_IS_ADMIN_CLIENT (self), FALSE);
  g_return_val_if_fail (login != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_login (login, error))
    return FALSE;

  path = account_path (login, "/invitation");
  if (!send_request (self, SOUP_METHOD_POST, path, login, NULL, &root, cancellable, error))
    return FALSE;

  if (out_response != NULL)
    *out_response = g_steal_pointer (&root);

  return TRUE;
}

JsonNode *
vst_admin_client_reset_2fa (VstAdminClient  *self,
                            const char      *login,
                            GCancellable    *cancellable,
                            GError         **error)
{
  g_return_val_if_fail (VST_IS_ADMIN_CLIENT (self), NULL);
  g_return_val_if_fail (login != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return account_request (self, SOUP_METHOD_POST, login, "/reset-2fa", cancellable, error);
}

JsonNode *
vst_admin_client_unlock (VstAdminClient  *self,
                         const char      *login,
                         GCancellable    *cancellable,
                         GError         **error)
{
  g_return_val_if_fail (VST_IS_ADMIN_CLIENT (self), NULL);
  g_return_val_if_fail (login != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return account_request (self, SOUP_METHOD_POST, login, "/unlock", cancellable, error);
}
