/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define VST_ADMIN_ERROR (vst_admin_error_quark ())

/**
 * VstAdminError:
 * @VST_ADMIN_ERROR_INVALID_URL: the server address is not an http(s) URL.
 * @VST_ADMIN_ERROR_TOKEN: the admin token file is missing, unreadable or
 *   does not hold a token.
 * @VST_ADMIN_ERROR_UNREACHABLE: no answer: connection refused, unknown host,
 *   timeout, or a proxy saying the server is down.
 * @VST_ADMIN_ERROR_TLS: the TLS handshake failed (certificate not trusted…).
 * @VST_ADMIN_ERROR_UNAUTHORIZED: the server refused the admin token (401/403).
 * @VST_ADMIN_ERROR_NOT_FOUND: no account with that login (404).
 * @VST_ADMIN_ERROR_CONFLICT: the account exists already (409).
 * @VST_ADMIN_ERROR_INVALID: the server rejected a value (400, 422).
 * @VST_ADMIN_ERROR_THROTTLED: too many requests (429).
 * @VST_ADMIN_ERROR_REFUSED: any other refusal (4xx).
 * @VST_ADMIN_ERROR_SERVER: the server failed (5xx).
 * @VST_ADMIN_ERROR_PROTOCOL: the answer is not what a Vestibule server
 *   sends: not JSON, a redirect, an unknown route.
 *
 * The message of each error is a full sentence for the helpdesk agent; for
 * refusals it is the server's own message, in the language asked for.
 */
typedef enum {
  VST_ADMIN_ERROR_INVALID_URL,
  VST_ADMIN_ERROR_TOKEN,
  VST_ADMIN_ERROR_UNREACHABLE,
  VST_ADMIN_ERROR_TLS,
  VST_ADMIN_ERROR_UNAUTHORIZED,
  VST_ADMIN_ERROR_NOT_FOUND,
  VST_ADMIN_ERROR_CONFLICT,
  VST_ADMIN_ERROR_INVALID,
  VST_ADMIN_ERROR_THROTTLED,
  VST_ADMIN_ERROR_REFUSED,
  VST_ADMIN_ERROR_SERVER,
  VST_ADMIN_ERROR_PROTOCOL,
} VstAdminError;

GQuark vst_admin_error_quark (void);

/* Exit statuses of vestibule-admin; documented in its --help. */
typedef enum {
  VST_ADMIN_EXIT_OK = 0,
  VST_ADMIN_EXIT_REFUSED = 1,
  VST_ADMIN_EXIT_USAGE = 2,
  VST_ADMIN_EXIT_UNAVAILABLE = 3,
} VstAdminExit;

/* The exit status for @error: 1 for a refusal by the server, 2 for a bad
 * server address, 3 when the server cannot be reached or the token is
 * missing or refused. */
VstAdminExit vst_admin_error_get_exit_status (const GError *error);

/* Reads the admin token from @path: one line, surrounding blanks ignored.
 * Sets @out_exposed when the group or others may read the file, so that the
 * caller can warn. Free the result with vst_admin_token_free(). */
G_GNUC_WARN_UNUSED_RESULT
char        *vst_admin_read_token_file       (const char   *path,
                                              gboolean     *out_exposed,
                                              GError      **error);

/* Wipes and frees a token; NULL is fine. */
void         vst_admin_token_free            (char         *token);

/* "fr" when the first of LANGUAGE, LC_ALL, LC_MESSAGES and LANG that is set
 * and not empty starts with "fr", else "en": the server speaks only those. */
const char  *vst_admin_language_from_locale  (const char   *language,
                                              const char   *lc_all,
                                              const char   *lc_messages,
                                              const char   *lang);

/* The same, from the environment. */
const char  *vst_admin_language_from_environment (void);

/**
 * VstAdminInvitation:
 * @login: the new account's login.
 * @email: where the invitation goes.
 * @display_name: the person's name, as the e-mails greet them.
 * @language: "en" or "fr", the language of the e-mails and the wizard.
 * @space_name: (nullable): the collaboration space the account is for.
 * @space_url: (nullable): its address.
 */
typedef struct {
  const char *login;
  const char *email;
  const char *display_name;
  const char *language;
  const char *space_name;
  const char *space_url;
} VstAdminInvitation;

#define VST_TYPE_ADMIN_CLIENT (vst_admin_client_get_type ())

G_DECLARE_FINAL_TYPE (VstAdminClient, vst_admin_client, VST, ADMIN_CLIENT, GObject)

/* A client of the helpdesk API at @server_url (http or https, optionally
 * with a path prefix); fails with VST_ADMIN_ERROR_INVALID_URL on anything
 * else. Blocking: each call returns when the server answered or after the
 * timeout (15 s by default). */
G_GNUC_WARN_UNUSED_RESULT
VstAdminClient *vst_admin_client_new              (const char               *server_url,
                                                   GError                  **error);

/* The admin token sent as the bearer token of every request. It is kept
 * only as long as the client and wiped when it goes; there is no getter. */
void            vst_admin_client_set_token        (VstAdminClient           *self,
                                                   const char               *token);

const char     *vst_admin_client_get_server_url   (VstAdminClient           *self);
gboolean        vst_admin_client_is_encrypted_or_local (VstAdminClient      *self);

const char     *vst_admin_client_get_accept_language (VstAdminClient        *self);
void            vst_admin_client_set_accept_language (VstAdminClient        *self,
                                                      const char            *language);

guint           vst_admin_client_get_timeout      (VstAdminClient           *self);
void            vst_admin_client_set_timeout      (VstAdminClient           *self,
                                                   guint                     seconds);

/* `{"accounts": [ … ]}` as the server sent it. */
G_GNUC_WARN_UNUSED_RESULT
JsonNode       *vst_admin_client_list_accounts    (VstAdminClient           *self,
                                                   GCancellable             *cancellable,
                                                   GError                  **error);

/* Each of these returns the account object as the server sent it. */
G_GNUC_WARN_UNUSED_RESULT
JsonNode       *vst_admin_client_get_account      (VstAdminClient           *self,
                                                   const char               *login,
                                                   GCancellable             *cancellable,
                                                   GError                  **error);
G_GNUC_WARN_UNUSED_RESULT
JsonNode       *vst_admin_client_invite           (VstAdminClient           *self,
                                                   const VstAdminInvitation *invitation,
                                                   GCancellable             *cancellable,
                                                   GError                  **error);
G_GNUC_WARN_UNUSED_RESULT
JsonNode       *vst_admin_client_reset_2fa        (VstAdminClient           *self,
                                                   const char               *login,
                                                   GCancellable             *cancellable,
                                                   GError                  **error);
G_GNUC_WARN_UNUSED_RESULT
JsonNode       *vst_admin_client_unlock           (VstAdminClient           *self,
                                                   const char               *login,
                                                   GCancellable             *cancellable,
                                                   GError                  **error);

/* Sends the invitation again. @out_response, when given, receives the
 * server's JSON answer, or NULL when it sent none. */
gboolean        vst_admin_client_resend_invitation (VstAdminClient          *self,
                                                    const char              *login,
                                                    JsonNode               **out_response,
                                                    GCancellable            *cancellable,
                                                    GError                 **error);

G_END_DECLS
