/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "vestibule-server"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

#include "vst-server-config.h"

struct _VstServerConfig
{
  GObject parent_instance;

  char *listen_host;
  guint16 listen_port;
  guint threads;
  char *database;
  char *tls_certificate;
  char *tls_key;
  char *datadir;
  char *localedir;

  char *organisation;
  char *issuer;
  char *space_name;
  char *space_url;
  VstPasswordPolicy *policy;
  guint lifetime_days;

  char *mail_from;
  char *smtp_url;
  char *smtp_username;
  char *smtp_password;
  gboolean starttls;
  guint retry_base;
  guint retry_max;

  /* Only the SHA-256 of the admin token is kept, so the token itself does
   * not linger in memory and the comparison has a fixed length. */
  guint8 admin_token_hash[32];
  gboolean has_admin_token;

  char *clock_offset_file;

  /* [store] backend=ldap */
  gboolean use_ldap;
  char *ldap_uri;
  gboolean ldap_starttls;
  char *ldap_bind_dn;
  char *ldap_bind_password;
  char *ldap_base_dn;
  char *ldap_tokens_dn;
  char *ldap_policy_dn;
  char *ldap_totp_params_dn;
};

G_DEFINE_FINAL_TYPE (VstServerConfig, vst_server_config, G_TYPE_OBJECT)

static void
vst_server_config_finalize (GObject *object)
{
  VstServerConfig *self = VST_SERVER_CONFIG (object);

  g_free (self->listen_host);
  g_free (self->database);
  g_free (self->tls_certificate);
  g_free (self->tls_key);
  g_free (self->datadir);
  g_free (self->localedir);
  g_free (self->organisation);
  g_free (self->issuer);
  g_free (self->space_name);
  g_free (self->space_url);
  g_clear_pointer (&self->policy, vst_password_policy_unref);
  g_free (self->mail_from);
  g_free (self->smtp_url);
  g_free (self->smtp_username);
  vst_secure_free (self->smtp_password);
  OPENSSL_cleanse (self->admin_token_hash, sizeof self->admin_token_hash);
  g_free (self->clock_offset_file);
  g_free (self->ldap_uri);
  g_free (self->ldap_bind_dn);
  vst_secure_free (self->ldap_bind_password);
  g_free (self->ldap_base_dn);
  g_free (self->ldap_tokens_dn);
  g_free (self->ldap_policy_dn);
  g_free (self->ldap_totp_params_dn);

  G_OBJECT_CLASS (vst_server_config_parent_class)->finalize (object);
}

static void
vst_server_config_class_init (VstServerConfigClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vst_server_config_finalize;
}

static void
vst_server_config_init (VstServerConfig *self)
{
}

static char *
get_string (GKeyFile   *key_file,
            const char *group,
            const char *key,
            const char *fallback)
{
  g_autofree char *value = g_key_file_get_string (key_file, group, key, NULL);

  if (value != NULL)
    g_strstrip (value);
  if (value == NULL || *value == '\0')
    return g_strdup (fallback);
  return g_steal_pointer (&value);
}

static gboolean
get_uint (GKeyFile    *key_file,
          const char  *group,
          const char  *key,
          guint        fallback,
          guint        min,
          guint        max,
          guint       *out,
          GError     **error)
{
  g_autofree char *text = get_string (key_file, group, key, NULL);
  guint64 value;

  if (text == NULL)
    {
      *out = fallback;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, min, max, &value, NULL))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "[%s] %s must be a whole number from %u to %u", group, key, min, max);
      return FALSE;
    }
  *out = (guint) value;
  return TRUE;
}

/* Reads a one-line secret from a file; the file's content is wiped from
 * memory once the line is copied. */
static char *
read_secret_file (const char  *path,
                  const char  *what,
                  GError     **error)
{
  char *contents = NULL;
  gsize length = 0;
  char *secret;
  GStatBuf st;

  /* As ssh does with keys: a secret that others can read is not one. */
  if (g_stat (path, &st) == 0 && (st.st_mode & 0077) != 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                   "%s: the file %s can be read or written by others; make it mode 0600 (chmod 600)",
                   what, path);
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, &length, error))
    {
      g_prefix_error (error, "%s: ", what);
      return NULL;
    }
  secret = g_strdup (g_strstrip (contents));
  OPENSSL_cleanse (contents, length);
  g_free (contents);
  if (*secret == '\0')
    {
      vst_secure_free (secret);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: the file %s is empty", what, path);
      return NULL;
    }
  return secret;
}

