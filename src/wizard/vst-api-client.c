/* vst-api-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>
#include <vestibule.h>

#include "vst-api-client.h"
#include "vst-util.h"

#define REQUEST_TIMEOUT_SECONDS 20

/* The details an API error carries beside its message. */
typedef struct {
  char   *code;
  guint   status;
  gint64  retry_after;
  char   *reason;
  char  **violations;
} VstApiErrorPrivate;

static void
vst_api_error_private_init (VstApiErrorPrivate *priv)
{
  priv->code = NULL;
  priv->status = 0;
  priv->retry_after = 0;
  priv->reason = NULL;
  priv->violations = NULL;
}

static void
vst_api_error_private_copy (const VstApiErrorPrivate *src,
                            VstApiErrorPrivate       *dest)
{
  dest->code = g_strdup (src->code);
  dest->status = src->status;
  dest->retry_after = src->retry_after;
  dest->reason = g_strdup (src->reason);
  dest->violations = g_strdupv (src->violations);
}

static void
vst_api_error_private_clear (VstApiErrorPrivate *priv)
{
  g_clear_pointer (&priv->code, g_free);
  g_clear_pointer (&priv->reason, g_free);
  g_clear_pointer (&priv->violations, g_strfreev);
}

G_DEFINE_EXTENDED_ERROR (VstApiError, vst_api_error)

static const char *transport_codes[] = {
  [VST_API_ERROR_NETWORK] = "network",
  [VST_API_ERROR_TIMEOUT] = "timeout",
  [VST_API_ERROR_TLS] = "tls",
  [VST_API_ERROR_SERVER] = "server",
  [VST_API_ERROR_REJECTED] = "rejected",
};

const char *
vst_api_error_get_code (const GError *error)
{
  VstApiErrorPrivate *priv;

  g_return_val_if_fail (error != NULL, NULL);
  g_return_val_if_fail (error->domain == VST_API_ERROR, NULL);

  priv = vst_api_error_get_private (error);
  if (priv->code != NULL)
    return priv->code;
  if (error->code >= 0 && error->code <= VST_API_ERROR_REJECTED)
    return transport_codes[error->code];
  return "unknown";
}

guint
vst_api_error_get_status (const GError *error)
{
  g_return_val_if_fail (error != NULL && error->domain == VST_API_ERROR, 0);

  return vst_api_error_get_private (error)->status;
}

gint64
vst_api_error_get_retry_after (const GError *error)
{
  g_return_val_if_fail (error != NULL && error->domain == VST_API_ERROR, 0);

  return vst_api_error_get_private (error)->retry_after;
}

const char *
vst_api_error_get_reason (const GError *error)
{
  g_return_val_if_fail (error != NULL && error->domain == VST_API_ERROR, NULL);

  return vst_api_error_get_private (error)->reason;
}

const char * const *
vst_api_error_get_violations (const GError *error)
{
  g_return_val_if_fail (error != NULL && error->domain == VST_API_ERROR, NULL);

  return (const char * const *) vst_api_error_get_private (error)->violations;
}

gboolean
vst_api_error_is_transport (const GError *error)
{
  return error != NULL &&
         error->domain == VST_API_ERROR &&
         error->code != VST_API_ERROR_REJECTED;
}

const char *
vst_error_get_support_code (const GError *error)
{
  if (error == NULL)
    return NULL;
  if (error->domain == VST_API_ERROR)
    return vst_api_error_get_code (error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return "cancelled";
  return g_quark_to_string (error->domain);
}

struct _VstApiClient
{
  GObject      parent_instance;

  SoupSession *soup;
  char        *base_url;
  char        *session_token;
};

G_DEFINE_FINAL_TYPE (VstApiClient, vst_api_client, G_TYPE_OBJECT)

static void
vst_api_client_finalize (GObject *object)
{
  VstApiClient *self = (VstApiClient *)object;

  g_clear_object (&self->soup);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->session_token, vst_secure_free);

  G_OBJECT_CLASS (vst_api_client_parent_class)->finalize (object);
}

