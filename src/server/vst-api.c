/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "vestibule-server"

#include "config.h"

#include <gio/gnetworking.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <errno.h>
#include <string.h>

#include <vestibule.h>

#include "vst-api.h"
#include "vst-api-request.h"
#include "vst-kdf.h"
#include "vst-mail-template.h"
#include "vst-mime.h"

#define RESET_TOKEN_BYTES     16          /* 128 bits, 26 base32 characters */
#define RESET_TOKEN_LIFETIME  (24 * 3600)
#define RESET_REQUESTS_PER_HOUR 5
#define SESSION_BYTES         32          /* 256 bits */
#define SESSION_LIFETIME      (12 * 3600)
#define SIGNIN_MAX_FAILURES   5
#define SIGNIN_WINDOW         (15 * 60)
#define PASSWORD_HISTORY      5
#define TOTP_MAX_FAILURES     5
#define TOTP_FIRST_LOCK       60
#define TOTP_MAX_LOCK         3600

/* One HTTP server on a thread of its own (the first on the main thread),
 * all listening on the same port with SO_REUSEPORT, so that the kernel
 * shares the connections between the cores. */
typedef struct {
  VstApi *api;
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  GSocket *socket;
  SoupServer *server;
  /* While the thread starts. */
  GMutex lock;
  GCond started;
  gboolean ready;
  GError *error;
} Listener;

/* The ways a code can be wrong, see code_reply_texts. */
typedef enum {
  CODE_MALFORMED,
  CODE_REPLAYED,
  CODE_MISMATCH,
  N_CODE_REPLIES
} CodeReply;

static const struct {
  const char *reason;
  const char *msgid;
} code_reply_texts[N_CODE_REPLIES] = {
  /* A typo, not a guess: it does not count towards the lock-out. */
  [CODE_MALFORMED] = { "malformed", N_("A code is made of 6 digits.") },
  [CODE_REPLAYED] = { "replayed", N_("This code was already used. Wait for the next one.") },
  [CODE_MISMATCH] = { "mismatch", N_("This code is wrong. Check that your phone shows the right time.") },
};

struct _VstApi
{
  GObject parent_instance;

  GPtrArray *listeners;
  VstServerConfig *config;
  VstStore *store;
  VstMailer *mailer;
  VstCatalog *french;
  JsonNode *policy;
  /* GET /api/v1/info without its server_time: the text before and after. */
  char *info_head;
  char *info_tail;
  /* The answers to a wrong code, in English and in French: what an
   * attacker gets back again and again, made once. */
  char *code_replies[N_CODE_REPLIES][2];
  int n_pending;
  /* Checking a code reads the account and writes it back (the last step
   * used, the failures): requests for one account take turns, so that two
   * copies of a code sent at once cannot both pass. Striped by account id. */
  GMutex account_locks[64];
};

G_DEFINE_FINAL_TYPE (VstApi, vst_api, G_TYPE_OBJECT)

typedef struct _Request Request;
typedef void (*RequestFunc) (Request *req);

/* One request on its way. Handlers never touch the SoupServerMessage: what
 * they need from it is copied here when the request arrives, and what they
 * answer is kept here until request_finish() sends it from the main thread.
 * That lets a handler run in a worker thread when the store may wait on the
 * network (see request_run()). */
struct _Request
{
  VstApi *api;
  SoupServerMessage *msg;
  char *path;
  gboolean french;
  gboolean paused;
  gboolean body_is_json;
  GBytes *body_bytes;
  char *bearer;

  VstApiRequest *body;
  VstAccount *account;
  char *login;
  const char *action;
  GStrv history;
  guint8 token_hash[VST_STORE_HASH_LEN];
  gboolean has_token;
  /* While a directory proves a pairing: the step recorded before the code
   * was checked, put back if the password turns out wrong. */
  gint64 totp_last_step_before;
  /* What an asynchronous step (the KDF, a directory bind) brought back. */
  char *new_hash;
  gboolean verified;
  gint64 locked_until;
  GError *async_error;
  /* The handler a worker thread runs, and the main-thread step to take
   * once it has run. */
  RequestFunc handler;
  RequestFunc then;

  /* The answer. */
  guint status;
  char *response;
  char *retry_after;
  const char *allow;
  gboolean close_connection;
  gboolean kick_mailer;
};

static void
request_free (Request *req)
{
  if (req->paused)
    {
      soup_server_message_unpause (req->msg);
      g_atomic_int_dec_and_test (&req->api->n_pending);
    }
  g_clear_object (&req->api);
  g_clear_object (&req->msg);
  g_free (req->path);
  g_clear_pointer (&req->body_bytes, g_bytes_unref);
  g_free (req->bearer);
  g_clear_pointer (&req->body, vst_api_request_free);
  g_clear_pointer (&req->account, vst_account_free);
  g_free (req->login);
  g_strfreev (req->history);
  OPENSSL_cleanse (req->token_hash, sizeof req->token_hash);
  vst_secure_free (req->new_hash);
  g_clear_error (&req->async_error);
  g_free (req->response);
  g_free (req->retry_after);
  g_free (req);
}

/* Keeps the message open while a worker thread or the KDF runs. */
static void
request_pause (Request *req)
{
  if (req->paused)
    return;
  soup_server_message_pause (req->msg);
  req->paused = TRUE;
  g_atomic_int_inc (&req->api->n_pending);
}

/* The mailer lives on the main thread, whichever thread asks. */
static gboolean
kick_mailer_cb (gpointer user_data)
{
  vst_mailer_kick (user_data);
  return G_SOURCE_REMOVE;
}

/* Sends the answer and frees @req, on the thread of its server. */
static void
request_finish (Request *req)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (req->msg);
  char *response = g_steal_pointer (&req->response);

  g_assert (response != NULL);
  if (req->kick_mailer)
    g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, kick_mailer_cb,
                                g_object_ref (req->api->mailer), g_object_unref);
  if (req->allow != NULL)
    soup_message_headers_replace (headers, "Allow", req->allow);
  if (req->retry_after != NULL)
    soup_message_headers_replace (headers, "Retry-After", req->retry_after);
  if (req->close_connection)
    soup_message_headers_replace (headers, "Connection", "close");
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "Content-Language", req->french ? "fr" : "en");
  soup_message_headers_replace (headers, "Vary", "Accept-Language");
  soup_server_message_set_status (req->msg, req->status, NULL);
  soup_server_message_set_response (req->msg, "application/json; charset=utf-8", SOUP_MEMORY_TAKE,
                                    response, strlen (response));
  request_free (req);
}

/* After a handler: its main-thread step if it asked for one (to start the
 * KDF or a directory bind), or else the answer. */
static void
request_continue (Request *req)
{
  RequestFunc then = g_steal_pointer (&req->then);

  if (then != NULL)
    then (req);
  else
    request_finish (req);
}

static void
request_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Request *req = task_data;

  req->handler (req);
  /* The answer is in @req; the task only says that the handler ran. */
  g_task_return_boolean (task, TRUE);
}

static void
request_ran_cb (GObject      *source_object,
                GAsyncResult *result,
                gpointer      user_data)
{
  request_continue (user_data);
}

/* Runs @handler, which may call the store, and then continues @req (which
 * it takes). A store on the local disk answers at once, so the handler
 * runs right here; one that waits on the network (a directory) must not
 * hold up the main loop, so the handler runs in a worker thread. */
static void
request_run (Request     *req,
             RequestFunc  handler)
{
  g_autoptr(GTask) task = NULL;

  if (!vst_store_is_remote (req->api->store))
    {
      handler (req);
      request_continue (req);
      return;
    }
  request_pause (req);
  task = g_task_new (req->api, NULL, request_ran_cb, req);
  req->handler = handler;
  g_task_set_task_data (task, req, NULL);
  g_task_run_in_thread (task, request_thread);
}

static void
log_event (Request    *req,
           const char *event,
           const char *login,
           const char *message)
{
  /* The fields as g_log_structured() would make them, without its
   * printf: a wrong code writes one of these. "6" is syslog's info. */
  const GLogField fields[] = {
    { "GLIB_DOMAIN", G_LOG_DOMAIN, -1 },
    { "PRIORITY", "6", -1 },
    { "MESSAGE", message, -1 },
    { "VST_EVENT", event, -1 },
    { "VST_LOGIN", login != NULL ? login : "", -1 },
    { "VST_PATH", req->path, -1 },
  };

  g_log_structured_array (G_LOG_LEVEL_INFO, fields, G_N_ELEMENTS (fields));
}

/* Replies ------------------------------------------------------------ */

/* Takes @text, a JSON document; request_finish() sends it. A handler
 * replies once. */
static void
reply_text (Request *req,
            guint    status,
            char    *text)
{
  g_assert (req->response == NULL);
  req->status = status;
  req->response = text;
}

/* Takes @object and returns its JSON text. */
static char *
object_text (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  json_object_unref (object);
  return json_to_string (node, FALSE);
}

static void
reply_object (Request    *req,
              guint       status,
              JsonObject *object)
{
  reply_text (req, status, object_text (object));
}

/* The JSON text of an error: @extra (taken, may be NULL) with "error" and
 * "message" added. */