static gboolean
parse_listen (VstServerConfig  *self,
              const char       *listen,
              GError          **error)
{
  const char *colon = strrchr (listen, ':');
  guint64 port;

  if (colon == NULL || colon == listen ||
      !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &port, NULL))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "listen address “%s” is not HOST:PORT", listen);
      return FALSE;
    }
  /* "[::1]:8080" for IPv6. */
  if (listen[0] == '[' && colon[-1] == ']')
    self->listen_host = g_strndup (listen + 1, colon - listen - 2);
  else
    self->listen_host = g_strndup (listen, colon - listen);
  self->listen_port = (guint16) port;
  return TRUE;
}

static gboolean
load_policy (VstServerConfig  *self,
             const char       *spec,
             GError          **error)
{
  g_autofree char *json = NULL;
  gsize length;

  /* A path (it has a slash or ends in .json) or a preset's name. */
  if (strchr (spec, '/') == NULL && !g_str_has_suffix (spec, ".json"))
    {
      self->policy = vst_password_policy_new_preset (spec, error);
      return self->policy != NULL;
    }
  if (!g_file_get_contents (spec, &json, &length, error))
    return FALSE;
  self->policy = vst_password_policy_new_from_json (json, length, error);
  if (self->policy == NULL)
    g_prefix_error (error, "%s: ", spec);
  return self->policy != NULL;
}

static char *
require_string (GKeyFile    *key_file,
                const char  *key,
                GError     **error)
{
  char *value = get_string (key_file, "store", key, NULL);

  if (value == NULL)
    g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                 "[store] backend=ldap needs %s", key);
  return value;
}

/* [store]: SQLite alone, or a directory for the accounts (the SQLite file
 * of [server] database still keeps tokens, sessions and the outbox). */
static gboolean
load_store (VstServerConfig  *self,
            GKeyFile         *key_file,
            GError          **error)
{
  g_autofree char *backend = get_string (key_file, "store", "backend", "sqlite");
  g_autofree char *password_file = NULL;
  GError *starttls_error = NULL;

  if (g_str_equal (backend, "sqlite"))
    return TRUE;
  if (!g_str_equal (backend, "ldap"))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "[store] backend must be sqlite or ldap, not “%s”", backend);
      return FALSE;
    }
  self->use_ldap = TRUE;
  if ((self->ldap_uri = require_string (key_file, "uri", error)) == NULL ||
      (self->ldap_bind_dn = require_string (key_file, "bind-dn", error)) == NULL ||
      (password_file = require_string (key_file, "bind-password-file", error)) == NULL ||
      (self->ldap_base_dn = require_string (key_file, "base-dn", error)) == NULL ||
      (self->ldap_policy_dn = require_string (key_file, "password-policy-dn", error)) == NULL ||
      (self->ldap_totp_params_dn = require_string (key_file, "totp-params-dn", error)) == NULL)
    return FALSE;
  self->ldap_tokens_dn = get_string (key_file, "store", "tokens-dn", self->ldap_base_dn);

  /* A password that crosses the network in clear is refused: ldaps://, or
   * ldap:// with StartTLS (the default). Only loopback may go without. */
  self->ldap_starttls = g_key_file_get_boolean (key_file, "store", "starttls", &starttls_error);
  if (starttls_error != NULL)
    {
      self->ldap_starttls = TRUE;
      g_clear_error (&starttls_error);
    }
  if (g_str_has_prefix (self->ldap_uri, "ldaps://"))
    self->ldap_starttls = FALSE;
  else if (!g_str_has_prefix (self->ldap_uri, "ldap://"))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "[store] uri “%s” must start with ldap:// or ldaps://", self->ldap_uri);
      return FALSE;
    }
  else if (!self->ldap_starttls &&
           !g_str_has_prefix (self->ldap_uri, "ldap://127.0.0.1") &&
           !g_str_has_prefix (self->ldap_uri, "ldap://[::1]") &&
           !g_str_has_prefix (self->ldap_uri, "ldap://localhost"))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "[store] starttls=false is only for a directory on this machine; "
                   "use ldaps:// or StartTLS for %s", self->ldap_uri);
      return FALSE;
    }
  self->ldap_bind_password = read_secret_file (password_file, "bind-password-file", error);
  return self->ldap_bind_password != NULL;
}