static void
vst_api_client_class_init (VstApiClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vst_api_client_finalize;
}

static void
vst_api_client_init (VstApiClient *self)
{
  g_autofree char *user_agent = g_strdup_printf ("Vestibule/%s", PACKAGE_VERSION);

  self->soup = soup_session_new_with_options ("timeout", REQUEST_TIMEOUT_SECONDS,
                                              "idle-timeout", 60,
                                              "user-agent", user_agent,
                                              NULL);
}

VstApiClient *
vst_api_client_new (const char *base_url)
{
  VstApiClient *self;
  gsize len;

  g_return_val_if_fail (base_url != NULL, NULL);

  self = g_object_new (VST_TYPE_API_CLIENT, NULL);
  self->base_url = g_strdup (base_url);
  len = strlen (self->base_url);
  while (len > 0 && self->base_url[len - 1] == '/')
    self->base_url[--len] = '\0';

  return self;
}

const char *
vst_api_client_get_base_url (VstApiClient *self)
{
  g_return_val_if_fail (VST_IS_API_CLIENT (self), NULL);

  return self->base_url;
}

void
vst_api_client_set_session_token (VstApiClient *self,
                                  const char   *token)
{
  g_return_if_fail (VST_IS_API_CLIENT (self));

  g_clear_pointer (&self->session_token, vst_secure_free);
  self->session_token = g_strdup (token);
}

gboolean
vst_api_client_has_session (VstApiClient *self)
{
  g_return_val_if_fail (VST_IS_API_CLIENT (self), FALSE);

  return self->session_token != NULL;
}

static GError *
map_transport_error (const GError *error)
{
  if (error->domain == G_TLS_ERROR)
    return g_error_new (VST_API_ERROR, VST_API_ERROR_TLS,
                        _("The secure connection to the server failed: its certificate "
                          "could not be verified. Check the date and time of this computer, "
                          "or ask your helpdesk."));

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (VST_API_ERROR, VST_API_ERROR_TIMEOUT,
                        _("The server did not answer in time. Check your Internet "
                          "connection and try again."));

  return g_error_new (VST_API_ERROR, VST_API_ERROR_NETWORK,
                      _("The server cannot be reached. Check that this computer is "
                        "connected to the Internet and try again."));
}

static GError *
error_from_answer (guint       status,
                   JsonObject *object,
                   const char *retry_after_header)
{
  const char *code = NULL;
  const char *message = NULL;
  GError *error;
  VstApiErrorPrivate *priv;

  if (object != NULL)
    {
      code = json_object_get_string_member_with_default (object, "error", NULL);
      message = json_object_get_string_member_with_default (object, "message", NULL);
    }

  if (status >= 500 || code == NULL)
    {
      error = g_error_new (VST_API_ERROR, VST_API_ERROR_SERVER,
                           /* Translators: %u is an HTTP status such as 502. */
                           _("The server has a problem (error %u). Try again in a "
                             "moment; if it goes on, contact your helpdesk."),
                           status);
    }
  else
    {
      error = g_error_new_literal (VST_API_ERROR, VST_API_ERROR_REJECTED,
                                   message != NULL ? message
                                                   : _("The server refused the request."));
    }

  priv = vst_api_error_get_private (error);
  priv->status = status;
  priv->code = g_strdup (code);

  if (object != NULL)
    {
      priv->retry_after = json_object_get_int_member_with_default (object, "retry_after", 0);
      priv->reason = g_strdup (json_object_get_string_member_with_default (object, "reason", NULL));

      if (json_object_has_member (object, "violations") &&
          JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "violations")))
        {
          JsonArray *array = json_object_get_array_member (object, "violations");
          GPtrArray *ids = g_ptr_array_new ();

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              const char *id = json_array_get_string_element (array, i);

              if (id != NULL)
                g_ptr_array_add (ids, g_strdup (id));
            }
          g_ptr_array_add (ids, NULL);
          priv->violations = (char **) g_ptr_array_free (ids, FALSE);
        }
    }

  if (priv->retry_after <= 0 && retry_after_header != NULL)
    priv->retry_after = g_ascii_strtoll (retry_after_header, NULL, 10);

  return error;
}

