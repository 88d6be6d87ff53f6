/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "vestibule-server"

#include "config.h"

#include <lber.h>
#include <ldap.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

#include <vestibule.h>

#include "vst-ldap-store.h"

/* The marker that stands for "a password is set" in VstAccount: the
 * directory holds the password; the API never sees its hash. */
#define PASSWORD_IN_DIRECTORY "{LDAP}"
#define SSHA_DIGEST_LEN 20

/**
 * VstLdapStore:
 *
 * Accounts live in an OpenLDAP directory (slapo-ppolicy, slapo-otp): the
 * entry uid=LOGIN under the base DN holds mail, displayName,
 * preferredLanguage and the password; the TOTP key is an oathTOTPToken
 * entry cn=LOGIN under the tokens DN. A pending key is a token entry that
 * the user entry does not point to yet, so that no other LDAP client asks
 * for its codes; activation links it (oathTOTPUser) only once a sign-in
 * with the password and a code has passed the directory itself.
 *
 * What a directory cannot hold (reset tokens, sessions, the outbox,
 * throttling and the TOTP counters) stays in @local, a SQLite store that
 * also gives each account the numeric id those refer to. An account of the
 * directory that @local does not know yet (made by another instance) is
 * added to it on first sight.
 */
struct _VstLdapStore
{
  GObject parent_instance;

  VstStore *local;
  char *uri;
  gboolean starttls;
  char *bind_dn;
  char *bind_password;
  char *base_dn;
  char *tokens_dn;
  char *policy_dn;
  char *totp_params_dn;
  gint64 max_age;
  gint64 lockout_duration;

  /* Connections bound as the service. A handle serves one thread at a
   * time: an operation takes one from here (or opens one) and gives it
   * back, so that the threads of GTask never share a handle. */
  GMutex lock;
  GPtrArray *idle;
};

static void vst_ldap_store_iface_init (VstStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VstLdapStore, vst_ldap_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VST_TYPE_STORE, vst_ldap_store_iface_init))

/* Connections -------------------------------------------------------- */

static void
set_ldap_error (GError     **error,
                int          rc,
                const char  *what)
{
  g_set_error (error, VST_STORE_ERROR, VST_STORE_ERROR_FAILED,
               "LDAP %s: %s", what, ldap_err2string (rc));
}

static void
unbind (LDAP *ld)
{
  if (ld != NULL)
    ldap_unbind_ext_s (ld, NULL, NULL);
}