static char *
error_text (VstApi     *self,
            gboolean    french,
            const char *code,
            const char *msgid,
            JsonObject *extra)
{
  JsonObject *object = extra != NULL ? extra : json_object_new ();

  json_object_set_string_member (object, "error", code);
  json_object_set_string_member (object, "message", french ? vst_catalog_lookup (self->french, msgid) : msgid);
  return object_text (object);
}

/* Takes @extra (may be NULL) and adds "error" and "message" to it. */
static void
reply_error_full (Request    *req,
                  guint       status,
                  const char *code,
                  const char *msgid,
                  JsonObject *extra)
{
  reply_text (req, status, error_text (req->api, req->french, code, msgid, extra));
}

static void
reply_code_error (Request   *req,
                  CodeReply  which)
{
  reply_text (req, 422, g_strdup (req->api->code_replies[which][req->french ? 1 : 0]));
}

static void
reply_error (Request    *req,
             guint       status,
             const char *code,
             const char *msgid)
{
  reply_error_full (req, status, code, msgid, NULL);
}

static void
reply_retry_after (Request    *req,
                   const char *code,
                   const char *msgid,
                   gint64      seconds)
{
  JsonObject *extra = json_object_new ();

  seconds = MAX (seconds, 1);
  g_free (req->retry_after);
  req->retry_after = g_strdup_printf ("%" G_GINT64_FORMAT, seconds);
  json_object_set_int_member (extra, "retry_after", seconds);
  reply_error_full (req, 429, code, msgid, extra);
}

static void
reply_internal (Request      *req,
                const GError *error)
{
  if (g_error_matches (error, VST_STORE_ERROR, VST_STORE_ERROR_FULL))
    {
      /* Nothing was written; the server goes on and the client may retry. */
      g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                        "VST_EVENT", "storage-full",
                        "VST_PATH", req->path,
                        "MESSAGE", "Storage full: %s", error->message);
      g_free (req->retry_after);
      req->retry_after = g_strdup ("60");
      reply_error (req, SOUP_STATUS_SERVICE_UNAVAILABLE, "storage_full",
                   N_("The server cannot save anything at the moment. Try again later."));
      return;
    }
  if (g_error_matches (error, VST_STORE_ERROR, VST_STORE_ERROR_UNAVAILABLE))
    {
      g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                        "VST_EVENT", "directory-unavailable",
                        "VST_PATH", req->path,
                        "MESSAGE", "Directory unavailable: %s", error->message);
      g_free (req->retry_after);
      req->retry_after = g_strdup ("30");
      reply_error (req, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable",
                   N_("The directory of accounts cannot be reached at the moment. Try again in a minute."));
      return;
    }
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                    "VST_EVENT", "internal-error",
                    "VST_PATH", req->path,
                    "MESSAGE", "Internal error: %s", error->message);
  reply_error (req, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
               N_("Something went wrong on the server. Try again later."));
}

static void
reply_bad_member (Request    *req,
                  const char *member)
{
  JsonObject *extra = json_object_new ();

  json_object_set_string_member (extra, "member", member);
  reply_error_full (req, SOUP_STATUS_BAD_REQUEST, "bad_request",
                    N_("A member of the request is missing or has the wrong type."), extra);
}

/* Requests ----------------------------------------------------------- */

/* French when the request prefers fr to en ("fr-CH, en;q=0.8"). */
static gboolean
prefers_french (SoupServerMessage *msg)
{
  const char *header = soup_message_headers_get_list (soup_server_message_get_request_headers (msg),
                                                      "Accept-Language");
  g_auto(GStrv) ranges = NULL;
  double fr = 0, en = 0, any = 0;

  if (header == NULL)
    return FALSE;
  ranges = g_strsplit (header, ",", 32);
  for (guint i = 0; ranges[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (ranges[i], ";", 4);
      const char *tag = g_strstrip (parts[0]);
      double q = 1.0;

      for (guint j = 1; parts[j] != NULL; j++)
        {
          const char *param = g_strstrip (parts[j]);

          if (g_str_has_prefix (param, "q="))
            q = g_ascii_strtod (param + 2, NULL);
        }
      if (g_ascii_strncasecmp (tag, "fr", 2) == 0 && (tag[2] == '\0' || tag[2] == '-'))
        fr = MAX (fr, q);
      else if (g_ascii_strncasecmp (tag, "en", 2) == 0 && (tag[2] == '\0' || tag[2] == '-'))
        en = MAX (en, q);
      else if (strcmp (tag, "*") == 0)
        any = MAX (any, q);
    }
  if (en == 0)
    en = any;
  return fr > en;
}

/* A body is JSON in UTF-8: it says so, or says nothing (docs/api.md). */
static gboolean
content_type_is_json (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(GHashTable) params = NULL;
  const char *type;
  const char *charset;

  if (soup_message_headers_get_one (headers, "Content-Type") == NULL)
    return TRUE;
  type = soup_message_headers_get_content_type (headers, &params);
  if (type == NULL || g_ascii_strcasecmp (type, "application/json") != 0)
    return FALSE;
  charset = params != NULL ? g_hash_table_lookup (params, "charset") : NULL;
  return charset == NULL || g_ascii_strcasecmp (charset, "utf-8") == 0;
}

/* Parses the body as a @kind; replies 400 and returns FALSE if it is not
 * one. */
static gboolean
parse_body (Request        *req,
            VstApiBodyKind  kind)
{
  g_autoptr(GError) error = NULL;
  gsize size = 0;
  const char *data = req->body_bytes != NULL ? g_bytes_get_data (req->body_bytes, &size) : "";
  const char *msgid;

  if (!req->body_is_json)
    {
      reply_error (req, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                   N_("The request must be sent as JSON (Content-Type: application/json)."));
      return FALSE;
    }
  req->body = vst_api_request_parse (kind, data, size, &error);
  if (req->body != NULL)
    return TRUE;

  g_assert (error->domain == VST_API_REQUEST_ERROR);
  switch ((VstApiRequestError) error->code)
    {
    case VST_API_REQUEST_ERROR_NOT_JSON:
      msgid = N_("The request is not valid JSON.");
      break;
    case VST_API_REQUEST_ERROR_NOT_OBJECT:
      msgid = N_("The request must be a JSON object.");
      break;
    case VST_API_REQUEST_ERROR_BAD_MEMBER:
      reply_bad_member (req, error->message);
      return FALSE;
    case VST_API_REQUEST_ERROR_BAD_LOGIN:
      msgid = N_("The login must have 2 to 64 letters, digits, dots, hyphens or underscores.");
      break;
    case VST_API_REQUEST_ERROR_BAD_EMAIL:
      msgid = N_("The e-mail address is not valid.");
      break;
    case VST_API_REQUEST_ERROR_BAD_NAME:
      msgid = N_("The name is not valid.");
      break;
    case VST_API_REQUEST_ERROR_BAD_LANGUAGE:
      msgid = N_("The language must be “en” or “fr”.");
      break;
    case VST_API_REQUEST_ERROR_BAD_SPACE:
      msgid = N_("The space needs a name and an address starting with https://.");
      break;
    default:
      g_assert_not_reached ();
    }
  reply_error (req, SOUP_STATUS_BAD_REQUEST, "bad_request", msgid);
  return FALSE;
}

static void
sha256 (const void *data,
        gsize       len,
        guint8     *out)
{
  /* Fetched once: EVP_sha256() looks the digest up in the provider store,
   * under a lock, for every token hashed. */
  static EVP_MD *md;

  if (g_once_init_enter (&md))
    g_once_init_leave (&md, EVP_MD_fetch (NULL, "SHA256", NULL));
  EVP_Digest (data, len, out, NULL, md != NULL ? md : EVP_sha256 (), NULL);
}

/* A token as the user typed it (any case, spaces or hyphens) to the hash
 * of its bytes; FALSE when it cannot be one of ours. */
static gboolean
hash_token (const char *text,
            gsize       expected_bytes,
            guint8     *out_hash)
{
  gsize len = 0;
  guint8 *bytes = vst_base32_decode (text, &len, NULL);
  gboolean ok = bytes != NULL && len == expected_bytes;

  if (ok)
    sha256 (bytes, len, out_hash);
  vst_base32_free (bytes, len);
  return ok;
}

/* A new random token, in base32, and the hash the store keeps. */
static char *
new_token (gsize   n_bytes,
           guint8 *out_hash)
{
  guint8 bytes[SESSION_BYTES];
  char *text;

  g_assert (n_bytes <= sizeof bytes);
  if (RAND_bytes (bytes, n_bytes) != 1)
    return NULL;
  sha256 (bytes, n_bytes, out_hash);
  text = vst_base32_encode (bytes, n_bytes);
  OPENSSL_cleanse (bytes, sizeof bytes);
  return text;
}

static char *
dup_bearer (SoupServerMessage *msg)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "Authorization");

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0)
    return NULL;
  header += 7;
  while (*header == ' ')
    header++;
  return *header != '\0' ? g_strdup (header) : NULL;
}