static void
call_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  SoupSession *soup = (SoupSession *)object;
  g_autoptr(GTask) task = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  SoupMessage *message = g_task_get_task_data (task);
  JsonObject *answer = NULL;
  JsonNode *root;
  guint status;

  g_assert (SOUP_IS_SESSION (soup));
  g_assert (G_IS_TASK (task));

  bytes = soup_session_send_and_read_finish (soup, result, &error);
  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        {
          g_debug ("Request failed: %s", error->message);
          g_task_return_error (task, map_transport_error (error));
        }
      return;
    }

  status = soup_message_get_status (message);
  parser = json_parser_new ();
  if (g_bytes_get_size (bytes) > 0 &&
      json_parser_load_from_data (parser,
                                  g_bytes_get_data (bytes, NULL),
                                  g_bytes_get_size (bytes),
                                  NULL) &&
      (root = json_parser_get_root (parser)) != NULL &&
      JSON_NODE_HOLDS_OBJECT (root))
    answer = json_node_get_object (root);

  if (status >= 200 && status < 300)
    {
      if (answer == NULL)
        g_task_return_error (task, error_from_answer (502, NULL, NULL));
      else
        g_task_return_pointer (task, json_object_ref (answer),
                               (GDestroyNotify) json_object_unref);
      return;
    }

  g_task_return_error (task,
                       error_from_answer (status, answer,
                                          soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                                        "Retry-After")));
}

static void
free_secret_body (gpointer data)
{
  vst_secure_free (data);
}

/* @body is a JsonBuilder's root, or NULL; it may hold a secret, so the
 * serialised text is wiped once sent. */
static void
call_async (VstApiClient        *self,
            const char          *method,
            const char          *path,
            JsonNode            *body,
            gboolean             signed_in,
            gpointer             source_tag,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autofree char *uri = NULL;
  SoupMessageHeaders *headers;

  g_assert (VST_IS_API_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  uri = g_strconcat (self->base_url, path, NULL);
  message = soup_message_new (method, uri);
  if (message == NULL)
    {
      g_task_return_new_error (task, VST_API_ERROR, VST_API_ERROR_NETWORK,
                               /* Translators: %s is a web address. */
                               _("The server address “%s” is not valid. Ask your helpdesk "
                                 "for the right one."),
                               self->base_url);
      return;
    }

  headers = soup_message_get_request_headers (message);
  soup_message_headers_replace (headers, "Accept", "application/json");
  soup_message_headers_replace (headers, "Accept-Language",
                                g_str_equal (vst_language_get (), "fr") ? "fr" : "en");

  if (signed_in && self->session_token != NULL)
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", self->session_token, NULL);

      soup_message_headers_replace (headers, "Authorization", bearer);
      explicit_bzero (bearer, strlen (bearer));
    }

  if (body != NULL)
    {
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(GBytes) bytes = NULL;
      char *text;
      gsize len;

      json_generator_set_root (generator, body);
      text = json_generator_to_data (generator, &len);
      bytes = g_bytes_new_with_free_func (text, len, free_secret_body, text);
      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }

  g_task_set_task_data (task, g_object_ref (message), g_object_unref);
  soup_session_send_and_read_async (self->soup, message, G_PRIORITY_DEFAULT,
                                    cancellable, call_cb, g_steal_pointer (&task));
}