VstServerConfig *
vst_server_config_new (GKeyFile  *key_file,
                       GError   **error)
{
  g_autoptr(VstServerConfig) self = g_object_new (VST_TYPE_SERVER_CONFIG, NULL);
  g_autofree char *listen = NULL;
  g_autofree char *policy = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *password_file = NULL;
  const char *env;

  g_return_val_if_fail (key_file != NULL, NULL);

  listen = get_string (key_file, "server", "listen", "127.0.0.1:8080");
  if (!parse_listen (self, listen, error))
    return NULL;
  /* 0: one thread per core. */
  if (!get_uint (key_file, "server", "threads", 0, 0, 64, &self->threads, error))
    return NULL;
  if (self->threads == 0)
    self->threads = g_get_num_processors ();
  self->database = get_string (key_file, "server", "database", "vestibule.db");
  self->tls_certificate = get_string (key_file, "server", "tls-certificate", NULL);
  self->tls_key = get_string (key_file, "server", "tls-key", NULL);
  if ((self->tls_certificate == NULL) != (self->tls_key == NULL))
    {
      g_set_error_literal (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                           "tls-certificate and tls-key go together");
      return NULL;
    }

  /* The uninstalled build and the tests point these at the source tree. */
  env = g_getenv ("VESTIBULE_DATADIR");
  self->datadir = env != NULL && *env != '\0'
                  ? g_strdup (env)
                  : get_string (key_file, "server", "data-dir", PKGDATADIR);
  env = g_getenv ("VESTIBULE_LOCALEDIR");
  self->localedir = env != NULL && *env != '\0'
                    ? g_strdup (env)
                    : get_string (key_file, "server", "locale-dir", LOCALEDIR);

  token_file = get_string (key_file, "server", "admin-token-file", NULL);
  if (token_file != NULL)
    {
      char *token = read_secret_file (token_file, "admin-token-file", error);

      if (token == NULL)
        return NULL;
      if (strlen (token) < 16)
        {
          vst_secure_free (token);
          g_set_error_literal (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                               "the admin token must have at least 16 characters");
          return NULL;
        }
      EVP_Digest (token, strlen (token), self->admin_token_hash, NULL, EVP_sha256 (), NULL);
      self->has_admin_token = TRUE;
      vst_secure_free (token);
    }

  self->organisation = get_string (key_file, "organisation", "name", "Vestibule");
  self->issuer = get_string (key_file, "organisation", "issuer", self->organisation);
  self->space_name = get_string (key_file, "organisation", "space-name", self->organisation);
  self->space_url = get_string (key_file, "organisation", "space-url", "https://example.org/");
  policy = get_string (key_file, "organisation", "password-policy", "default");
  if (!load_policy (self, policy, error))
    return NULL;
  if (!get_uint (key_file, "organisation", "password-lifetime-days", 183, 1, 3650,
                 &self->lifetime_days, error))
    return NULL;

  self->mail_from = get_string (key_file, "mail", "from", "Vestibule <noreply@localhost>");
  self->smtp_url = get_string (key_file, "mail", "smtp-url", "smtp://127.0.0.1:25");
  if (!g_str_has_prefix (self->smtp_url, "smtp://") && !g_str_has_prefix (self->smtp_url, "smtps://"))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "smtp-url “%s” must start with smtp:// or smtps://", self->smtp_url);
      return NULL;
    }
  self->smtp_username = get_string (key_file, "mail", "smtp-username", NULL);
  password_file = get_string (key_file, "mail", "smtp-password-file", NULL);
  if (password_file != NULL)
    {
      self->smtp_password = read_secret_file (password_file, "smtp-password-file", error);
      if (self->smtp_password == NULL)
        return NULL;
    }
  self->starttls = g_key_file_get_boolean (key_file, "mail", "starttls", NULL);
  if (!get_uint (key_file, "mail", "retry-base-seconds", 5, 1, 3600, &self->retry_base, error) ||
      !get_uint (key_file, "mail", "retry-max-seconds", 900, 1, 86400, &self->retry_max, error))
    return NULL;

  if (!load_store (self, key_file, error))
    return NULL;

  /* The test-suite moves the clock forward (expired tokens, lock-outs, the
   * next TOTP step) without sleeping. Honoured only when the environment
   * says so too, so that a stray key in a production file does nothing. */
  if (g_strcmp0 (g_getenv ("VESTIBULE_TESTING"), "1") == 0)
    {
      self->clock_offset_file = get_string (key_file, "testing", "clock-offset-file", NULL);
      if (self->clock_offset_file != NULL)
        g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                          "MESSAGE", "Testing mode: the clock follows %s", self->clock_offset_file);
    }

  return g_steal_pointer (&self);
}