/* Copies what the handlers need from @msg. */
static Request *
request_new (VstApi            *api,
             SoupServerMessage *msg)
{
  Request *req = g_new0 (Request, 1);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  req->api = g_object_ref (api);
  req->msg = g_object_ref (msg);
  req->path = g_strdup (g_uri_get_path (soup_server_message_get_uri (msg)));
  req->french = prefers_french (msg);
  req->bearer = dup_bearer (msg);
  req->body_is_json = content_type_is_json (msg);
  if (body->length > 0 && body->length <= VST_API_MAX_BODY)
    req->body_bytes = soup_message_body_flatten (body);
  return req;
}

/* The hash of the session token the request bears, or FALSE after
 * replying 401. */
static gboolean
require_session_hash (Request *req,
                      guint8   hash[VST_STORE_HASH_LEN])
{
  if (req->bearer == NULL || !hash_token (req->bearer, SESSION_BYTES, hash))
    {
      reply_error (req, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                   N_("Sign in first: the session is missing or has expired."));
      return FALSE;
    }
  return TRUE;
}

/* The account of the session @hash, or NULL after replying. */
static VstAccount *
session_account (Request      *req,
                 const guint8 *hash)
{
  g_autoptr(GError) error = NULL;
  VstAccount *account;

  account = vst_store_get_session_account (req->api->store, hash,
                                           vst_server_config_now (req->api->config), &error);
  if (account == NULL)
    {
      if (g_error_matches (error, VST_STORE_ERROR, VST_STORE_ERROR_NOT_FOUND))
        reply_error (req, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                     N_("Sign in first: the session is missing or has expired."));
      else
        reply_internal (req, error);
    }
  return account;
}

/* The signed-in account, or NULL after replying 401. */
static VstAccount *
require_session (Request *req)
{
  guint8 hash[VST_STORE_HASH_LEN];

  if (!require_session_hash (req, hash))
    return NULL;
  return session_account (req, hash);
}

/* The lock an account's writers take turns on: one of a stripe, so that
 * two accounts' requests on two HTTP threads (or a directory's slow reads)
 * run side by side. */
static GMutex *
account_lock (VstApi *self,
              gint64  account_id)
{
  return &self->account_locks[(guint64) account_id % G_N_ELEMENTS (self->account_locks)];
}

/* As require_session(), for a handler that writes the account back: the
 * account is read with its lock, left in @out_locker, held. */
static VstAccount *
require_session_locked (Request        *req,
                        GMutexLocker  **out_locker)
{
  guint8 hash[VST_STORE_HASH_LEN];
  g_autoptr(VstAccount) first = NULL;

  /* A first read says which lock; the account is read again under it
   * (from memory: the store keeps the accounts behind sessions). */
  if (!require_session_hash (req, hash) || (first = session_account (req, hash)) == NULL)
    return NULL;
  *out_locker = g_mutex_locker_new (account_lock (req->api, first->id));
  return session_account (req, hash);
}

static gboolean
require_admin (Request *req)
{
  if (!vst_server_config_check_admin_token (req->api->config, req->bearer))
    {
      reply_error (req, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                   N_("The helpdesk token is missing or wrong."));
      return FALSE;
    }
  return TRUE;
}

/* E-mails ------------------------------------------------------------ */

static char *
format_day (gint64      unix_time,
            const char *language)
{
  static const char * const en[] = { "January", "February", "March", "April", "May", "June", "July",
                                     "August", "September", "October", "November", "December" };
  static const char * const fr[] = { "janvier", "février", "mars", "avril", "mai", "juin", "juillet",
                                     "août", "septembre", "octobre", "novembre", "décembre" };
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_time);
  int month = g_date_time_get_month (dt) - 1;

  return g_strdup_printf ("%d %s %d", g_date_time_get_day_of_month (dt),
                          g_strcmp0 (language, "fr") == 0 ? fr[month] : en[month],
                          g_date_time_get_year (dt));
}

static const char *
account_space_name (VstApi           *self,
                    const VstAccount *account)
{
  return account->space_name != NULL ? account->space_name
                                     : vst_server_config_get_space_name (self->config);
}

static const char *
account_space_url (VstApi           *self,
                   const VstAccount *account)
{
  return account->space_url != NULL ? account->space_url
                                    : vst_server_config_get_space_url (self->config);
}

/* Renders the template @kind in the account's language into a message for
 * the outbox. @vars gets the common placeholders added. */
static VstMail *
compose_mail (VstApi            *self,
              const VstAccount  *account,
              const char        *kind,
              GHashTable        *vars,
              GError           **error)
{
  g_autofree char *subject = NULL;
  g_autofree char *text = NULL;
  g_autofree char *html = NULL;
  g_autofree char *sender = NULL;
  g_autoptr(GBytes) message = NULL;
  const char *from = vst_server_config_get_mail_from (self->config);
  gint64 now = vst_server_config_now (self->config);
  VstMail *mail;

  g_hash_table_insert (vars, g_strdup ("organisation"), g_strdup (vst_server_config_get_organisation (self->config)));
  g_hash_table_insert (vars, g_strdup ("display_name"), g_strdup (account->display_name));
  g_hash_table_insert (vars, g_strdup ("login"), g_strdup (account->login));
  g_hash_table_insert (vars, g_strdup ("space_name"), g_strdup (account_space_name (self, account)));
  g_hash_table_insert (vars, g_strdup ("space_url"), g_strdup (account_space_url (self, account)));

  if (!vst_mail_template_render (vst_server_config_get_datadir (self->config), kind,
                                 account->language, vars, &subject, &text, &html, error))
    return NULL;
  if (!vst_mime_parse_address (from, NULL, &sender))
    sender = g_strdup (from);
  message = vst_mime_build_message (from, account->display_name, account->email,
                                    subject, text, html, now);
  mail = vst_mail_new (kind, sender, account->email, message);
  mail->created_at = now;
  return mail;
}

static GHashTable *
new_vars (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) vst_secure_free);
}

static VstMail *
compose_invitation (VstApi            *self,
                    const VstAccount  *account,
                    GError           **error)
{
  g_autoptr(GHashTable) vars = new_vars ();
  g_autofree char *login = g_uri_escape_string (account->login, NULL, FALSE);

  g_hash_table_insert (vars, g_strdup ("invite_link"), g_strdup_printf ("vestibule://invite?login=%s", login));
  return compose_mail (self, account, "invitation", vars, error);
}

/* JSON --------------------------------------------------------------- */

static JsonObject *
space_object (VstApi           *self,
              const VstAccount *account)
{
  JsonObject *space = json_object_new ();

  json_object_set_string_member (space, "name", account_space_name (self, account));
  json_object_set_string_member (space, "url", account_space_url (self, account));
  return space;
}

static JsonObject *
user_account_object (VstApi           *self,
                     const VstAccount *account)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "login", account->login);
  json_object_set_string_member (object, "display_name", account->display_name);
  json_object_set_string_member (object, "email", account->email);
  json_object_set_string_member (object, "language", account->language);
  if (account->password_hash != NULL)
    json_object_set_int_member (object, "password_expires_at", account->password_expires_at);
  else
    json_object_set_null_member (object, "password_expires_at");
  json_object_set_string_member (object, "totp", vst_totp_state_to_string (account->totp_state));
  json_object_set_object_member (object, "space", space_object (self, account));
  return object;
}

/* When the sign-in throttle of @login ends, or 0. */
static gboolean
signin_throttled_until (VstApi      *self,
                        const char  *login,
                        gint64       now,
                        gint64      *out_until,
                        GError     **error)
{
  guint count;
  gint64 oldest;

  *out_until = 0;
  if (!vst_store_count_signin_failures (self->store, login, now - SIGNIN_WINDOW, &count, &oldest, error))
    return FALSE;
  if (count >= SIGNIN_MAX_FAILURES)
    *out_until = oldest + SIGNIN_WINDOW;
  return TRUE;
}

static JsonObject *
admin_account_object (VstApi            *self,
                      const VstAccount  *account,
                      GError           **error)
{
  JsonObject *object = json_object_new ();
  gint64 now = vst_server_config_now (self->config);
  gint64 locked_until = account->totp_locked_until > now ? account->totp_locked_until : 0;
  gint64 signin_until;

  if (!signin_throttled_until (self, account->login, now, &signin_until, error))
    {
      json_object_unref (object);
      return NULL;
    }
  locked_until = MAX (locked_until, signin_until);

  json_object_set_string_member (object, "login", account->login);
  json_object_set_string_member (object, "email", account->email);
  json_object_set_string_member (object, "display_name", account->display_name);
  json_object_set_string_member (object, "language", account->language);
  json_object_set_object_member (object, "space", space_object (self, account));
  json_object_set_int_member (object, "created_at", account->created_at);
  json_object_set_boolean_member (object, "password_set", account->password_hash != NULL);
  if (account->password_hash != NULL)
    json_object_set_int_member (object, "password_expires_at", account->password_expires_at);
  else
    json_object_set_null_member (object, "password_expires_at");
  json_object_set_boolean_member (object, "password_expired",
                                  account->password_hash != NULL && account->password_expires_at <= now);
  json_object_set_string_member (object, "totp", vst_totp_state_to_string (account->totp_state));
  if (locked_until > 0)
    json_object_set_int_member (object, "locked_until", locked_until);
  else
    json_object_set_null_member (object, "locked_until");
  if (account->last_email_kind != NULL)
    {
      JsonObject *last = json_object_new ();

      json_object_set_string_member (last, "kind", account->last_email_kind);
      json_object_set_string_member (last, "status", account->last_email_status);
      json_object_set_int_member (last, "at", account->last_email_at);
      json_object_set_object_member (object, "last_email", last);
    }
  else
    json_object_set_null_member (object, "last_email");
  return object;
}

