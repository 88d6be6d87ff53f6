/* vst-session.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "vst-session.h"

struct _VstSession
{
  GObject            parent_instance;

  VstApiClient      *client;
  char              *login;

  gboolean           has_info;
  char              *organisation;
  VstPasswordPolicy *policy;
  guint              password_lifetime_days;
  gboolean           has_clock_offset;
  gint64             clock_offset;

  char              *reset_token;
  char              *pairing_password;

  gint64             password_expires_at;
  VstTotpState       totp_state;

  gboolean           has_account;
  char              *display_name;
  char              *space_name;
  char              *space_url;

  VstAuthApp         auth_app;
  VstOtpauth        *pairing;

  char              *last_error;
};

G_DEFINE_FINAL_TYPE (VstSession, vst_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LOGIN,
  PROP_ORGANISATION,
  PROP_TOTP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
vst_session_finalize (GObject *object)
{
  VstSession *self = (VstSession *)object;

  g_clear_object (&self->client);
  g_clear_pointer (&self->login, g_free);
  g_clear_pointer (&self->organisation, g_free);
  g_clear_pointer (&self->policy, vst_password_policy_unref);
  g_clear_pointer (&self->reset_token, vst_secure_free);
  g_clear_pointer (&self->pairing_password, vst_secure_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->space_name, g_free);
  g_clear_pointer (&self->space_url, g_free);
  g_clear_pointer (&self->pairing, vst_otpauth_free);
  g_clear_pointer (&self->last_error, g_free);

  G_OBJECT_CLASS (vst_session_parent_class)->finalize (object);
}

static void
vst_session_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  VstSession *self = VST_SESSION (object);

  switch (prop_id)
    {
    case PROP_LOGIN:
      g_value_set_string (value, self->login);
      break;

    case PROP_ORGANISATION:
      g_value_set_string (value, self->organisation);
      break;

    case PROP_TOTP_STATE:
      g_value_set_int (value, self->totp_state);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vst_session_class_init (VstSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vst_session_finalize;
  object_class->get_property = vst_session_get_property;

  properties[PROP_LOGIN] =
    g_param_spec_string ("login", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ORGANISATION] =
    g_param_spec_string ("organisation", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOTP_STATE] =
    g_param_spec_int ("totp-state", NULL, NULL,
                      VST_TOTP_STATE_UNKNOWN, VST_TOTP_STATE_ACTIVE, VST_TOTP_STATE_UNKNOWN,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vst_session_init (VstSession *self)
{
}

VstSession *
vst_session_new (VstApiClient *client)
{
  VstSession *self;

  g_return_val_if_fail (VST_IS_API_CLIENT (client), NULL);

  self = g_object_new (VST_TYPE_SESSION, NULL);
  self->client = g_object_ref (client);

  return self;
}

VstApiClient *
vst_session_get_client (VstSession *self)
{
  g_return_val_if_fail (VST_IS_SESSION (self), NULL);

  return self->client;
}

const char *
vst_session_get_server_url (VstSession *self)
{
  g_return_val_if_fail (VST_IS_SESSION (self), NULL);

  return vst_api_client_get_base_url (self->client);
}

const char *
vst_session_get_login (VstSession *self)
{
  g_return_val_if_fail (VST_IS_SESSION (self), NULL);

  return self->login;
}

void
vst_session_set_login (VstSession *self,
                       const char *login)
{
  g_autofree char *folded = NULL;

  g_return_if_fail (VST_IS_SESSION (self));

  if (login != NULL)
    {
      folded = g_utf8_strdown (login, -1);
      g_strstrip (folded);
      if (*folded == '\0')
        g_clear_pointer (&folded, g_free);
    }

  if (g_strcmp0 (folded, self->login) == 0)
    return;

  g_free (self->login);
  self->login = g_steal_pointer (&folded);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOGIN]);
}

gboolean
vst_session_load_info (VstSession  *self,
                       JsonObject  *info,
                       GError     **error)
{
  g_autoptr(VstPasswordPolicy) policy = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree char *policy_json = NULL;
  JsonNode *policy_node;

  g_return_val_if_fail (VST_IS_SESSION (self), FALSE);
  g_return_val_if_fail (info != NULL, FALSE);

  policy_node = json_object_get_member (info, "password_policy");
  if (policy_node == NULL || !JSON_NODE_HOLDS_OBJECT (policy_node))
    {
      g_set_error_literal (error, VST_API_ERROR, VST_API_ERROR_SERVER,
                           _("The server did not send its password rules. Contact your helpdesk."));
      return FALSE;
    }

  generator = json_generator_new ();
  json_generator_set_root (generator, policy_node);
  policy_json = json_generator_to_data (generator, NULL);
  policy = vst_password_policy_new_from_json (policy_json, -1, error);
  if (policy == NULL)
    return FALSE;

  g_clear_pointer (&self->policy, vst_password_policy_unref);
  self->policy = g_steal_pointer (&policy);

  g_free (self->organisation);
  self->organisation = g_strdup (json_object_get_string_member_with_default (info, "organisation", NULL));
  self->password_lifetime_days = json_object_get_int_member_with_default (info, "password_lifetime_days", 0);

  if (json_object_has_member (info, "server_time"))
    {
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;

      self->clock_offset = json_object_get_int_member (info, "server_time") - now;
      self->has_clock_offset = TRUE;
    }

  self->has_info = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ORGANISATION]);

  return TRUE;
}

gboolean
vst_session_has_info (VstSession *self)
{
  g_return_val_if_fail (VST_IS_SESSION (self), FALSE);

  return self->has_info;
}

const char *
vst_session_get_organisation (VstSession *self)
{
  g_return_val_if_fail (VST_IS_SESSION (self), NULL);

  return self->organisation;
}

VstPasswordPolicy *
vst_session_get_policy (VstSession *self)
{
  g_return_val_if_fail (VST_IS_SESSION (self), NULL);

  return self->policy;
}

guint
vst_session_get_password_lifetime_days (VstSession *self)
{
  g_return_val_if_fail (VST_IS_SESSION (self), 0);

  return self->password_lifetime_days;
}

gint64
vst_session_get_clock_offset (VstSession *self)
{
  g_return_val_if_fail (VST_IS_SESSION (self), 0);

  return self->clock_offset;
}

gboolean
vst_session_has_clock_offset (VstSession *self)
{
  g_return_val_if_fail (VST_IS_SESSION (self), FALSE);

  return self->has_clock_offset;
}

gint64
vst_session_get_server_now (VstSession *self)
{
  g_return_val_if_fail (VST_IS_SESSION (self), 0);

  return g_get_real_time () / G_USEC_PER_SEC + self->clock_offset;
}

const char *
vst_session_get_reset_token (VstSession *self)
{
  g_return_val_if_fail (VST_IS_SESSION (self), NULL);

  return self->reset_token;
}

void
vst_session_set_reset_token (VstSession *self,
                             const char *token)
{
  g_return_if_fail (VST_IS_SESSION (self));

  g_clear_pointer (&self->reset_token, vst_secure_free);
  self->reset_token = g_strdup (token);
}

static VstTotpState
totp_state_from_string (const char *state)
{
  if (g_strcmp0 (state, "none") == 0)
    return VST_TOTP_STATE_NONE;
  if (g_strcmp0 (state, "pending") == 0)
    return VST_TOTP_STATE_PENDING;
  if (g_strcmp0 (state, "active") == 0)
    return VST_TOTP_STATE_ACTIVE;
  return VST_TOTP_STATE_UNKNOWN;
}

void
vst_session_load_sign_in (VstSession *self,
                          JsonObject *answer,
                          const char *password)
{
  g_return_if_fail (VST_IS_SESSION (self));
  g_return_if_fail (answer != NULL);

  vst_api_client_set_session_token (self->client,
                                    json_object_get_string_member_with_default (answer, "session", NULL));
  self->password_expires_at = json_object_get_int_member_with_default (answer, "password_expires_at", 0);
  vst_session_set_totp_state (self,
                              totp_state_from_string (json_object_get_string_member_with_default (answer, "totp", NULL)));

  g_clear_pointer (&self->pairing_password, vst_secure_free);
  if (self->totp_state != VST_TOTP_STATE_ACTIVE)
    self->pairing_password = g_strdup (password);
}

const char *
vst_session_get_pairing_password (VstSession *self)
{
  g_return_val_if_fail (VST_IS_SESSION (self), NULL);

  return self->pairing_password;
}

gboolean
vst_session_is_signed_in (VstSession *self)
{
  g_return_val_if_fail (VST_IS_SESSION (self), FALSE);

  return vst_api_client_has_session (self->client);
}

gint64
vst_session_get_password_expires_at (VstSession *self)
{
  g_return_val_if_fail (VST_IS_SESSION (self), 0);

  return self->password_expires_at;
}

VstTotpState
vst_session_get_totp_state (VstSession *self)
{
  g_return_val_if_fail (VST_IS_SESSION (self), VST_TOTP_STATE_UNKNOWN);

  return self->totp_state;
}

void
vst_session_set_totp_state (VstSession   *self,
                            VstTotpState  state)
{
  g_return_if_fail (VST_IS_SESSION (self));

  if (self->totp_state == state)
    return;

  self->totp_state = state;
  if (state == VST_TOTP_STATE_ACTIVE)
    {
      vst_session_set_pairing (self, NULL);
      g_clear_pointer (&self->pairing_password, vst_secure_free);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTP_STATE]);
}

void
vst_session_load_account (VstSession *self,
                          JsonObject *account)
{
  JsonObject *space = NULL;

  g_return_if_fail (VST_IS_SESSION (self));
  g_return_if_fail (account != NULL);

  g_free (self->display_name);
  self->display_name = g_strdup (json_object_get_string_member_with_default (account, "display_name", NULL));

  if (json_object_has_member (account, "space") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (account, "space")))
    space = json_object_get_object_member (account, "space");

  g_free (self->space_name);
  g_free (self->space_url);
  self->space_name = space ? g_strdup (json_object_get_string_member_with_default (space, "name", NULL)) : NULL;
  self->space_url = space ? g_strdup (json_object_get_string_member_with_default (space, "url", NULL)) : NULL;

  if (json_object_has_member (account, "password_expires_at"))
    self->password_expires_at = json_object_get_int_member_with_default (account, "password_expires_at", 0);
  if (json_object_has_member (account, "totp"))
    vst_session_set_totp_state (self,
                                totp_state_from_string (json_object_get_string_member_with_default (account, "totp", NULL)));

  self->has_account = TRUE;
}

gboolean
vst_session_has_account (VstSession *self)
{
  g_return_val_if_fail (VST_IS_SESSION (self), FALSE);

  return self->has_account;
}

const char *
vst_session_get_display_name (VstSession *self)
{
  g_return_val_if_fail (VST_IS_SESSION (self), NULL);

  return self->display_name;
}

const char *
vst_session_get_space_name (VstSession *self)
{
  g_return_val_if_fail (VST_IS_SESSION (self), NULL);

  return self->space_name;
}

const char *
vst_session_get_space_url (VstSession *self)
{
  g_return_val_if_fail (VST_IS_SESSION (self), NULL);

  return self->space_url;
}

VstAuthApp
vst_session_get_auth_app (VstSession *self)
{
  g_return_val_if_fail (VST_IS_SESSION (self), VST_AUTH_APP_NONE);

  return self->auth_app;
}

void
vst_session_set_auth_app (VstSession *self,
                          VstAuthApp  app)
{
  g_return_if_fail (VST_IS_SESSION (self));

  self->auth_app = app;
}

void
vst_session_set_pairing (VstSession *self,
                         VstOtpauth *otpauth)
{
  g_return_if_fail (VST_IS_SESSION (self));

  g_clear_pointer (&self->pairing, vst_otpauth_free);
  self->pairing = otpauth;
}

const VstOtpauth *
vst_session_get_pairing (VstSession *self)
{
  g_return_val_if_fail (VST_IS_SESSION (self), NULL);

  return self->pairing;
}

const char *
vst_session_get_last_error (VstSession *self)
{
  g_return_val_if_fail (VST_IS_SESSION (self), NULL);

  return self->last_error;
}

void
vst_session_set_last_error (VstSession *self,
                            const char *code)
{
  g_return_if_fail (VST_IS_SESSION (self));

  g_free (self->last_error);
  self->last_error = g_strdup (code);
}