static LDAP *
open_connection (VstLdapStore  *self,
                 GError       **error)
{
  LDAP *ld = NULL;
  int version = LDAP_VERSION3;
  /* A directory that does not answer fails the request instead of
   * holding it (and, for the quick reads, the main loop) for long. */
  struct timeval network_timeout = { 5, 0 };
  struct timeval timeout = { 10, 0 };
  int rc;

  rc = ldap_initialize (&ld, self->uri);
  if (rc != LDAP_SUCCESS)
    {
      set_ldap_error (error, rc, self->uri);
      return NULL;
    }
  ldap_set_option (ld, LDAP_OPT_PROTOCOL_VERSION, &version);
  ldap_set_option (ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
  ldap_set_option (ld, LDAP_OPT_NETWORK_TIMEOUT, &network_timeout);
  ldap_set_option (ld, LDAP_OPT_TIMEOUT, &timeout);
  if (self->starttls)
    {
      rc = ldap_start_tls_s (ld, NULL, NULL);
      if (rc != LDAP_SUCCESS)
        {
          set_ldap_error (error, rc, "StartTLS");
          unbind (ld);
          return NULL;
        }
    }
  return ld;
}

static int
simple_bind (LDAP       *ld,
             const char *dn,
             const char *password)
{
  struct berval cred;

  cred.bv_val = (char *) password;
  cred.bv_len = strlen (password);
  return ldap_sasl_bind_s (ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
}

static LDAP *
take_connection (VstLdapStore  *self,
                 GError       **error)
{
  LDAP *ld = NULL;
  int rc;

  g_mutex_lock (&self->lock);
  if (self->idle->len > 0)
    ld = g_ptr_array_steal_index_fast (self->idle, self->idle->len - 1);
  g_mutex_unlock (&self->lock);
  if (ld != NULL)
    return ld;

  ld = open_connection (self, error);
  if (ld == NULL)
    return NULL;
  rc = simple_bind (ld, self->bind_dn, self->bind_password);
  if (rc != LDAP_SUCCESS)
    {
      g_set_error (error, VST_STORE_ERROR, VST_STORE_ERROR_FAILED,
                   "LDAP: the service cannot bind as %s: %s", self->bind_dn, ldap_err2string (rc));
      unbind (ld);
      return NULL;
    }
  return ld;
}

/* Gives @ld back, unless the last result @rc says the connection is gone
 * (the client library's codes are negative). */
static void
give_connection (VstLdapStore *self,
                 LDAP         *ld,
                 int           rc)
{
  if (ld == NULL)
    return;
  if (rc < 0)
    {
      unbind (ld);
      return;
    }
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->idle, ld);
  g_mutex_unlock (&self->lock);
}

/* Entries ------------------------------------------------------------ */

/* Logins are checked by the API ([a-z0-9._-]); checked again here because
 * they go into DNs. */
static gboolean
login_is_safe (const char *login)
{
  if (login == NULL || *login == '\0' || strlen (login) > 64)
    return FALSE;
  for (const char *p = login; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'z') && *p != '.' && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

static char *
user_dn (VstLdapStore *self,
         const char   *login)
{
  return g_strdup_printf ("uid=%s,%s", login, self->base_dn);
}

static char *
token_dn (VstLdapStore *self,
          const char   *login)
{
  return g_strdup_printf ("cn=%s,%s", login, self->tokens_dn);
}

/* GeneralizedTime as slapd writes it (YYYYmmddHHMMSS[.frac]Z). */
static gint64
parse_generalized_time (const char *text)
{
  int y, mo, d, h, mi, s;
  g_autoptr(GDateTime) time = NULL;

  /* ppolicy's "000001010000Z": locked until an administrator unlocks. */
  if (g_str_has_prefix (text, "0000"))
    return G_MAXINT64;
  if (sscanf (text, "%4d%2d%2d%2d%2d%2d", &y, &mo, &d, &h, &mi, &s) != 6)
    return 0;
  time = g_date_time_new_utc (y, mo, d, h, mi, s);
  return time != NULL ? g_date_time_to_unix (time) : 0;
}

static char *
get_first (LDAP        *ld,
           LDAPMessage *entry,
           const char  *attribute)
{
  struct berval **values = ldap_get_values_len (ld, entry, attribute);
  char *value = NULL;

  if (values != NULL && values[0] != NULL)
    value = g_strndup (values[0]->bv_val, values[0]->bv_len);
  ldap_value_free_len (values);
  return value;
}

typedef struct {
  char *email;
  char *display_name;
  char *language;
  gboolean has_password;
  char *password_value;   /* only when asked for; a secret */
  gint64 changed_at;
  gint64 locked_at;       /* 0 when not locked */
  gboolean linked;        /* oathTOTPToken: the key is active */
  gboolean has_token;
  char *secret;           /* base32; a secret */
} LdapUser;

static void
ldap_user_clear (LdapUser *user)
{
  g_free (user->email);
  g_free (user->display_name);
  g_free (user->language);
  vst_secure_free (user->password_value);
  vst_secure_free (user->secret);
  memset (user, 0, sizeof *user);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LdapUser, ldap_user_clear)

/* Reads the token entry of @login into @user (has_token, secret). */
static int
fetch_token (VstLdapStore  *self,
             LDAP          *ld,
             const char    *login,
             LdapUser      *user,
             GError       **error)
{
  g_autofree char *dn = token_dn (self, login);
  char *attributes[] = { (char *) "oathSecret", NULL };
  LDAPMessage *result = NULL;
  LDAPMessage *entry;
  struct berval **values;
  int rc;

  rc = ldap_search_ext_s (ld, dn, LDAP_SCOPE_BASE, "(objectClass=oathTOTPToken)", attributes, 0,
                          NULL, NULL, NULL, 1, &result);
  if (rc == LDAP_NO_SUCH_OBJECT)
    {
      ldap_msgfree (result);
      return LDAP_SUCCESS;
    }
  if (rc != LDAP_SUCCESS)
    {
      ldap_msgfree (result);
      set_ldap_error (error, rc, "reading a token");
      return rc;
    }
  entry = ldap_first_entry (ld, result);
  values = entry != NULL ? ldap_get_values_len (ld, entry, "oathSecret") : NULL;
  if (values != NULL && values[0] != NULL && values[0]->bv_len > 0)
    {
      user->has_token = TRUE;
      user->secret = vst_base32_encode ((const guint8 *) values[0]->bv_val, values[0]->bv_len);
      OPENSSL_cleanse (values[0]->bv_val, values[0]->bv_len);
    }
  ldap_value_free_len (values);
  ldap_msgfree (result);
  return LDAP_SUCCESS;
}

/* Reads the entry of @login (and its token); VST_STORE_ERROR_NOT_FOUND when
 * there is none. Returns the last LDAP result code, for give_connection(). */
static int
fetch_user (VstLdapStore  *self,
            LDAP          *ld,
            const char    *login,
            gboolean       with_password,
            LdapUser      *user,
            GError       **error)
{
  g_autofree char *dn = NULL;
  char *attributes[] = { (char *) "mail", (char *) "displayName", (char *) "preferredLanguage",
                         (char *) "pwdChangedTime", (char *) "pwdAccountLockedTime",
                         (char *) "oathTOTPToken", (char *) "userPassword", NULL };
  g_autofree char *changed = NULL;
  g_autofree char *locked = NULL;
  g_autofree char *linked = NULL;
  LDAPMessage *result = NULL;
  LDAPMessage *entry;
  int rc;

  if (!login_is_safe (login))
    {
      g_set_error (error, VST_STORE_ERROR, VST_STORE_ERROR_NOT_FOUND, "no account “%s”", login);
      return LDAP_SUCCESS;
    }
  /* The password's value is read only to check it (see check_ssha()). */
  if (!with_password)
    attributes[G_N_ELEMENTS (attributes) - 2] = NULL;
  dn = user_dn (self, login);
  rc = ldap_search_ext_s (ld, dn, LDAP_SCOPE_BASE, "(objectClass=inetOrgPerson)", attributes, 0,
                          NULL, NULL, NULL, 1, &result);
  entry = rc == LDAP_SUCCESS ? ldap_first_entry (ld, result) : NULL;
  if (rc == LDAP_NO_SUCH_OBJECT || (rc == LDAP_SUCCESS && entry == NULL))
    {
      ldap_msgfree (result);
      g_set_error (error, VST_STORE_ERROR, VST_STORE_ERROR_NOT_FOUND, "no account “%s”", login);
      return LDAP_SUCCESS;
    }
  if (rc != LDAP_SUCCESS)
    {
      ldap_msgfree (result);
      set_ldap_error (error, rc, "reading an account");
      return rc;
    }

  user->email = get_first (ld, entry, "mail");
  user->display_name = get_first (ld, entry, "displayName");
  user->language = get_first (ld, entry, "preferredLanguage");
  if (with_password)
    user->password_value = get_first (ld, entry, "userPassword");
  changed = get_first (ld, entry, "pwdChangedTime");
  locked = get_first (ld, entry, "pwdAccountLockedTime");
  linked = get_first (ld, entry, "oathTOTPToken");
  ldap_msgfree (result);

  /* ppolicy stamps every password change, the first one included. */
  user->has_password = changed != NULL;
  user->changed_at = changed != NULL ? parse_generalized_time (changed) : 0;
  user->locked_at = locked != NULL ? parse_generalized_time (locked) : 0;
  user->linked = linked != NULL;
  return fetch_token (self, ld, login, user, error);
}

/* g_set_str() is GLib 2.76. */
static void
replace_string (char       **target,
                const char  *value)
{
  g_free (*target);
  *target = g_strdup (value);
}

static void
merge (VstLdapStore *self,
       VstAccount   *account,
       LdapUser     *user)
{
  if (user->email != NULL)
    replace_string (&account->email, user->email);
  if (user->display_name != NULL)
    replace_string (&account->display_name, user->display_name);
  if (user->language != NULL)
    replace_string (&account->language, user->language);

  g_clear_pointer (&account->password_hash, g_free);
  if (user->has_password)
    {
      account->password_hash = g_strdup (PASSWORD_IN_DIRECTORY);
      account->password_set_at = user->changed_at;
      account->password_expires_at = user->changed_at + self->max_age;
    }
  else
    {
      account->password_set_at = 0;
      account->password_expires_at = 0;
    }

  g_clear_pointer (&account->totp_secret, vst_secure_free);
  if (user->has_token)
    {
      account->totp_state = user->linked ? VST_TOTP_STATE_ACTIVE : VST_TOTP_STATE_PENDING;
      account->totp_secret = g_strdup (user->secret);
    }
  else
    account->totp_state = VST_TOTP_STATE_NONE;
}

/* The local record of @login, added when this instance sees the account
 * for the first time. */
static VstAccount *
local_account (VstLdapStore  *self,
               const char    *login,
               LdapUser      *user,
               GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(VstAccount) account = vst_store_get_account (self->local, login, &local_error);

  if (account != NULL)
    return g_steal_pointer (&account);
  if (!g_error_matches (local_error, VST_STORE_ERROR, VST_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  account = vst_account_new ();
  account->login = g_strdup (login);
  account->email = g_strdup (user->email != NULL ? user->email : "");
  account->display_name = g_strdup (user->display_name != NULL ? user->display_name : login);
  account->language = g_strdup (user->language != NULL ? user->language : "en");
  account->created_at = g_get_real_time () / G_USEC_PER_SEC;
  account->totp_last_step = -1;
  if (!vst_store_create_account (self->local, account, NULL, error))
    return NULL;
  return g_steal_pointer (&account);
}

/* A copy for @local, without the TOTP key: the directory keeps it. */
static VstAccount *
local_copy (const VstAccount *account)
{
  VstAccount *copy = vst_account_copy (account);

  g_clear_pointer (&copy->totp_secret, vst_secure_free);
  return copy;
}

/* Modifications ------------------------------------------------------ */

static int
link_token (VstLdapStore  *self,
            LDAP          *ld,
            const char    *login,
            gboolean       link,
            GError       **error)
{
  g_autofree char *dn = user_dn (self, login);
  g_autofree char *token = token_dn (self, login);
  char *classes[] = { (char *) "oathTOTPUser", NULL };
  char *tokens[] = { token, NULL };
  LDAPMod class_mod = { 0 }, token_mod = { 0 };
  LDAPMod *mods[] = { &class_mod, &token_mod, NULL };
  int rc;

  class_mod.mod_op = link ? LDAP_MOD_ADD : LDAP_MOD_DELETE;
  class_mod.mod_type = (char *) "objectClass";
  class_mod.mod_values = classes;
  token_mod.mod_op = link ? LDAP_MOD_ADD : LDAP_MOD_DELETE;
  token_mod.mod_type = (char *) "oathTOTPToken";
  token_mod.mod_values = link ? tokens : NULL;
  /* The attribute goes before the class that allows it. */
  if (!link)
    {
      mods[0] = &token_mod;
      mods[1] = &class_mod;
    }
  rc = ldap_modify_ext_s (ld, dn, mods, NULL, NULL);
  if (rc != LDAP_SUCCESS)
    set_ldap_error (error, rc, link ? "linking a token" : "unlinking a token");
  return rc;
}

static int
add_token (VstLdapStore  *self,
           LDAP          *ld,
           const char    *login,
           const char    *secret,
           GError       **error)
{
  g_autofree char *dn = token_dn (self, login);
  g_autofree char *cn = g_strdup (login);
  gsize len = 0;
  guint8 *key = vst_base32_decode (secret, &len, error);
  struct berval key_value;
  struct berval *key_values[] = { &key_value, NULL };
  char *classes[] = { (char *) "device", (char *) "oathTOTPToken", NULL };
  char *cns[] = { cn, NULL };
  char *params[] = { self->totp_params_dn, NULL };
  LDAPMod class_mod = { 0 }, cn_mod = { 0 }, key_mod = { 0 }, params_mod = { 0 };
  LDAPMod *mods[] = { &class_mod, &cn_mod, &key_mod, &params_mod, NULL };
  int rc;

  if (key == NULL)
    return LDAP_SUCCESS;
  key_value.bv_val = (char *) key;
  key_value.bv_len = len;
  class_mod.mod_op = LDAP_MOD_ADD;
  class_mod.mod_type = (char *) "objectClass";
  class_mod.mod_values = classes;
  cn_mod.mod_op = LDAP_MOD_ADD;
  cn_mod.mod_type = (char *) "cn";
  cn_mod.mod_values = cns;
  /* slapo-otp wants the raw key, not its base32. */
  key_mod.mod_op = LDAP_MOD_ADD | LDAP_MOD_BVALUES;
  key_mod.mod_type = (char *) "oathSecret";
  key_mod.mod_bvalues = key_values;
  params_mod.mod_op = LDAP_MOD_ADD;
  params_mod.mod_type = (char *) "oathTOTPParams";
  params_mod.mod_values = params;
  rc = ldap_add_ext_s (ld, dn, mods, NULL, NULL);
  vst_base32_free (key, len);
  if (rc != LDAP_SUCCESS)
    set_ldap_error (error, rc, "adding a token");
  return rc;
}

static int
delete_token (VstLdapStore  *self,
              LDAP          *ld,
              const char    *login,
              GError       **error)
{
  g_autofree char *dn = token_dn (self, login);
  int rc = ldap_delete_ext_s (ld, dn, NULL, NULL);

  if (rc == LDAP_NO_SUCH_OBJECT)
    return LDAP_SUCCESS;
  if (rc != LDAP_SUCCESS)
    set_ldap_error (error, rc, "deleting a token");
  return rc;
}

/* Makes the directory's TOTP entries say what @account says. */
static int
write_totp (VstLdapStore      *self,
            LDAP              *ld,
            const VstAccount  *account,
            LdapUser          *user,
            GError           **error)
{
  const char *login = account->login;
  gboolean same_key = user->has_token && account->totp_secret != NULL &&
                      strlen (user->secret) == strlen (account->totp_secret) &&
                      vst_secure_equal (user->secret, account->totp_secret, strlen (account->totp_secret));
  int rc = LDAP_SUCCESS;

  switch (account->totp_state)
    {
    case VST_TOTP_STATE_NONE:
      if (user->linked)
        rc = link_token (self, ld, login, FALSE, error);
      if (rc == LDAP_SUCCESS && user->has_token)
        rc = delete_token (self, ld, login, error);
      return rc;

    case VST_TOTP_STATE_PENDING:
      if (user->linked)
        rc = link_token (self, ld, login, FALSE, error);
      if (rc == LDAP_SUCCESS && !same_key)
        {
          if (user->has_token)
            rc = delete_token (self, ld, login, error);
          if (rc == LDAP_SUCCESS)
            rc = add_token (self, ld, login, account->totp_secret, error);
        }
      return rc;

    case VST_TOTP_STATE_ACTIVE:
      if (!same_key)
        {
          if (user->has_token)
            rc = delete_token (self, ld, login, error);
          if (rc == LDAP_SUCCESS)
            rc = add_token (self, ld, login, account->totp_secret, error);
        }
      if (rc == LDAP_SUCCESS && !user->linked)
        rc = link_token (self, ld, login, TRUE, error);
      return rc;

    default:
      g_assert_not_reached ();
    }
}

/* VstStore ----------------------------------------------------------- */

static gboolean
ldap_create_account (VstStore       *store,
                     VstAccount     *account,
                     const VstMail  *mail,
                     GError        **error)
{
  VstLdapStore *self = VST_LDAP_STORE (store);
  g_autofree char *dn = NULL;
  char *classes[] = { (char *) "inetOrgPerson", NULL };
  char *uids[] = { account->login, NULL };
  char *names[] = { account->display_name, NULL };
  char *mails[] = { account->email, NULL };
  char *languages[] = { account->language, NULL };
  LDAPMod mod[7] = { { 0 } };
  LDAPMod *mods[G_N_ELEMENTS (mod) + 1];
  const char *types[G_N_ELEMENTS (mod)] = { "objectClass", "uid", "cn", "sn", "displayName", "mail",
                                             "preferredLanguage" };
  char **values[G_N_ELEMENTS (mod)] = { classes, uids, names, names, names, mails, languages };
  LDAP *ld;
  int rc;

  if (!login_is_safe (account->login))
    {
      g_set_error (error, VST_STORE_ERROR, VST_STORE_ERROR_FAILED, "“%s” cannot be an LDAP login",
                   account->login);
      return FALSE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (mod); i++)
    {
      mod[i].mod_op = LDAP_MOD_ADD;
      mod[i].mod_type = (char *) types[i];
      mod[i].mod_values = values[i];
      mods[i] = &mod[i];
    }
  mods[G_N_ELEMENTS (mod)] = NULL;

  ld = take_connection (self, error);
  if (ld == NULL)
    return FALSE;
  dn = user_dn (self, account->login);
  rc = ldap_add_ext_s (ld, dn, mods, NULL, NULL);
  if (rc == LDAP_ALREADY_EXISTS)
    g_set_error (error, VST_STORE_ERROR, VST_STORE_ERROR_EXISTS, "the login “%s” is taken", account->login);
  else if (rc != LDAP_SUCCESS)
    set_ldap_error (error, rc, "adding an account");
  else if (!vst_store_create_account (self->local, account, mail, error))
    {
      /* Both or neither: the directory entry goes again. */
      ldap_delete_ext_s (ld, dn, NULL, NULL);
      rc = LDAP_OTHER;
    }
  give_connection (self, ld, rc);
  return rc == LDAP_SUCCESS;
}

/* @account (from @local) with what the directory says about it. */
static gboolean
complete_account (VstLdapStore  *self,
                  VstAccount    *account,
                  GError       **error)
{
  g_auto(LdapUser) user = { 0 };
  LDAP *ld = take_connection (self, error);
  int rc;

  if (ld == NULL)
    return FALSE;
  rc = fetch_user (self, ld, account->login, FALSE, &user, error);
  give_connection (self, ld, rc);
  if (error != NULL && *error != NULL)
    return FALSE;
  merge (self, account, &user);
  return TRUE;
}

static VstAccount *
ldap_get_account (VstStore    *store,
                  const char  *login,
                  GError     **error)
{
  VstLdapStore *self = VST_LDAP_STORE (store);
  g_auto(LdapUser) user = { 0 };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(VstAccount) account = NULL;
  LDAP *ld = take_connection (self, error);
  int rc;

  if (ld == NULL)
    return NULL;
  rc = fetch_user (self, ld, login, FALSE, &user, &local_error);
  give_connection (self, ld, rc);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  account = local_account (self, login, &user, error);
  if (account == NULL)
    return NULL;
  merge (self, account, &user);
  return g_steal_pointer (&account);
}

/* The accounts this service knows (made here, or seen once), as the
 * directory has them now; a directory may hold many more people. */
static GPtrArray *
ldap_list_accounts (VstStore  *store,
                    GError   **error)
{
  VstLdapStore *self = VST_LDAP_STORE (store);
  g_autoptr(GPtrArray) local = vst_store_list_accounts (self->local, error);
  g_autoptr(GPtrArray) accounts = NULL;

  if (local == NULL)
    return NULL;
  accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) vst_account_free);
  for (guint i = 0; i < local->len; i++)
    {
      VstAccount *account = g_ptr_array_index (local, i);
      g_autoptr(GError) local_error = NULL;

      if (!complete_account (self, account, &local_error))
        {
          if (g_error_matches (local_error, VST_STORE_ERROR, VST_STORE_ERROR_NOT_FOUND))
            continue;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_ptr_array_add (accounts, vst_account_copy (account));
    }
  return g_steal_pointer (&accounts);
}

static gboolean
ldap_update_account (VstStore          *store,
                     const VstAccount  *account,
                     GError           **error)
{
  VstLdapStore *self = VST_LDAP_STORE (store);
  g_auto(LdapUser) user = { 0 };
  g_autoptr(VstAccount) copy = NULL;
  LDAP *ld = take_connection (self, error);
  int rc;

  if (ld == NULL)
    return FALSE;
  rc = fetch_user (self, ld, account->login, FALSE, &user, error);
  if (rc == LDAP_SUCCESS && (error == NULL || *error == NULL))
    rc = write_totp (self, ld, account, &user, error);
  give_connection (self, ld, rc);
  if (rc != LDAP_SUCCESS || (error != NULL && *error != NULL))
    return FALSE;
  copy = local_copy (account);
  return vst_store_update_account (self->local, copy, error);
}

static gboolean
ldap_record_code_failure (VstStore          *store,
                          const VstAccount  *account,
                          GError           **error)
{
  VstLdapStore *self = VST_LDAP_STORE (store);
  g_autoptr(VstAccount) copy = local_copy (account);

  /* The counters are the service's own: the directory does not change. */
  return vst_store_record_code_failure (self->local, copy, error);
}

static gboolean
ldap_enqueue_mail (VstStore       *store,
                   gint64          account_id,
                   const VstMail  *mail,
                   GError        **error)
{
  return vst_store_enqueue_mail (VST_LDAP_STORE (store)->local, account_id, mail, error);
}

static gboolean
ldap_add_reset_token (VstStore       *store,
                      gint64          account_id,
                      const guint8   *token_hash,
                      gint64          created_at,
                      gint64          expires_at,
                      const VstMail  *mail,
                      GError        **error)
{
  return vst_store_add_reset_token (VST_LDAP_STORE (store)->local, account_id, token_hash,
                                    created_at, expires_at, mail, error);
}

static gboolean
ldap_count_reset_tokens (VstStore  *store,
                         gint64     account_id,
                         gint64     since,
                         guint     *out_count,
                         GError   **error)
{
  return vst_store_count_reset_tokens (VST_LDAP_STORE (store)->local, account_id, since, out_count, error);
}

static gboolean
ldap_check_reset_token (VstStore      *store,
                        gint64         account_id,
                        const guint8  *token_hash,
                        gint64         now,
                        GError       **error)
{
  return vst_store_check_reset_token (VST_LDAP_STORE (store)->local, account_id, token_hash, now, error);
}

static GStrv
ldap_get_password_history (VstStore  *store,
                           gint64     account_id,
                           guint      n,
                           GError   **error)
{
  /* slapo-ppolicy keeps the history (pwdInHistory) and refuses reuse. */
  return g_new0 (char *, 1);
}

static gboolean
ldap_set_password (VstStore       *store,
                   gint64          account_id,
                   const guint8   *token_hash,
                   gint64          now,
                   const char     *password_hash,
                   gint64          expires_at,
                   guint           keep_history,
                   const guint8   *session_hash,
                   gint64          session_expires_at,
                   const VstMail  *mail,
                   GError        **error)
{
  /* The directory has the password already (change_password_async); this
   * spends the token, closes the sessions, opens one and queues @mail. */
  return vst_store_set_password (VST_LDAP_STORE (store)->local, account_id, token_hash, now,
                                 PASSWORD_IN_DIRECTORY, expires_at, 0, session_hash,
                                 session_expires_at, mail, error);
}

static gboolean
ldap_add_session (VstStore      *store,
                  gint64         account_id,
                  const guint8  *session_hash,
                  gint64         created_at,
                  gint64         expires_at,
                  GError       **error)
{
  return vst_store_add_session (VST_LDAP_STORE (store)->local, account_id, session_hash,
                                created_at, expires_at, error);
}

static VstAccount *
ldap_get_session_account (VstStore      *store,
                          const guint8  *session_hash,
                          gint64         now,
                          GError       **error)
{
  VstLdapStore *self = VST_LDAP_STORE (store);
  g_autoptr(VstAccount) account = vst_store_get_session_account (self->local, session_hash, now, error);

  if (account == NULL || !complete_account (self, account, error))
    return NULL;
  return g_steal_pointer (&account);
}

static gboolean
ldap_record_signin_failure (VstStore    *store,
                            const char  *login,
                            gint64       at,
                            GError     **error)
{
  return vst_store_record_signin_failure (VST_LDAP_STORE (store)->local, login, at, error);
}

static gboolean
ldap_count_signin_failures (VstStore    *store,
                            const char  *login,
                            gint64       since,
                            guint       *out_count,
                            gint64      *out_oldest,
                            GError     **error)
{
  return vst_store_count_signin_failures (VST_LDAP_STORE (store)->local, login, since,
                                          out_count, out_oldest, error);
}

static gboolean
ldap_clear_signin_failures (VstStore    *store,
                            const char  *login,
                            GError     **error)
{
  return vst_store_clear_signin_failures (VST_LDAP_STORE (store)->local, login, error);
}

static VstMail *
ldap_outbox_next (VstStore  *store,
                  gint64     now,
                  gint64    *out_next_due,
                  GError   **error)
{
  return vst_store_outbox_next (VST_LDAP_STORE (store)->local, now, out_next_due, error);
}

static gboolean
ldap_outbox_mark_sent (VstStore  *store,
                       gint64     id,
                       gint64     at,
                       GError   **error)
{
  return vst_store_outbox_mark_sent (VST_LDAP_STORE (store)->local, id, at, error);
}

static gboolean
ldap_outbox_mark_retry (VstStore    *store,
                        gint64       id,
                        guint        attempts,
                        gint64       next_attempt_at,
                        gboolean     give_up,
                        const char  *last_error,
                        GError     **error)
{
  return vst_store_outbox_mark_retry (VST_LDAP_STORE (store)->local, id, attempts, next_attempt_at,
                                      give_up, last_error, error);
}

/* Passwords, in threads ---------------------------------------------- */

typedef struct {
  char *login;
  char *password;
  char *code;
  gint64 locked_until;
} Job;

static void
job_free (Job *job)
{
  g_free (job->login);
  vst_secure_free (job->password);
  vst_secure_free (job->code);
  g_free (job);
}

static void
run_job (VstLdapStore        *self,
         const char          *login,
         const char          *password,
         const char          *code,
         gpointer             source_tag,
         GTaskThreadFunc      func,
         GCancellable        *cancellable,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  job->login = g_strdup (login);
  job->password = g_strdup (password);
  job->code = g_strdup (code);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, func);
}

/* Until when the directory locks @user; 0 when it does not. */
static gint64
locked_until (VstLdapStore *self,
              LdapUser     *user)
{
  gint64 until;

  if (user->locked_at == 0)
    return 0;
  if (user->locked_at == G_MAXINT64 || self->lockout_duration == 0)
    return G_MAXINT64;
  until = user->locked_at + self->lockout_duration;
  return until > g_get_real_time () / G_USEC_PER_SEC ? until : 0;
}

/* A {SSHA} value (slapd's default hash) against @password. */
static gboolean
check_ssha (const char *stored,
            const char *password)
{
  g_autofree guint8 *decoded = NULL;
  guint8 digest[SSHA_DIGEST_LEN];
  gsize len = 0;
  EVP_MD_CTX *ctx;
  gboolean ok = FALSE;

  if (stored == NULL || g_ascii_strncasecmp (stored, "{SSHA}", 6) != 0)
    {
      g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                        "MESSAGE", "LDAP: a password is not hashed with {SSHA}, which this service checks; "
                        "set olcPasswordHash: {SSHA} (see docs/deploying.md)");
      return FALSE;
    }
  decoded = g_base64_decode (stored + 6, &len);
  if (len <= SSHA_DIGEST_LEN)
    return FALSE;
  ctx = EVP_MD_CTX_new ();
  if (ctx != NULL &&
      EVP_DigestInit_ex (ctx, EVP_sha1 (), NULL) &&
      EVP_DigestUpdate (ctx, password, strlen (password)) &&
      EVP_DigestUpdate (ctx, decoded + SSHA_DIGEST_LEN, len - SSHA_DIGEST_LEN) &&
      EVP_DigestFinal_ex (ctx, digest, NULL))
    ok = vst_secure_equal (digest, decoded, SSHA_DIGEST_LEN);
  EVP_MD_CTX_free (ctx);
  OPENSSL_cleanse (digest, sizeof digest);
  OPENSSL_cleanse (decoded, len);
  return ok;
}

static void
check_password_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  VstLdapStore *self = source_object;
  Job *job = task_data;
  g_auto(LdapUser) user = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *dn = NULL;
  LDAP *ld = take_connection (self, &error);
  LDAP *user_ld;
  gboolean ok;
  int rc;

  if (ld == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  rc = fetch_user (self, ld, job->login, TRUE, &user, &error);
  if (error != NULL)
    {
      give_connection (self, ld, rc);
      if (g_error_matches (error, VST_STORE_ERROR, VST_STORE_ERROR_NOT_FOUND))
        g_task_return_new_error (task, VST_STORE_ERROR, VST_STORE_ERROR_BAD_PASSWORD, "wrong password");
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  job->locked_until = locked_until (self, &user);
  if (job->locked_until > 0)
    {
      give_connection (self, ld, rc);
      g_task_return_new_error (task, VST_STORE_ERROR, VST_STORE_ERROR_LOCKED, "locked by the directory");
      return;
    }

  if (user.linked)
    {
      /* With an active key, slapo-otp wants the password and a code in one
       * bind, and the code comes later (POST /totp/verify). The password
       * alone is checked against the directory's hash, with the
       * directory's lock-out honoured above. */
      ok = check_ssha (user.password_value, job->password);
    }
  else
    {
      dn = user_dn (self, job->login);
      user_ld = open_connection (self, &error);
      if (user_ld == NULL)
        {
          give_connection (self, ld, rc);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      /* A real bind: ppolicy counts the failure and may lock. */
      ok = simple_bind (user_ld, dn, job->password) == LDAP_SUCCESS;
      unbind (user_ld);
      if (!ok)
        {
          g_auto(LdapUser) again = { 0 };

          rc = fetch_user (self, ld, job->login, FALSE, &again, NULL);
          job->locked_until = locked_until (self, &again);
        }
    }
  give_connection (self, ld, rc);

  if (job->locked_until > 0)
    g_task_return_new_error (task, VST_STORE_ERROR, VST_STORE_ERROR_LOCKED, "locked by the directory");
  else if (!ok)
    g_task_return_new_error (task, VST_STORE_ERROR, VST_STORE_ERROR_BAD_PASSWORD, "wrong password");
  else
    g_task_return_boolean (task, TRUE);
}

static void
ldap_check_password_async (VstStore            *store,
                           const char          *login,
                           const char          *password,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  run_job (VST_LDAP_STORE (store), login, password, NULL, ldap_check_password_async,
           check_password_thread, cancellable, callback, user_data);
}

static gboolean
ldap_check_password_finish (VstStore      *store,
                            GAsyncResult  *result,
                            gint64        *out_locked_until,
                            GError       **error)
{
  Job *job = g_task_get_task_data (G_TASK (result));

  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);

  if (out_locked_until != NULL)
    *out_locked_until = job->locked_until;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The Password Modify extended operation (RFC 3062), with the ppolicy
 * control so that a refusal says which rule. */
static void
change_password_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  VstLdapStore *self = source_object;
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dn = user_dn (self, job->login);
  struct berval user_value, password_value;
  struct timeval timeout = { 10, 0 };
  LDAPControl *request = NULL;
  LDAPControl *request_controls[] = { NULL, NULL };
  LDAPControl **controls = NULL;
  LDAPControl *response;
  LDAPMessage *result = NULL;
  LDAPPasswordPolicyError policy_error = PP_noError;
  ber_int_t expire = -1, grace = -1;
  char *diagnostic = NULL;
  LDAP *ld;
  int rc, code = LDAP_OTHER, msgid;

  if (!login_is_safe (job->login))
    {
      g_task_return_new_error (task, VST_STORE_ERROR, VST_STORE_ERROR_NOT_FOUND, "no such account");
      return;
    }
  ld = take_connection (self, &error);
  if (ld == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  user_value.bv_val = dn;
  user_value.bv_len = strlen (dn);
  password_value.bv_val = job->password;
  password_value.bv_len = strlen (job->password);
  rc = ldap_create_passwordpolicy_control (ld, &request);
  request_controls[0] = request;
  if (rc == LDAP_SUCCESS)
    rc = ldap_passwd (ld, &user_value, NULL, &password_value, request_controls, NULL, &msgid);
  if (rc == LDAP_SUCCESS)
    rc = ldap_result (ld, msgid, LDAP_MSG_ALL, &timeout, &result) > 0 ? LDAP_SUCCESS : LDAP_TIMEOUT;
  if (rc == LDAP_SUCCESS)
    rc = ldap_parse_result (ld, result, &code, NULL, &diagnostic, NULL, &controls, 1);
  else
    ldap_msgfree (result);
  ldap_control_free (request);

  response = controls != NULL ? ldap_control_find (LDAP_CONTROL_PASSWORDPOLICYRESPONSE, controls, NULL) : NULL;
  if (response != NULL)
    ldap_parse_passwordpolicy_control (ld, response, &expire, &grace, &policy_error);
  ldap_controls_free (controls);
  give_connection (self, ld, rc);

  if (rc != LDAP_SUCCESS)
    set_ldap_error (&error, rc, "changing a password");
  else if (code == LDAP_SUCCESS)
    ;
  else if (policy_error == PP_passwordInHistory)
    g_set_error_literal (&error, VST_STORE_ERROR, VST_STORE_ERROR_PASSWORD_REUSED, "in the history");
  else if (policy_error == PP_passwordTooShort)
    g_set_error_literal (&error, VST_STORE_ERROR, VST_STORE_ERROR_PASSWORD_POLICY, VST_RULE_MIN_LENGTH);
  else if (policy_error == PP_insufficientPasswordQuality)
    g_set_error_literal (&error, VST_STORE_ERROR, VST_STORE_ERROR_PASSWORD_POLICY, VST_RULE_CLASSES);
  else
    g_set_error (&error, VST_STORE_ERROR, VST_STORE_ERROR_FAILED, "LDAP: the directory refused the password: %s%s%s",
                 ldap_err2string (code), diagnostic != NULL ? ": " : "", diagnostic != NULL ? diagnostic : "");
  ldap_memfree (diagnostic);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
ldap_change_password_async (VstStore            *store,
                            const char          *login,
                            const char          *password,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  run_job (VST_LDAP_STORE (store), login, password, NULL, ldap_change_password_async,
           change_password_thread, cancellable, callback, user_data);
}

/* The end of a job that answers only yes or no: changing a password,
 * proving a pairing. */
static gboolean
ldap_job_finish (VstStore      *store,
                 GAsyncResult  *result,
                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The directory's proof of a pairing: the pending token is linked to the
 * user, then a bind with the password followed by the code must pass
 * slapo-otp, which also records the step so that the code cannot serve
 * again anywhere. The password is tried alone first, before linking: with
 * slapo-otp a wrong password would burn a right code. */
static void
prove_totp_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  VstLdapStore *self = source_object;
  Job *job = task_data;
  g_auto(LdapUser) user = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *dn = NULL;
  char *both = NULL;
  LDAP *ld = take_connection (self, &error);
  LDAP *user_ld = NULL;
  int rc;

  if (ld == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  rc = fetch_user (self, ld, job->login, FALSE, &user, &error);
  if (error == NULL && !user.has_token)
    g_set_error_literal (&error, VST_STORE_ERROR, VST_STORE_ERROR_FAILED, "LDAP: no pending token");
  if (error == NULL)
    user_ld = open_connection (self, &error);
  if (error != NULL)
    {
      give_connection (self, ld, rc);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  dn = user_dn (self, job->login);
  if (!user.linked && simple_bind (user_ld, dn, job->password) != LDAP_SUCCESS)
    g_set_error_literal (&error, VST_STORE_ERROR, VST_STORE_ERROR_BAD_PASSWORD, "wrong password");
  if (error == NULL && !user.linked)
    rc = link_token (self, ld, job->login, TRUE, &error);
  if (error == NULL)
    {
      both = g_strconcat (job->password, job->code, NULL);
      if (simple_bind (user_ld, dn, both) != LDAP_SUCCESS)
        {
          g_set_error_literal (&error, VST_STORE_ERROR, VST_STORE_ERROR_CODE_REFUSED,
                               "the directory refused the code");
          /* Back to pending: other clients must not ask for codes of a key
           * that was never proven. */
          rc = link_token (self, ld, job->login, FALSE, NULL);
        }
      vst_secure_free (both);
    }
  unbind (user_ld);
  give_connection (self, ld, rc);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
ldap_prove_totp_async (VstStore            *store,
                       const char          *login,
                       const char          *password,
                       const char          *code,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  run_job (VST_LDAP_STORE (store), login, password, code, ldap_prove_totp_async,
           prove_totp_thread, cancellable, callback, user_data);
}


static gboolean
ldap_is_remote (VstStore *store)
{
  return TRUE;
}

/* The object --------------------------------------------------------- */

static void
vst_ldap_store_iface_init (VstStoreInterface *iface)
{
  iface->create_account = ldap_create_account;
  iface->get_account = ldap_get_account;
  iface->list_accounts = ldap_list_accounts;
  iface->update_account = ldap_update_account;
  iface->record_code_failure = ldap_record_code_failure;
  iface->enqueue_mail = ldap_enqueue_mail;
  iface->add_reset_token = ldap_add_reset_token;
  iface->count_reset_tokens = ldap_count_reset_tokens;
  iface->check_reset_token = ldap_check_reset_token;
  iface->get_password_history = ldap_get_password_history;
  iface->set_password = ldap_set_password;
  iface->add_session = ldap_add_session;
  iface->get_session_account = ldap_get_session_account;
  iface->record_signin_failure = ldap_record_signin_failure;
  iface->count_signin_failures = ldap_count_signin_failures;
  iface->clear_signin_failures = ldap_clear_signin_failures;
  iface->outbox_next = ldap_outbox_next;
  iface->outbox_mark_sent = ldap_outbox_mark_sent;
  iface->outbox_mark_retry = ldap_outbox_mark_retry;
  iface->check_password_async = ldap_check_password_async;
  iface->check_password_finish = ldap_check_password_finish;
  iface->change_password_async = ldap_change_password_async;
  iface->change_password_finish = ldap_job_finish;
  iface->prove_totp_async = ldap_prove_totp_async;
  iface->prove_totp_finish = ldap_job_finish;
  iface->is_remote = ldap_is_remote;
}

static void
vst_ldap_store_finalize (GObject *object)
{
  VstLdapStore *self = VST_LDAP_STORE (object);

  g_clear_object (&self->local);
  g_ptr_array_unref (self->idle);
  g_mutex_clear (&self->lock);
  g_free (self->uri);
  g_free (self->bind_dn);
  vst_secure_free (self->bind_password);
  g_free (self->base_dn);
  g_free (self->tokens_dn);
  g_free (self->policy_dn);
  g_free (self->totp_params_dn);

  G_OBJECT_CLASS (vst_ldap_store_parent_class)->finalize (object);
}

static void
vst_ldap_store_class_init (VstLdapStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vst_ldap_store_finalize;
}

static void
vst_ldap_store_init (VstLdapStore *self)
{
  g_mutex_init (&self->lock);
  self->idle = g_ptr_array_new_with_free_func ((GDestroyNotify) unbind);
}

/* Reads pwdMaxAge and pwdLockoutDuration, and checks that the TOTP
 * parameters exist, so that a wrong DN fails at start. */
static gboolean
read_settings (VstLdapStore  *self,
               LDAP          *ld,
               guint          lifetime_days,
               GError       **error)
{
  char *attributes[] = { (char *) "pwdMaxAge", (char *) "pwdLockoutDuration", NULL };
  char *none[] = { (char *) LDAP_NO_ATTRS, NULL };
  g_autofree char *max_age = NULL;
  g_autofree char *lockout = NULL;
  LDAPMessage *result = NULL;
  LDAPMessage *entry;
  int rc;

  rc = ldap_search_ext_s (ld, self->policy_dn, LDAP_SCOPE_BASE, "(objectClass=pwdPolicy)", attributes,
                          0, NULL, NULL, NULL, 1, &result);
  entry = rc == LDAP_SUCCESS ? ldap_first_entry (ld, result) : NULL;
  if (entry == NULL)
    {
      ldap_msgfree (result);
      g_set_error (error, VST_STORE_ERROR, VST_STORE_ERROR_FAILED,
                   "LDAP: password-policy-dn %s: no pwdPolicy entry (%s)", self->policy_dn,
                   ldap_err2string (rc));
      return FALSE;
    }
  max_age = get_first (ld, entry, "pwdMaxAge");
  lockout = get_first (ld, entry, "pwdLockoutDuration");
  ldap_msgfree (result);
  self->max_age = max_age != NULL ? g_ascii_strtoll (max_age, NULL, 10) : 0;
  if (self->max_age <= 0)
    self->max_age = (gint64) lifetime_days * 86400;
  self->lockout_duration = lockout != NULL ? g_ascii_strtoll (lockout, NULL, 10) : 0;

  result = NULL;
  rc = ldap_search_ext_s (ld, self->totp_params_dn, LDAP_SCOPE_BASE, "(objectClass=oathTOTPParams)",
                          none, 0, NULL, NULL, NULL, 1, &result);
  entry = rc == LDAP_SUCCESS ? ldap_first_entry (ld, result) : NULL;
  ldap_msgfree (result);
  if (entry == NULL)
    {
      g_set_error (error, VST_STORE_ERROR, VST_STORE_ERROR_FAILED,
                   "LDAP: totp-params-dn %s: no oathTOTPParams entry (%s)", self->totp_params_dn,
                   ldap_err2string (rc));
      return FALSE;
    }
  return TRUE;
}

VstStore *
vst_ldap_store_new (const VstLdapStoreSettings  *settings,
                    VstStore                    *local,
                    GError                     **error)
{
  g_autoptr(VstLdapStore) self = NULL;
  LDAP *ld;
  gboolean ok;

  g_return_val_if_fail (settings != NULL, NULL);
  g_return_val_if_fail (VST_IS_STORE (local), NULL);

  self = g_object_new (VST_TYPE_LDAP_STORE, NULL);
  self->local = g_object_ref (local);
  self->uri = g_strdup (settings->uri);
  self->starttls = settings->starttls;
  self->bind_dn = g_strdup (settings->bind_dn);
  self->bind_password = g_strdup (settings->bind_password);
  self->base_dn = g_strdup (settings->base_dn);
  self->tokens_dn = g_strdup (settings->tokens_dn);
  self->policy_dn = g_strdup (settings->policy_dn);
  self->totp_params_dn = g_strdup (settings->totp_params_dn);

  ld = take_connection (self, error);
  if (ld == NULL)
    return NULL;
  ok = read_settings (self, ld, settings->lifetime_days, error);
  give_connection (self, ld, LDAP_SUCCESS);
  if (!ok)
    return NULL;
  return VST_STORE (g_steal_pointer (&self));
}