static void
reply_admin_account (Request    *req,
                     guint       status,
                     const char *login)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VstAccount) account = vst_store_get_account (req->api->store, login, &error);
  JsonObject *object;

  if (account == NULL)
    {
      if (g_error_matches (error, VST_STORE_ERROR, VST_STORE_ERROR_NOT_FOUND))
        reply_error (req, SOUP_STATUS_NOT_FOUND, "not_found", N_("No account has this login."));
      else
        reply_internal (req, error);
      return;
    }
  object = admin_account_object (req->api, account, &error);
  if (object == NULL)
    reply_internal (req, error);
  else
    reply_object (req, status, object);
}

/* Public ------------------------------------------------------------- */

/* The time in GET /api/v1/info, a number no real time can be. */
#define INFO_TIME_MARK "-8765432109876"

/* Builds GET /api/v1/info once, but for server_time, which handle_info
 * splices in: the head and tail around INFO_TIME_MARK. */
static void
build_code_replies (VstApi *self)
{
  for (guint i = 0; i < N_CODE_REPLIES; i++)
    for (guint french = 0; french < 2; french++)
      {
        JsonObject *extra = json_object_new ();

        json_object_set_string_member (extra, "reason", code_reply_texts[i].reason);
        self->code_replies[i][french] = error_text (self, french, "invalid_code", code_reply_texts[i].msgid, extra);
      }
}

static gboolean
build_info (VstApi  *self,
            GError **error)
{
  JsonObject *object = json_object_new ();
  JsonArray *languages = json_array_new ();
  JsonObject *totp = json_object_new ();
  g_autofree char *text = NULL;
  char *mark;

  json_object_set_string_member (object, "organisation", vst_server_config_get_organisation (self->config));
  json_object_set_string_member (object, "issuer", vst_server_config_get_issuer (self->config));
  json_array_add_string_element (languages, "en");
  json_array_add_string_element (languages, "fr");
  json_object_set_array_member (object, "languages", languages);
  json_object_set_int_member (object, "server_time", g_ascii_strtoll (INFO_TIME_MARK, NULL, 10));
  json_object_set_member (object, "password_policy", json_node_copy (self->policy));
  json_object_set_int_member (object, "password_lifetime_days",
                              vst_server_config_get_password_lifetime_days (self->config));
  json_object_set_string_member (totp, "algorithm", "SHA1");
  json_object_set_int_member (totp, "digits", VST_OTP_DEFAULT_DIGITS);
  json_object_set_int_member (totp, "period", VST_OTP_DEFAULT_PERIOD);
  json_object_set_object_member (object, "totp", totp);

  text = object_text (object);
  mark = strstr (text, ":" INFO_TIME_MARK);
  if (mark == NULL || strstr (mark + 1 + strlen (INFO_TIME_MARK), INFO_TIME_MARK) != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot build /api/v1/info");
      return FALSE;
    }
  self->info_head = g_strndup (text, mark + 1 - text);
  self->info_tail = g_strdup (mark + 1 + strlen (INFO_TIME_MARK));
  return TRUE;
}

static void
handle_info (Request *req)
{
  VstApi *self = req->api;

  reply_text (req, SOUP_STATUS_OK,
              g_strdup_printf ("%s%" G_GINT64_FORMAT "%s", self->info_head,
                               vst_server_config_now (self->config), self->info_tail));
}

static void
reply_status (Request    *req,
              guint       status,
              const char *value)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "status", value);
  reply_object (req, status, object);
}

static void
handle_password_resets (Request *req)
{
  VstApi *self = req->api;
  const char *login;
  g_autoptr(GError) error = NULL;
  g_autoptr(VstAccount) account = NULL;
  g_autoptr(GHashTable) vars = NULL;
  g_autoptr(VstMail) mail = NULL;
  g_autofree char *token = NULL;
  g_autofree char *escaped_login = NULL;
  guint8 hash[VST_STORE_HASH_LEN];
  gint64 now = vst_server_config_now (self->config);
  guint count;

  if (!parse_body (req, VST_API_BODY_PASSWORD_RESET))
    return;
  login = req->body->login;

  account = vst_store_get_account (self->store, login, &error);
  if (account == NULL)
    {
      if (!g_error_matches (error, VST_STORE_ERROR, VST_STORE_ERROR_NOT_FOUND))
        {
          reply_internal (req, error);
          return;
        }
      /* The same answer as for a real account: no enumeration. */
      log_event (req, "reset-unknown-login", NULL, "Password reset asked for an unknown login");
      reply_status (req, SOUP_STATUS_ACCEPTED, "sent");
      return;
    }

  if (!vst_store_count_reset_tokens (self->store, account->id, now - 3600, &count, &error))
    {
      reply_internal (req, error);
      return;
    }
  if (count >= RESET_REQUESTS_PER_HOUR)
    {
      log_event (req, "reset-rate-limited", account->login, "Password reset not sent: too many this hour");
      reply_status (req, SOUP_STATUS_ACCEPTED, "sent");
      return;
    }

  token = new_token (RESET_TOKEN_BYTES, hash);
  if (token == NULL)
    {
      g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "no randomness");
      reply_internal (req, error);
      return;
    }
  escaped_login = g_uri_escape_string (account->login, NULL, FALSE);
  vars = new_vars ();
  g_hash_table_insert (vars, g_strdup ("token"), g_strdup (token));
  g_hash_table_insert (vars, g_strdup ("reset_link"),
                       g_strdup_printf ("vestibule://reset?login=%s&token=%s", escaped_login, token));
  g_hash_table_insert (vars, g_strdup ("hours"), g_strdup ("24"));
  vst_secure_free (g_steal_pointer (&token));

  mail = compose_mail (self, account, "reset", vars, &error);
  if (mail == NULL ||
      !vst_store_add_reset_token (self->store, account->id, hash, now, now + RESET_TOKEN_LIFETIME, mail, &error))
    {
      reply_internal (req, error);
      return;
    }
  req->kick_mailer = TRUE;
  log_event (req, "reset-sent", account->login, "Password reset e-mail queued");
  reply_status (req, SOUP_STATUS_ACCEPTED, "sent");
}

/* The new password's hash from the KDF or, when the store keeps the
 * passwords (a directory), a marker once the store has taken it. */
static char *
new_password_finish (VstApi        *self,
                     GAsyncResult  *result,
                     GError       **error)
{
  if (g_task_is_valid (result, self->store))
    return vst_store_change_password_finish (self->store, result, error) ? g_strdup ("{store}") : NULL;
  return vst_kdf_hash_new_finish (result, error);
}

/* Keeps the new password (its hash or the directory's word), spends the
 * token and opens a session. */
static void
password_store (Request *req)
{
  VstApi *self = req->api;
  const char *hash = req->new_hash;
  const GError *async_error = req->async_error;
  g_autoptr(GError) error = NULL;
  g_autofree char *session = NULL;
  g_autofree char *expires_day = NULL;
  g_autoptr(GHashTable) vars = NULL;
  g_autoptr(VstMail) mail = NULL;
  guint8 session_hash[VST_STORE_HASH_LEN];
  gint64 now = vst_server_config_now (self->config);
  gint64 expires_at = now + (gint64) vst_server_config_get_password_lifetime_days (self->config) * 86400;
  JsonObject *object;

  if (hash == NULL)
    {
      if (g_error_matches (async_error, VST_KDF_ERROR, VST_KDF_ERROR_REUSED) ||
          g_error_matches (async_error, VST_STORE_ERROR, VST_STORE_ERROR_PASSWORD_REUSED))
        {
          log_event (req, "password-reused", req->account->login, "New password refused: used before");
          reply_error (req, 422, "password_reused",
                       N_("You used this password recently. Choose a new one."));
        }
      else if (g_error_matches (async_error, VST_STORE_ERROR, VST_STORE_ERROR_PASSWORD_POLICY))
        {
          /* The directory's own policy, mapped to the rule ids that the
           * wizard shows (the message is the rule id). */
          JsonObject *extra = json_object_new ();
          JsonArray *array = json_array_new ();

          json_array_add_string_element (array, async_error->message);
          json_object_set_array_member (extra, "violations", array);
          log_event (req, "password-policy", req->account->login, "New password refused by the directory");
          reply_error_full (req, 422, "password_policy", N_("This password does not follow the rules."), extra);
        }
      else
        reply_internal (req, async_error);
      return;
    }

  session = new_token (SESSION_BYTES, session_hash);
  vars = new_vars ();
  expires_day = format_day (expires_at, req->account->language);
  g_hash_table_insert (vars, g_strdup ("expires_date"), g_strdup (expires_day));
  mail = compose_mail (self, req->account, "password-set", vars, &error);
  if (session == NULL || mail == NULL ||
      !vst_store_set_password (self->store, req->account->id, req->token_hash, now, hash, expires_at,
                               PASSWORD_HISTORY, session_hash, now + SESSION_LIFETIME, mail, &error))
    {
      if (g_error_matches (error, VST_STORE_ERROR, VST_STORE_ERROR_INVALID_TOKEN))
        reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_token",
                     N_("This reset link or code is not valid. Ask for a new one."));
      else if (error != NULL)
        reply_internal (req, error);
      vst_secure_free (g_steal_pointer (&session));
      return;
    }
  req->kick_mailer = TRUE;
  log_event (req, "password-set", req->account->login, "Password set");

  object = json_object_new ();
  json_object_set_string_member (object, "session", session);
  json_object_set_int_member (object, "password_expires_at", expires_at);
  json_object_set_string_member (object, "totp", vst_totp_state_to_string (req->account->totp_state));
  reply_object (req, SOUP_STATUS_OK, object);
  vst_secure_free (g_steal_pointer (&session));
}