static JsonObject *
call_finish (VstApiClient  *self,
             GAsyncResult  *result,
             gpointer       source_tag,
             GError       **error)
{
  g_return_val_if_fail (VST_IS_API_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Builds {"k1": "v1", "k2": "v2", ...} from NULL-terminated pairs. */
static JsonNode *
build_body (const char *first_member,
            ...)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char *member = first_member;
  va_list args;

  json_builder_begin_object (builder);
  va_start (args, first_member);
  while (member != NULL)
    {
      json_builder_set_member_name (builder, member);
      json_builder_add_string_value (builder, va_arg (args, const char *));
      member = va_arg (args, const char *);
    }
  va_end (args);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

void
vst_api_client_get_info_async (VstApiClient        *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (VST_IS_API_CLIENT (self));

  call_async (self, "GET", "/api/v1/info", NULL, FALSE,
              vst_api_client_get_info_async, cancellable, callback, user_data);
}

JsonObject *
vst_api_client_get_info_finish (VstApiClient  *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return call_finish (self, result, vst_api_client_get_info_async, error);
}

void
vst_api_client_request_reset_async (VstApiClient        *self,
                                    const char          *login,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (VST_IS_API_CLIENT (self));
  g_return_if_fail (login != NULL);

  body = build_body ("login", login, NULL);
  call_async (self, "POST", "/api/v1/password-resets", body, FALSE,
              vst_api_client_request_reset_async, cancellable, callback, user_data);
}

JsonObject *
vst_api_client_request_reset_finish (VstApiClient  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return call_finish (self, result, vst_api_client_request_reset_async, error);
}

void
vst_api_client_set_password_async (VstApiClient        *self,
                                   const char          *login,
                                   const char          *token,
                                   const char          *password,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (VST_IS_API_CLIENT (self));
  g_return_if_fail (login != NULL && token != NULL && password != NULL);

  body = build_body ("login", login, "token", token, "password", password, NULL);
  call_async (self, "POST", "/api/v1/password", body, FALSE,
              vst_api_client_set_password_async, cancellable, callback, user_data);
}

JsonObject *
vst_api_client_set_password_finish (VstApiClient  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return call_finish (self, result, vst_api_client_set_password_async, error);
}

void
vst_api_client_sign_in_async (VstApiClient        *self,
                              const char          *login,
                              const char          *password,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (VST_IS_API_CLIENT (self));
  g_return_if_fail (login != NULL && password != NULL);

  body = build_body ("login", login, "password", password, NULL);
  call_async (self, "POST", "/api/v1/sessions", body, FALSE,
              vst_api_client_sign_in_async, cancellable, callback, user_data);
}

JsonObject *
vst_api_client_sign_in_finish (VstApiClient  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return call_finish (self, result, vst_api_client_sign_in_async, error);
}

void
vst_api_client_get_account_async (VstApiClient        *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (VST_IS_API_CLIENT (self));

  call_async (self, "GET", "/api/v1/account", NULL, TRUE,
              vst_api_client_get_account_async, cancellable, callback, user_data);
}

JsonObject *
vst_api_client_get_account_finish (VstApiClient  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return call_finish (self, result, vst_api_client_get_account_async, error);
}

void
vst_api_client_start_totp_async (VstApiClient        *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (VST_IS_API_CLIENT (self));

  body = build_body (NULL);
  call_async (self, "POST", "/api/v1/totp", body, TRUE,
              vst_api_client_start_totp_async, cancellable, callback, user_data);
}

JsonObject *
vst_api_client_start_totp_finish (VstApiClient  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return call_finish (self, result, vst_api_client_start_totp_async, error);
}

void
vst_api_client_activate_totp_async (VstApiClient        *self,
                                    const char          *code,
                                    const char          *password,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (VST_IS_API_CLIENT (self));
  g_return_if_fail (code != NULL);

  body = build_body ("code", code, password != NULL ? "password" : NULL, password, NULL);
  call_async (self, "POST", "/api/v1/totp/activate", body, TRUE,
              vst_api_client_activate_totp_async, cancellable, callback, user_data);
}

JsonObject *
vst_api_client_activate_totp_finish (VstApiClient  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return call_finish (self, result, vst_api_client_activate_totp_async, error);
}
