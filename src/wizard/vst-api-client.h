/* vst-api-client.h: the onboarding service's API (docs/api.md), asynchronously.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define VST_API_ERROR (vst_api_error_quark ())

/**
 * VstApiError:
 * @VST_API_ERROR_NETWORK: the server cannot be reached (no network, no such
 *   host, connection refused).
 * @VST_API_ERROR_TIMEOUT: the server did not answer in time.
 * @VST_API_ERROR_TLS: the secure connection failed (certificate).
 * @VST_API_ERROR_SERVER: the server failed (5xx) or answered nonsense.
 * @VST_API_ERROR_REJECTED: the server refused the request with an error code
 *   (vst_api_error_get_code()) and a message in the user's language.
 *
 * Every error carries a translated message and a short code for the support
 * summary ("network", "timeout", "tls", "server" or the server's own code).
 */
typedef enum {
  VST_API_ERROR_NETWORK,
  VST_API_ERROR_TIMEOUT,
  VST_API_ERROR_TLS,
  VST_API_ERROR_SERVER,
  VST_API_ERROR_REJECTED,
} VstApiError;

GQuark              vst_api_error_quark           (void);
const char         *vst_api_error_get_code        (const GError *error);
guint               vst_api_error_get_status      (const GError *error);
/* Seconds to wait (throttled, locked), or 0. */
gint64              vst_api_error_get_retry_after (const GError *error);
/* The reason of an invalid_code ("malformed", "mismatch", "replayed"). */
const char         *vst_api_error_get_reason      (const GError *error);
/* The rule ids of a password_policy error, or NULL. */
const char * const *vst_api_error_get_violations  (const GError *error);
/* Whether Retry may help: network, timeout, TLS and server failures. */
gboolean            vst_api_error_is_transport    (const GError *error);
/* A short code for any error ("network", "invalid_code", "cancelled"...). */
const char         *vst_error_get_support_code    (const GError *error);

#define VST_TYPE_API_CLIENT (vst_api_client_get_type ())

G_DECLARE_FINAL_TYPE (VstApiClient, vst_api_client, VST, API_CLIENT, GObject)

VstApiClient *vst_api_client_new               (const char    *base_url) G_GNUC_WARN_UNUSED_RESULT;
const char   *vst_api_client_get_base_url      (VstApiClient  *self);
/* The bearer token of the open session, kept in memory only (wiped when
 * replaced or when the client is disposed); NULL closes it. */
void          vst_api_client_set_session_token (VstApiClient  *self,
                                                const char    *token);
gboolean      vst_api_client_has_session       (VstApiClient  *self);

/* Every call completes with the answer's JSON object (transfer full). */
void        vst_api_client_get_info_async      (VstApiClient        *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
JsonObject *vst_api_client_get_info_finish     (VstApiClient        *self,
                                                GAsyncResult        *result,
                                                GError             **error) G_GNUC_WARN_UNUSED_RESULT;

void        vst_api_client_request_reset_async  (VstApiClient        *self,
                                                 const char          *login,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
JsonObject *vst_api_client_request_reset_finish (VstApiClient        *self,
                                                 GAsyncResult        *result,
                                                 GError             **error) G_GNUC_WARN_UNUSED_RESULT;

void        vst_api_client_set_password_async  (VstApiClient        *self,
                                                const char          *login,
                                                const char          *token,
                                                const char          *password,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
JsonObject *vst_api_client_set_password_finish (VstApiClient        *self,
                                                GAsyncResult        *result,
                                                GError             **error) G_GNUC_WARN_UNUSED_RESULT;

void        vst_api_client_sign_in_async       (VstApiClient        *self,
                                                const char          *login,
                                                const char          *password,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
JsonObject *vst_api_client_sign_in_finish      (VstApiClient        *self,
                                                GAsyncResult        *result,
                                                GError             **error) G_GNUC_WARN_UNUSED_RESULT;

void        vst_api_client_get_account_async   (VstApiClient        *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
JsonObject *vst_api_client_get_account_finish  (VstApiClient        *self,
                                                GAsyncResult        *result,
                                                GError             **error) G_GNUC_WARN_UNUSED_RESULT;

void        vst_api_client_start_totp_async    (VstApiClient        *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
JsonObject *vst_api_client_start_totp_finish   (VstApiClient        *self,
                                                GAsyncResult        *result,
                                                GError             **error) G_GNUC_WARN_UNUSED_RESULT;

/* @password (may be NULL) proves the pairing to a directory behind the
 * server; the SQLite store ignores it. */
void        vst_api_client_activate_totp_async  (VstApiClient        *self,
                                                 const char          *code,
                                                 const char          *password,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
JsonObject *vst_api_client_activate_totp_finish (VstApiClient        *self,
                                                 GAsyncResult        *result,
                                                 GError             **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