static void
password_hashed_cb (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Request *req = user_data;

  req->new_hash = new_password_finish (req->api, result, &req->async_error);
  request_run (req, password_store);
}

/* On the main thread: the directory or the KDF takes the new password. */
static void
password_hash_start (Request *req)
{
  VstStore *store = req->api->store;

  request_pause (req);
  if (vst_store_owns_passwords (store))
    vst_store_change_password_async (store, req->account->login, req->body->password, NULL,
                                     password_hashed_cb, req);
  else
    vst_kdf_hash_new_async (req->body->password, (const char * const *) req->history, NULL,
                            password_hashed_cb, req);
}

static void
handle_password (Request *req)
{
  VstApi *self = req->api;
  const char *token, *password;
  g_autoptr(GError) error = NULL;
  g_autoptr(VstPasswordCheck) check = NULL;
  VstPasswordContext context = { 0 };
  gint64 now = vst_server_config_now (self->config);

  if (!parse_body (req, VST_API_BODY_PASSWORD))
    return;
  token = req->body->token;
  password = req->body->password;
  req->login = g_strdup (req->body->login);

  req->account = vst_store_get_account (self->store, req->login, &error);
  if (req->account == NULL && !g_error_matches (error, VST_STORE_ERROR, VST_STORE_ERROR_NOT_FOUND))
    {
      reply_internal (req, error);
      return;
    }
  g_clear_error (&error);
  req->has_token = hash_token (token, RESET_TOKEN_BYTES, req->token_hash);
  if (req->account == NULL || !req->has_token ||
      !vst_store_check_reset_token (self->store, req->account->id, req->token_hash, now, &error))
    {
      if (error != NULL && !g_error_matches (error, VST_STORE_ERROR, VST_STORE_ERROR_INVALID_TOKEN))
        {
          reply_internal (req, error);
          return;
        }
      log_event (req, "invalid-token", req->login, "Password change refused: invalid token");
      reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_token",
                   N_("This reset link or code is not valid. Ask for a new one."));
      return;
    }

  context.login = req->account->login;
  context.email = req->account->email;
  context.display_name = req->account->display_name;
  check = vst_password_policy_check (vst_server_config_get_password_policy (self->config), password, &context);
  if (!vst_password_check_is_ok (check))
    {
      g_auto(GStrv) violations = vst_password_check_dup_violations (check);
      JsonObject *extra = json_object_new ();
      JsonArray *array = json_array_new ();

      for (guint i = 0; violations != NULL && violations[i] != NULL; i++)
        json_array_add_string_element (array, violations[i]);
      json_object_set_array_member (extra, "violations", array);
      log_event (req, "password-policy", req->account->login, "New password refused by the policy");
      reply_error_full (req, 422, "password_policy", N_("This password does not follow the rules."), extra);
      return;
    }

  if (!vst_store_owns_passwords (self->store))
    {
      req->history = vst_store_get_password_history (self->store, req->account->id, PASSWORD_HISTORY, &error);
      if (req->history == NULL)
        {
          reply_internal (req, error);
          return;
        }
    }
  req->then = password_hash_start;
}

/* Opens a session, or counts the failure, once the password is checked. */
static void
signin_store (Request *req)
{
  VstApi *self = req->api;
  g_autoptr(GError) error = NULL;
  g_autofree char *session = NULL;
  guint8 session_hash[VST_STORE_HASH_LEN];
  gint64 now = vst_server_config_now (self->config);
  gint64 locked_until = req->locked_until;
  gboolean verified = req->verified;
  JsonObject *object;

  if (req->async_error != NULL)
    error = g_error_copy (req->async_error);
  if (g_error_matches (error, VST_STORE_ERROR, VST_STORE_ERROR_LOCKED))
    {
      /* The directory's lock-out (its own clock), which an administrator
       * may have made permanent: then ask again in an hour. */
      gint64 real_now = g_get_real_time () / G_USEC_PER_SEC;

      log_event (req, "signin-locked", req->login, "Sign-in refused: the directory locked the account");
      reply_retry_after (req, "locked", N_("This account is locked. Try again later."),
                         locked_until == G_MAXINT64 ? 3600 : locked_until - real_now);
      return;
    }
  if (error != NULL && !g_error_matches (error, VST_STORE_ERROR, VST_STORE_ERROR_BAD_PASSWORD) &&
      error->domain == VST_STORE_ERROR)
    {
      reply_internal (req, error);
      return;
    }
  if (!verified || req->account == NULL)
    {
      g_clear_error (&error);
      if (!vst_store_record_signin_failure (self->store, req->login, now, &error))
        {
          reply_internal (req, error);
          return;
        }
      log_event (req, "signin-failed", req->login, "Sign-in failed");
      reply_error (req, SOUP_STATUS_UNAUTHORIZED, "invalid_credentials",
                   N_("The login or the password is wrong."));
      return;
    }

  session = new_token (SESSION_BYTES, session_hash);
  if (session == NULL ||
      !vst_store_clear_signin_failures (self->store, req->login, &error) ||
      !vst_store_add_session (self->store, req->account->id, session_hash, now, now + SESSION_LIFETIME, &error))
    {
      if (error == NULL)
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "no randomness");
      reply_internal (req, error);
      vst_secure_free (g_steal_pointer (&session));
      return;
    }
  log_event (req, "signin", req->account->login, "Signed in");

  object = json_object_new ();
  json_object_set_string_member (object, "session", session);
  json_object_set_int_member (object, "password_expires_at", req->account->password_expires_at);
  json_object_set_boolean_member (object, "password_expired", req->account->password_expires_at <= now);
  json_object_set_string_member (object, "totp", vst_totp_state_to_string (req->account->totp_state));
  reply_object (req, SOUP_STATUS_OK, object);
  vst_secure_free (g_steal_pointer (&session));
}

static void
signin_verified_cb (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Request *req = user_data;
  VstStore *store = req->api->store;

  if (g_task_is_valid (result, store))
    req->verified = vst_store_check_password_finish (store, result, &req->locked_until, &req->async_error);
  else
    req->verified = vst_kdf_verify_finish (result, &req->async_error);
  request_run (req, signin_store);
}

/* On the main thread: the directory or the KDF checks the password. An
 * unknown login or an account without a password is checked against a
 * dummy hash, at the same cost, and fails. */
static void
signin_check_start (Request *req)
{
  VstStore *store = req->api->store;

  request_pause (req);
  if (req->account != NULL && vst_store_owns_passwords (store))
    vst_store_check_password_async (store, req->login, req->body->password, NULL,
                                    signin_verified_cb, req);
  else
    vst_kdf_verify_async (req->body->password, req->account != NULL ? req->account->password_hash : NULL,
                          NULL, signin_verified_cb, req);
}

static void
handle_sessions (Request *req)
{
  VstApi *self = req->api;
  g_autoptr(GError) error = NULL;
  gint64 now = vst_server_config_now (self->config);
  gint64 until;

  if (!parse_body (req, VST_API_BODY_SESSION))
    return;
  req->login = g_strdup (req->body->login);

  if (!signin_throttled_until (self, req->login, now, &until, &error))
    {
      reply_internal (req, error);
      return;
    }
  if (until > now)
    {
      log_event (req, "signin-throttled", req->login, "Sign-in throttled");
      reply_retry_after (req, "throttled", N_("Too many attempts. Wait a few minutes and try again."),
                         until - now);
      return;
    }

  req->account = vst_store_get_account (self->store, req->login, &error);
  if (req->account == NULL && !g_error_matches (error, VST_STORE_ERROR, VST_STORE_ERROR_NOT_FOUND))
    {
      reply_internal (req, error);
      return;
    }
  req->then = signin_check_start;
}

/* Signed in ---------------------------------------------------------- */

static void
handle_account (Request *req)
{
  g_autoptr(VstAccount) account = require_session (req);

  if (account != NULL)
    reply_object (req, SOUP_STATUS_OK, user_account_object (req->api, account));
}

