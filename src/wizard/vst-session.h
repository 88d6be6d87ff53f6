/* vst-session.h: what the wizard knows about the person, in memory only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <vestibule.h>

#include "vst-api-client.h"

G_BEGIN_DECLS

typedef enum {
  VST_TOTP_STATE_UNKNOWN,
  VST_TOTP_STATE_NONE,
  VST_TOTP_STATE_PENDING,
  VST_TOTP_STATE_ACTIVE,
} VstTotpState;

typedef enum {
  VST_AUTH_APP_NONE,
  VST_AUTH_APP_MICROSOFT,
  VST_AUTH_APP_GOOGLE,
  VST_AUTH_APP_OTHER,
} VstAuthApp;

#define VST_TYPE_SESSION (vst_session_get_type ())

G_DECLARE_FINAL_TYPE (VstSession, vst_session, VST, SESSION, GObject)

VstSession        *vst_session_new                  (VstApiClient *client) G_GNUC_WARN_UNUSED_RESULT;
VstApiClient      *vst_session_get_client           (VstSession   *self);
const char        *vst_session_get_server_url       (VstSession   *self);

const char        *vst_session_get_login            (VstSession   *self);
void               vst_session_set_login            (VstSession   *self,
                                                     const char   *login);

/* GET /api/v1/info */
gboolean           vst_session_load_info            (VstSession   *self,
                                                     JsonObject   *info,
                                                     GError      **error);
gboolean           vst_session_has_info             (VstSession   *self);
const char        *vst_session_get_organisation     (VstSession   *self);
VstPasswordPolicy *vst_session_get_policy           (VstSession   *self);
guint              vst_session_get_password_lifetime_days (VstSession *self);
/* Server time minus this computer's time, in seconds. */
gint64             vst_session_get_clock_offset     (VstSession   *self);
gboolean           vst_session_has_clock_offset     (VstSession   *self);
/* This computer's time corrected by the offset: the server's "now". */
gint64             vst_session_get_server_now       (VstSession   *self);

/* The reset token from the link or the code (a secret, wiped on change). */
const char        *vst_session_get_reset_token      (VstSession   *self);
void               vst_session_set_reset_token      (VstSession   *self,
                                                     const char   *token);

/* POST /api/v1/password or /api/v1/sessions: the session is open. The
 * password is kept in memory only, until two-factor authentication is on:
 * a directory behind the server proves the pairing with a bind of the
 * password followed by the code (see docs/api.md). */
void               vst_session_load_sign_in         (VstSession   *self,
                                                     JsonObject   *answer,
                                                     const char   *password);
/* The password of this sign-in while the pairing is not proven, or NULL. */
const char        *vst_session_get_pairing_password (VstSession   *self);
gboolean           vst_session_is_signed_in         (VstSession   *self);
gint64             vst_session_get_password_expires_at (VstSession *self);
VstTotpState       vst_session_get_totp_state       (VstSession   *self);
void               vst_session_set_totp_state       (VstSession   *self,
                                                     VstTotpState  state);

/* GET /api/v1/account */
void               vst_session_load_account         (VstSession   *self,
                                                     JsonObject   *account);
gboolean           vst_session_has_account          (VstSession   *self);
const char        *vst_session_get_display_name     (VstSession   *self);
const char        *vst_session_get_space_name       (VstSession   *self);
const char        *vst_session_get_space_url        (VstSession   *self);

VstAuthApp         vst_session_get_auth_app         (VstSession   *self);
void               vst_session_set_auth_app         (VstSession   *self,
                                                     VstAuthApp    app);

/* The pairing in progress (POST /api/v1/totp): takes @otpauth, which holds
 * the secret; NULL wipes it. */
void               vst_session_set_pairing          (VstSession   *self,
                                                     VstOtpauth   *otpauth);
const VstOtpauth  *vst_session_get_pairing          (VstSession   *self);

/* The last error's short code, for the support summary. */
const char        *vst_session_get_last_error       (VstSession   *self);
void               vst_session_set_last_error       (VstSession   *self,
                                                     const char   *code);

G_END_DECLS