#define GETTER(type, name, field) \
  type vst_server_config_get_##name (VstServerConfig *self) \
  { \
    g_return_val_if_fail (VST_IS_SERVER_CONFIG (self), (type) 0); \
    return self->field; \
  }

GETTER (const char *, listen_host, listen_host)
GETTER (guint16, listen_port, listen_port)
GETTER (guint, threads, threads)
GETTER (const char *, database, database)
GETTER (const char *, tls_certificate, tls_certificate)
GETTER (const char *, tls_key, tls_key)
GETTER (const char *, datadir, datadir)
GETTER (const char *, localedir, localedir)
GETTER (const char *, organisation, organisation)
GETTER (const char *, issuer, issuer)
GETTER (const char *, space_name, space_name)
GETTER (const char *, space_url, space_url)
GETTER (VstPasswordPolicy *, password_policy, policy)
GETTER (guint, password_lifetime_days, lifetime_days)
GETTER (const char *, mail_from, mail_from)
GETTER (const char *, smtp_url, smtp_url)
GETTER (const char *, smtp_username, smtp_username)
GETTER (const char *, smtp_password, smtp_password)
GETTER (gboolean, starttls, starttls)
GETTER (guint, mail_retry_base, retry_base)
GETTER (guint, mail_retry_max, retry_max)

#undef GETTER

gboolean
vst_server_config_has_admin_token (VstServerConfig *self)
{
  g_return_val_if_fail (VST_IS_SERVER_CONFIG (self), FALSE);
  return self->has_admin_token;
}

gboolean
vst_server_config_check_admin_token (VstServerConfig *self,
                                     const char      *presented)
{
  guint8 hash[32];
  gboolean ok;

  g_return_val_if_fail (VST_IS_SERVER_CONFIG (self), FALSE);

  if (!self->has_admin_token || presented == NULL)
    return FALSE;
  EVP_Digest (presented, strlen (presented), hash, NULL, EVP_sha256 (), NULL);
  ok = vst_secure_equal (hash, self->admin_token_hash, sizeof hash);
  OPENSSL_cleanse (hash, sizeof hash);
  return ok;
}

gboolean
vst_server_config_use_ldap (VstServerConfig *self)
{
  g_return_val_if_fail (VST_IS_SERVER_CONFIG (self), FALSE);
  return self->use_ldap;
}

void
vst_server_config_get_ldap_settings (VstServerConfig      *self,
                                     VstLdapStoreSettings *out)
{
  g_return_if_fail (VST_IS_SERVER_CONFIG (self));
  g_return_if_fail (out != NULL);

  out->uri = self->ldap_uri;
  out->starttls = self->ldap_starttls;
  out->bind_dn = self->ldap_bind_dn;
  out->bind_password = self->ldap_bind_password;
  out->base_dn = self->ldap_base_dn;
  out->tokens_dn = self->ldap_tokens_dn;
  out->policy_dn = self->ldap_policy_dn;
  out->totp_params_dn = self->ldap_totp_params_dn;
  out->lifetime_days = self->lifetime_days;
}

gint64
vst_server_config_now (VstServerConfig *self)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *text = NULL;
  gint64 offset;

  g_return_val_if_fail (VST_IS_SERVER_CONFIG (self), now);

  if (self->clock_offset_file == NULL ||
      !g_file_get_contents (self->clock_offset_file, &text, NULL, NULL))
    return now;
  if (!g_ascii_string_to_signed (g_strstrip (text), 10, -G_MAXINT32, G_MAXINT32, &offset, NULL))
    return now;
  return now + offset;
}