static void
handle_totp (Request *req)
{
  VstApi *self = req->api;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(VstAccount) account = require_session_locked (req, &locker);
  g_autoptr(GError) error = NULL;
  g_autoptr(VstOtpKey) key = NULL;
  g_autofree char *uri = NULL;
  JsonObject *object;

  if (account == NULL)
    return;
  if (account->totp_state == VST_TOTP_STATE_ACTIVE)
    {
      reply_error (req, SOUP_STATUS_CONFLICT, "totp_active",
                   N_("Two-factor authentication is already active."));
      return;
    }

  key = vst_otp_key_generate (0, VST_OTP_ALGORITHM_SHA1, VST_OTP_DEFAULT_DIGITS,
                              VST_OTP_DEFAULT_PERIOD, &error);
  if (key == NULL)
    {
      reply_internal (req, error);
      return;
    }
  vst_secure_free (account->totp_secret);
  account->totp_secret = vst_otp_key_dup_base32 (key);
  account->totp_state = VST_TOTP_STATE_PENDING;
  /* A new key has no used steps; the failure counters stay, so that
   * starting again does not reset a lock-out. */
  account->totp_last_step = -1;
  if (!vst_store_update_account (self->store, account, &error))
    {
      reply_internal (req, error);
      return;
    }
  uri = vst_otpauth_build (vst_server_config_get_issuer (self->config), account->login, key);
  log_event (req, "totp-pairing", account->login, "Two-factor pairing started");

  object = json_object_new ();
  json_object_set_string_member (object, "secret", account->totp_secret);
  json_object_set_string_member (object, "uri", uri);
  json_object_set_string_member (object, "algorithm", "SHA1");
  json_object_set_int_member (object, "digits", VST_OTP_DEFAULT_DIGITS);
  json_object_set_int_member (object, "period", VST_OTP_DEFAULT_PERIOD);
  reply_object (req, SOUP_STATUS_CREATED, object);
  OPENSSL_cleanse (uri, strlen (uri));
}

/* Checks @code against the account's key, with the lock-out rules; on
 * success the step is recorded and @activate makes the key active.
 * Replies on failure. */
static gboolean
check_code (Request    *req,
            VstAccount *account,
            const char *code,
            gboolean    activate)
{
  VstApi *self = req->api;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) store_error = NULL;
  g_autoptr(VstOtpKey) key = NULL;
  gint64 now = vst_server_config_now (self->config);
  gint64 step;

  if (account->totp_locked_until > now)
    {
      reply_retry_after (req, "locked", N_("Too many wrong codes. Wait a moment and try again."),
                         account->totp_locked_until - now);
      return FALSE;
    }

  key = vst_otp_key_new_from_base32 (account->totp_secret, VST_OTP_ALGORITHM_SHA1,
                                     VST_OTP_DEFAULT_DIGITS, VST_OTP_DEFAULT_PERIOD, &error);
  if (key == NULL)
    {
      reply_internal (req, error);
      return FALSE;
    }

  if (vst_otp_key_verify_totp (key, code, now, VST_TOTP_WINDOW_BACK, VST_TOTP_WINDOW_AHEAD,
                               account->totp_last_step, &step, &error))
    {
      account->totp_last_step = step;
      account->totp_failures = 0;
      account->totp_lock_count = 0;
      account->totp_locked_until = 0;
      if (activate)
        account->totp_state = VST_TOTP_STATE_ACTIVE;
      if (!vst_store_update_account (self->store, account, &store_error))
        {
          reply_internal (req, store_error);
          return FALSE;
        }
      return TRUE;
    }

  if (g_error_matches (error, VST_CORE_ERROR, VST_CORE_ERROR_CODE_MALFORMED))
    {
      log_event (req, "totp-code-malformed", account->login, "Malformed code");
      reply_code_error (req, CODE_MALFORMED);
      return FALSE;
    }
  if (g_error_matches (error, VST_CORE_ERROR, VST_CORE_ERROR_CODE_REPLAYED))
    {
      log_event (req, "totp-code-replayed", account->login, "Code already used");
      reply_code_error (req, CODE_REPLAYED);
      return FALSE;
    }
  if (!g_error_matches (error, VST_CORE_ERROR, VST_CORE_ERROR_CODE_MISMATCH))
    {
      reply_internal (req, error);
      return FALSE;
    }

  /* A wrong code: counted apart from password failures, and only here,
   * behind a signed-in session. */
  account->totp_failures++;
  if (account->totp_failures >= TOTP_MAX_FAILURES)
    {
      gint64 lock = MIN ((gint64) TOTP_FIRST_LOCK << MIN (account->totp_lock_count, 16u), TOTP_MAX_LOCK);

      account->totp_locked_until = now + lock;
      account->totp_lock_count = MIN (account->totp_lock_count + 1, 16u);
      account->totp_failures = 0;
    }
  if (!vst_store_record_code_failure (self->store, account, &store_error))
    {
      reply_internal (req, store_error);
      return FALSE;
    }
  if (account->totp_locked_until > now)
    {
      log_event (req, "totp-locked", account->login, "Too many wrong codes: locked");
      reply_retry_after (req, "locked", N_("Too many wrong codes. Wait a moment and try again."),
                         account->totp_locked_until - now);
      return FALSE;
    }
  log_event (req, "totp-code-mismatch", account->login, "Wrong code");
  reply_code_error (req, CODE_MISMATCH);
  return FALSE;
}

/* Makes the key active once the directory has accepted it, or puts the
 * step back when only the password was wrong. */
static void
totp_proven_store (Request *req)
{
  VstApi *self = req->api;
  const GError *async_error = req->async_error;
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  if (!req->verified)
    {
      if (g_error_matches (async_error, VST_STORE_ERROR, VST_STORE_ERROR_BAD_PASSWORD))
        {
          g_autoptr(GError) store_error = NULL;

          /* A typo in the password must not spend the code. */
          req->account->totp_last_step = req->totp_last_step_before;
          if (!vst_store_update_account (self->store, req->account, &store_error))
            {
              reply_internal (req, store_error);
              return;
            }
          log_event (req, "totp-proof-password", req->account->login, "Activation refused: wrong password");
          reply_error (req, 422, "invalid_password", N_("The password is wrong."));
        }
      else if (g_error_matches (async_error, VST_STORE_ERROR, VST_STORE_ERROR_CODE_REFUSED))
        {
          JsonObject *extra = json_object_new ();

          json_object_set_string_member (extra, "reason", "mismatch");
          log_event (req, "totp-proof-refused", req->account->login, "Activation refused by the directory");
          reply_error_full (req, 422, "invalid_code",
                            N_("The directory did not accept this code. Wait for the next one and try again."),
                            extra);
        }
      else
        reply_internal (req, async_error);
      return;
    }
  req->account->totp_state = VST_TOTP_STATE_ACTIVE;
  if (!vst_store_update_account (self->store, req->account, &error))
    {
      reply_internal (req, error);
      return;
    }
  log_event (req, "totp-activated", req->account->login, "Two-factor authentication activated");
  object = json_object_new ();
  json_object_set_string_member (object, "totp", "active");
  reply_object (req, SOUP_STATUS_OK, object);
}

static void
totp_proven_cb (GObject      *source_object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Request *req = user_data;

  req->verified = vst_store_prove_totp_finish (req->api->store, result, &req->async_error);
  request_run (req, totp_proven_store);
}

/* On the main thread: the directory signs in with the password and code. */
static void
totp_prove_start (Request *req)
{
  request_pause (req);
  vst_store_prove_totp_async (req->api->store, req->account->login, req->body->password,
                              req->body->code, NULL, totp_proven_cb, req);
}

static void
handle_totp_code (Request  *req,
                  gboolean  activate)
{
  VstApi *self = req->api;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(VstAccount) account = require_session_locked (req, &locker);
  const char *code;
  JsonObject *object;

  if (account == NULL || !parse_body (req, VST_API_BODY_TOTP_CODE))
    return;
  code = req->body->code;

  if (activate && account->totp_state != VST_TOTP_STATE_PENDING)
    {
      reply_error (req, SOUP_STATUS_CONFLICT, "totp_not_pending",
                   N_("There is no pairing to finish. Start again."));
      return;
    }
  if (!activate && account->totp_state != VST_TOTP_STATE_ACTIVE)
    {
      reply_error (req, SOUP_STATUS_CONFLICT, "totp_not_active",
                   N_("Two-factor authentication is not active."));
      return;
    }
  if (activate && vst_store_owns_passwords (self->store))
    {
      /* The directory proves the pairing with a sign-in of its own
       * (password and code in one bind), so it needs the password: the
       * client sends it again rather than the service keeping it after
       * sign-in. Our own check runs first, so that wrong codes count here
       * and not towards the directory's password lock-out. */
      if (req->body->password == NULL)
        {
          reply_error (req, 422, "password_required",
                       N_("Type your password again to finish the pairing."));
          return;
        }
      req->totp_last_step_before = account->totp_last_step;
      if (!check_code (req, account, code, FALSE))
        return;
      req->account = g_steal_pointer (&account);
      req->then = totp_prove_start;
      return;
    }
  if (!check_code (req, account, code, activate))
    return;

  log_event (req, activate ? "totp-activated" : "totp-verified", account->login,
             activate ? "Two-factor authentication activated" : "Code verified");
  object = json_object_new ();
  json_object_set_string_member (object, "totp", "active");
  reply_object (req, SOUP_STATUS_OK, object);
}

static void
handle_totp_activate (Request *req)
{
  handle_totp_code (req, TRUE);
}

static void
handle_totp_verify (Request *req)
{
  handle_totp_code (req, FALSE);
}

/* Helpdesk ----------------------------------------------------------- */

static void
handle_admin_create (Request *req)
{
  VstApi *self = req->api;
  VstApiRequest *body;
  g_autoptr(VstAccount) account = vst_account_new ();
  g_autoptr(VstMail) mail = NULL;
  g_autoptr(GError) error = NULL;

  if (!parse_body (req, VST_API_BODY_ACCOUNT))
    return;
  body = req->body;

  account->login = g_strdup (body->login);
  account->email = g_strdup (body->email);
  account->display_name = g_strdup (body->display_name);
  account->language = g_strdup (body->language);
  account->space_name = g_strdup (body->space_name);
  account->space_url = g_strdup (body->space_url);
  account->created_at = vst_server_config_now (self->config);

  mail = compose_invitation (self, account, &error);
  if (mail == NULL)
    {
      reply_internal (req, error);
      return;
    }
  if (!vst_store_create_account (self->store, account, mail, &error))
    {
      if (g_error_matches (error, VST_STORE_ERROR, VST_STORE_ERROR_EXISTS))
        reply_error (req, SOUP_STATUS_CONFLICT, "account_exists",
                     N_("An account with this login already exists."));
      else
        reply_internal (req, error);
      return;
    }
  req->kick_mailer = TRUE;
  log_event (req, "account-created", account->login, "Account created, invitation queued");
  reply_admin_account (req, SOUP_STATUS_CREATED, account->login);
}

static void
handle_admin_list (Request *req)
{
  VstApi *self = req->api;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = vst_store_list_accounts (self->store, &error);
  JsonArray *array;
  JsonObject *object;

  if (accounts == NULL)
    {
      reply_internal (req, error);
      return;
    }
  array = json_array_new ();
  for (guint i = 0; i < accounts->len; i++)
    {
      JsonObject *item = admin_account_object (self, g_ptr_array_index (accounts, i), &error);

      if (item == NULL)
        {
          json_array_unref (array);
          reply_internal (req, error);
          return;
        }
      json_array_add_object_element (array, item);
    }
  object = json_object_new ();
  json_object_set_array_member (object, "accounts", array);
  reply_object (req, SOUP_STATUS_OK, object);
}

static void
handle_admin_action (Request *req)
{
  VstApi *self = req->api;
  const char *login = req->login;
  const char *action = req->action;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(VstAccount) account = NULL;
  g_autoptr(VstMail) mail = NULL;
  g_autoptr(GError) error = NULL;

  /* Read again under the account's lock: reset-2fa and unlock write it
   * back, as checking a code does. */
  account = vst_store_get_account (self->store, login, &error);
  if (account != NULL)
    {
      locker = g_mutex_locker_new (account_lock (self, account->id));
      g_clear_pointer (&account, vst_account_free);
      account = vst_store_get_account (self->store, login, &error);
    }
  if (account == NULL)
    {
      if (g_error_matches (error, VST_STORE_ERROR, VST_STORE_ERROR_NOT_FOUND))
        reply_error (req, SOUP_STATUS_NOT_FOUND, "not_found", N_("No account has this login."));
      else
        reply_internal (req, error);
      return;
    }

  if (action == NULL)
    {
      reply_admin_account (req, SOUP_STATUS_OK, login);
    }
  else if (strcmp (action, "invitation") == 0)
    {
      mail = compose_invitation (self, account, &error);
      if (mail == NULL || !vst_store_enqueue_mail (self->store, account->id, mail, &error))
        {
          reply_internal (req, error);
          return;
        }
      req->kick_mailer = TRUE;
      log_event (req, "invitation-resent", account->login, "Invitation queued again");
      reply_status (req, SOUP_STATUS_ACCEPTED, "queued");
    }
  else if (strcmp (action, "reset-2fa") == 0)
    {
      account->totp_state = VST_TOTP_STATE_NONE;
      g_clear_pointer (&account->totp_secret, vst_secure_free);
      account->totp_last_step = -1;
      account->totp_failures = 0;
      account->totp_locked_until = 0;
      account->totp_lock_count = 0;
      if (!vst_store_update_account (self->store, account, &error))
        {
          reply_internal (req, error);
          return;
        }
      log_event (req, "totp-reset", account->login, "Two-factor authentication removed by the helpdesk");
      reply_admin_account (req, SOUP_STATUS_OK, login);
    }
  else if (strcmp (action, "unlock") == 0)
    {
      account->totp_failures = 0;
      account->totp_locked_until = 0;
      account->totp_lock_count = 0;
      if (!vst_store_update_account (self->store, account, &error) ||
          !vst_store_clear_signin_failures (self->store, login, &error))
        {
          reply_internal (req, error);
          return;
        }
      log_event (req, "unlocked", account->login, "Lock-outs lifted by the helpdesk");
      reply_admin_account (req, SOUP_STATUS_OK, login);
    }
  else
    g_assert_not_reached ();
}

/* Routing ------------------------------------------------------------ */

static gboolean
method_is (Request    *req,
           const char *allowed)
{
  const char *method = soup_server_message_get_method (req->msg);
  g_auto(GStrv) methods = g_strsplit (allowed, ", ", -1);

  if (g_strv_contains ((const char * const *) methods, method))
    return TRUE;
  req->allow = allowed;
  reply_error (req, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
               N_("This method is not allowed here."));
  return FALSE;
}

static void
reply_not_found (Request *req)
{
  reply_error (req, SOUP_STATUS_NOT_FOUND, "not_found", N_("There is nothing at this address."));
}

/* The helpdesk's actions on one account, as static strings. */
static const char *
admin_action (const char *name)
{
  static const char * const actions[] = { "invitation", "reset-2fa", "unlock" };

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    if (strcmp (name, actions[i]) == 0)
      return actions[i];
  return NULL;
}

/* The handler for @req, or NULL once it has replied (not found, wrong
 * method, no helpdesk token, or GET /api/v1/info, which needs no store). */
static RequestFunc
route (Request *req)
{
  static const struct {
    const char *path;
    const char *method;
    RequestFunc handler;
  } routes[] = {
    { "password-resets", "POST", handle_password_resets },
    { "password", "POST", handle_password },
    { "sessions", "POST", handle_sessions },
    { "account", "GET", handle_account },
    { "totp", "POST", handle_totp },
    { "totp/activate", "POST", handle_totp_activate },
    { "totp/verify", "POST", handle_totp_verify },
  };
  const char *method = soup_server_message_get_method (req->msg);
  const char *rest;

  if (!g_str_has_prefix (req->path, "/api/v1/"))
    {
      reply_not_found (req);
      return NULL;
    }
  rest = req->path + strlen ("/api/v1/");

  if (strcmp (rest, "info") == 0)
    {
      if (method_is (req, "GET"))
        handle_info (req);
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    if (strcmp (rest, routes[i].path) == 0)
      return method_is (req, routes[i].method) ? routes[i].handler : NULL;

  if (strcmp (rest, "admin/accounts") == 0)
    {
      if (!method_is (req, "GET, POST") || !require_admin (req))
        return NULL;
      return strcmp (method, "GET") == 0 ? handle_admin_list : handle_admin_create;
    }
  if (g_str_has_prefix (rest, "admin/accounts/"))
    {
      g_auto(GStrv) parts = g_strsplit (rest + strlen ("admin/accounts/"), "/", 3);
      guint n = g_strv_length (parts);
      g_autofree char *login = n >= 1 ? g_uri_unescape_string (parts[0], NULL) : NULL;

      if (login == NULL || *login == '\0' || n > 2 || (n == 2 && admin_action (parts[1]) == NULL))
        {
          reply_not_found (req);
          return NULL;
        }
      if (!method_is (req, n == 1 ? "GET" : "POST") || !require_admin (req))
        return NULL;
      req->login = vst_api_normalize_login (login);
      req->action = n == 2 ? admin_action (parts[1]) : NULL;
      return handle_admin_action;
    }
  reply_not_found (req);
  return NULL;
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  Request *req = request_new (user_data, msg);
  RequestFunc handler = NULL;

  if (soup_server_message_get_request_body (msg)->length > VST_API_MAX_BODY)
    reply_error (req, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
                 N_("The request is too large."));
  else
    handler = route (req);

  if (handler != NULL)
    request_run (req, handler);
  else
    request_finish (req);
}

/* Answers 413 as soon as the headers declare an oversized body, so that no
 * handler runs for it: an early handler runs once the headers are read,
 * and a status set there ends the request. libsoup 3.2 still reads (and
 * drops) the body before answering: deployments that face the Internet
 * also cap bodies in their reverse proxy (see docs/server.md). */
static void
early_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  Request *req;

  if (soup_message_headers_get_content_length (headers) <= VST_API_MAX_BODY)
    return;
  req = request_new (user_data, msg);
  req->close_connection = TRUE;
  reply_error (req, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
               N_("The request is too large."));
  request_finish (req);
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
listener_free (Listener *listener)
{
  if (listener->thread != NULL)
    {
      /* From inside the loop, in case it has not started running yet. */
      g_main_context_invoke (listener->context, quit_cb, listener->loop);
      g_thread_join (listener->thread);
    }
  else
    g_clear_object (&listener->server);
  g_clear_object (&listener->socket);
  g_clear_pointer (&listener->loop, g_main_loop_unref);
  g_clear_pointer (&listener->context, g_main_context_unref);
  g_clear_error (&listener->error);
  g_mutex_clear (&listener->lock);
  g_cond_clear (&listener->started);
  g_free (listener);
}

static void
vst_api_dispose (GObject *object)
{
  VstApi *self = VST_API (object);

  g_clear_pointer (&self->listeners, g_ptr_array_unref);
  g_clear_object (&self->config);
  g_clear_object (&self->store);
  g_clear_object (&self->mailer);
  g_clear_object (&self->french);
  g_clear_pointer (&self->policy, json_node_unref);
  g_clear_pointer (&self->info_head, g_free);
  g_clear_pointer (&self->info_tail, g_free);
  for (guint i = 0; i < N_CODE_REPLIES; i++)
    for (guint french = 0; french < 2; french++)
      g_free (self->code_replies[i][french]);

  G_OBJECT_CLASS (vst_api_parent_class)->dispose (object);
}

static void
vst_api_finalize (GObject *object)
{
  VstApi *self = VST_API (object);

  for (guint i = 0; i < G_N_ELEMENTS (self->account_locks); i++)
    g_mutex_clear (&self->account_locks[i]);

  G_OBJECT_CLASS (vst_api_parent_class)->finalize (object);
}

static void
vst_api_class_init (VstApiClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = vst_api_dispose;
  G_OBJECT_CLASS (klass)->finalize = vst_api_finalize;
}

static void
vst_api_init (VstApi *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->account_locks); i++)
    g_mutex_init (&self->account_locks[i]);
  self->listeners = g_ptr_array_new_with_free_func ((GDestroyNotify) listener_free);
}

VstApi *
vst_api_new (VstServerConfig  *config,
             VstStore         *store,
             VstMailer        *mailer,
             VstCatalog       *french,
             GError          **error)
{
  g_autoptr(VstApi) self = g_object_new (VST_TYPE_API, NULL);
  g_autofree char *policy = NULL;

  self->config = g_object_ref (config);
  self->store = g_object_ref (store);
  self->mailer = g_object_ref (mailer);
  self->french = g_object_ref (french);

  policy = vst_password_policy_to_json (vst_server_config_get_password_policy (config));
  self->policy = json_from_string (policy, error);
  if (self->policy == NULL || !build_info (self, error))
    return NULL;
  build_code_replies (self);
  return g_steal_pointer (&self);
}

/* Binds with SO_REUSEPORT, by hand: g_socket_bind() turns it off for
 * TCP. */
static gboolean
bind_shared (GSocket         *socket,
             GSocketAddress  *address,
             GError         **error)
{
  struct sockaddr_storage native;
  gssize size = g_socket_address_get_native_size (address);
  int saved_errno;

  if (!g_socket_set_option (socket, SOL_SOCKET, SO_REUSEADDR, 1, error) ||
      !g_socket_set_option (socket, SOL_SOCKET, SO_REUSEPORT, 1, error) ||
      !g_socket_address_to_native (address, &native, sizeof native, error))
    return FALSE;
  if (bind (g_socket_get_fd (socket), (struct sockaddr *) &native, size) == 0)
    return TRUE;
  saved_errno = errno;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "Error binding to the shared address: %s", g_strerror (saved_errno));
  return FALSE;
}

/* A listening socket on @address; with @share, other sockets may listen on
 * the same address and port. */
static GSocket *
new_listening_socket (GSocketAddress  *address,
                      gboolean         share,
                      GError         **error)
{
  g_autoptr(GSocket) socket = g_socket_new (g_socket_address_get_family (address), G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_DEFAULT, error);

  if (socket == NULL)
    return NULL;
  if (g_socket_address_get_family (address) == G_SOCKET_FAMILY_IPV6 &&
      !g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, 1, error))
    return NULL;
  /* Room for a burst of new connections while the loop is busy. */
  g_socket_set_listen_backlog (socket, 1024);
  if (!(share ? bind_shared (socket, address, error) : g_socket_bind (socket, address, TRUE, error)) ||
      !g_socket_listen (socket, error))
    return NULL;
  return g_steal_pointer (&socket);
}

/* Makes @listener's SoupServer, in the thread (and thread-default context)
 * it will run in. */
static gboolean
listener_serve (Listener  *listener,
                GError   **error)
{
  VstApi *self = listener->api;
  g_autoptr(GTlsCertificate) certificate = NULL;
  const char *cert_file = vst_server_config_get_tls_certificate (self->config);
  SoupServerListenOptions options = 0;

  if (cert_file != NULL)
    {
      certificate = g_tls_certificate_new_from_files (cert_file, vst_server_config_get_tls_key (self->config),
                                                      error);
      if (certificate == NULL)
        return FALSE;
      options |= SOUP_SERVER_LISTEN_HTTPS;
    }
  listener->server = soup_server_new ("server-header", "vestibule-server/" PACKAGE_VERSION " ",
                                      "tls-certificate", certificate,
                                      NULL);
  soup_server_add_handler (listener->server, NULL, server_cb, self, NULL);
  soup_server_add_early_handler (listener->server, NULL, early_cb, self, NULL);
  return soup_server_listen_socket (listener->server, listener->socket, options, error);
}

static gpointer
listener_thread (gpointer data)
{
  Listener *listener = data;
  gboolean ok;

  g_main_context_push_thread_default (listener->context);
  g_mutex_lock (&listener->lock);
  ok = listener_serve (listener, &listener->error);
  listener->ready = TRUE;
  g_cond_signal (&listener->started);
  g_mutex_unlock (&listener->lock);

  if (ok)
    g_main_loop_run (listener->loop);
  if (listener->server != NULL)
    soup_server_disconnect (listener->server);
  g_clear_object (&listener->server);
  /* What the server's connections left behind. */
  while (g_main_context_iteration (listener->context, FALSE))
    ;
  g_main_context_pop_thread_default (listener->context);
  return NULL;
}

static gboolean
listener_start_thread (Listener  *listener,
                       guint      index,
                       GError   **error)
{
  g_autofree char *name = g_strdup_printf ("vst-http-%u", index);

  listener->context = g_main_context_new ();
  listener->loop = g_main_loop_new (listener->context, FALSE);
  listener->thread = g_thread_new (name, listener_thread, listener);
  g_mutex_lock (&listener->lock);
  while (!listener->ready)
    g_cond_wait (&listener->started, &listener->lock);
  g_mutex_unlock (&listener->lock);
  if (listener->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&listener->error));
      return FALSE;
    }
  return TRUE;
}

gboolean
vst_api_listen (VstApi  *self,
                GError **error)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocket) probe = NULL;
  const char *host = vst_server_config_get_listen_host (self->config);
  guint n_threads = vst_server_config_get_threads (self->config);

  g_return_val_if_fail (VST_IS_API (self), FALSE);
  g_return_val_if_fail (self->listeners->len == 0, FALSE);

  address = g_inet_socket_address_new_from_string (host, vst_server_config_get_listen_port (self->config));
  if (address == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not an IP address", host);
      return FALSE;
    }
  /* A plain socket first. It fails, as it should, when anything holds the
   * port (another instance too, which SO_REUSEPORT would let in beside
   * us), and it picks the port when the configuration says 0. */
  probe = new_listening_socket (address, FALSE, error);
  if (probe == NULL)
    return FALSE;
  if (n_threads > 1)
    {
      g_clear_object (&address);
      address = g_socket_get_local_address (probe, error);
      if (address == NULL || !g_socket_close (probe, error))
        return FALSE;
      g_clear_object (&probe);
    }
  for (guint i = 0; i < n_threads; i++)
    {
      Listener *listener = g_new0 (Listener, 1);

      listener->api = self;
      g_mutex_init (&listener->lock);
      g_cond_init (&listener->started);
      g_ptr_array_add (self->listeners, listener);
      listener->socket = probe != NULL ? g_steal_pointer (&probe) : new_listening_socket (address, TRUE, error);
      if (listener->socket == NULL)
        return FALSE;
      if (i == 0 ? !listener_serve (listener, error) : !listener_start_thread (listener, i, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
disconnect_cb (gpointer data)
{
  Listener *listener = data;

  soup_server_disconnect (listener->server);
  return G_SOURCE_REMOVE;
}

/* No new connections; the requests under way go on. */
void
vst_api_disconnect (VstApi *self)
{
  g_return_if_fail (VST_IS_API (self));

  for (guint i = 0; i < self->listeners->len; i++)
    {
      Listener *listener = g_ptr_array_index (self->listeners, i);

      if (listener->thread == NULL)
        soup_server_disconnect (listener->server);
      else
        g_main_context_invoke (listener->context, disconnect_cb, listener);
    }
}

guint
vst_api_get_n_pending (VstApi *self)
{
  g_return_val_if_fail (VST_IS_API (self), 0);

  return g_atomic_int_get (&self->n_pending);
}
