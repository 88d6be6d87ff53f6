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
/* Handles kept open beyond this are closed when given back: a burst of
 * requests does not leave that many connections on the directory. */
#define MAX_IDLE_CONNECTIONS 8
/* Entries per page when listing the directory (RFC 2696). */
#define LIST_PAGE_SIZE 200

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
 *
 * Every method may run in several threads at once. What they share is
 * the pool of connections and the first sight of an account (each behind
 * its lock) and @local (which has its own); a connection that slapd
 * closed (a restart) is dropped, and the operation runs once more on a
 * new one (with_connection()).
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
   * back, so that the threads that call the store never share a handle.
   * Everything above is set once, before any thread sees the store. */
  GMutex lock;
  GPtrArray *idle;

  /* Held while an account goes into @local: so that a creation here and
   * the first sight of the same login in another thread (between the
   * directory's add and @local's) do not both insert it. */
  GMutex accounts_lock;
};

static void vst_ldap_store_iface_init (VstStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VstLdapStore, vst_ldap_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VST_TYPE_STORE, vst_ldap_store_iface_init))

/* Connections -------------------------------------------------------- */

/* A directory that is down or too slow is not the request's fault: the
 * API answers 503 with Retry-After rather than 500. */
static VstStoreError
error_code (int rc)
{
  if (rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR || rc == LDAP_UNAVAILABLE ||
      rc == LDAP_TIMEOUT || rc == LDAP_BUSY)
    return VST_STORE_ERROR_UNAVAILABLE;
  return VST_STORE_ERROR_FAILED;
}

static void
set_ldap_error (GError     **error,
                int          rc,
                const char  *what)
{
  g_set_error (error, VST_STORE_ERROR, error_code (rc), "LDAP %s: %s", what, ldap_err2string (rc));
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
  /* A directory that does not answer fails the request (503) instead of
   * holding its worker thread for long. */
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

/* Results that say a handle is of no use any more: the server closed the
 * connection (slapd restarted or stopped since the handle was opened), it
 * cannot be reached, or it said it is going away (a Notice of
 * Disconnection). */
static gboolean
connection_lost (int rc)
{
  return rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR || rc == LDAP_UNAVAILABLE;
}

/* An idle handle from the pool, or a new one bound as the service when
 * @fresh or when the pool is empty; *@out_pooled says which. */
static LDAP *
take_connection (VstLdapStore  *self,
                 gboolean       fresh,
                 gboolean      *out_pooled,
                 GError       **error)
{
  LDAP *ld = NULL;
  int rc;

  if (!fresh)
    {
      g_mutex_lock (&self->lock);
      if (self->idle->len > 0)
        ld = g_ptr_array_steal_index_fast (self->idle, self->idle->len - 1);
      g_mutex_unlock (&self->lock);
    }
  *out_pooled = ld != NULL;
  if (ld != NULL)
    return ld;

  ld = open_connection (self, error);
  if (ld == NULL)
    return NULL;
  rc = simple_bind (ld, self->bind_dn, self->bind_password);
  if (rc != LDAP_SUCCESS)
    {
      g_set_error (error, VST_STORE_ERROR, error_code (rc),
                   "LDAP: the service cannot bind as %s: %s", self->bind_dn, ldap_err2string (rc));
      unbind (ld);
      return NULL;
    }
  return ld;
}

/* Gives @ld back, unless the last result @rc says the connection is gone
 * (the client library's codes are negative). A lost connection most
 * likely means that slapd restarted, which took every idle handle with
 * it: those go too, so that the next operations open new ones instead of
 * each failing once on a dead handle. */
static void
give_connection (VstLdapStore *self,
                 LDAP         *ld,
                 int           rc)
{
  g_autoptr(GPtrArray) stale = NULL;

  if (ld == NULL)
    return;
  if (rc < 0 || connection_lost (rc))
    {
      unbind (ld);
      if (connection_lost (rc))
        {
          g_mutex_lock (&self->lock);
          stale = g_steal_pointer (&self->idle);
          self->idle = g_ptr_array_new_with_free_func ((GDestroyNotify) unbind);
          g_mutex_unlock (&self->lock);
        }
      /* @stale is unbound here, outside the lock. */
      return;
    }
  g_mutex_lock (&self->lock);
  if (self->idle->len < MAX_IDLE_CONNECTIONS)
    {
      g_ptr_array_add (self->idle, ld);
      ld = NULL;
    }
  g_mutex_unlock (&self->lock);
  unbind (ld);
}

/* One directory operation on a handle bound as the service: returns the
 * last LDAP result code (for give_connection()) and sets @error when it
 * fails. @again is TRUE when it runs for the second time, after the first
 * handle turned out to be lost. */
typedef int (*LdapOperation) (VstLdapStore  *self,
                              LDAP          *ld,
                              gboolean       again,
                              gpointer       data,
                              GError       **error);

/* Runs @operation on a pooled handle. When that handle turns out to be
 * lost (slapd restarted since it was opened), it is dropped and
 * @operation runs once more on a new connection. So every operation must
 * be safe to run twice: it reads, or it writes what it would write anyway,
 * or it checks with @again what the first run did; and it resets what it
 * fills in. Binds as a user are no such operation (a failure counts
 * towards the lock-out, a code is spent): they never come here. A new
 * connection that fails is not tried again: the directory is down, and
 * the error says so. */
static gboolean
with_connection (VstLdapStore   *self,
                 LdapOperation   operation,
                 gpointer        data,
                 GError        **error)
{
  for (guint attempt = 0; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      gboolean pooled = FALSE;
      LDAP *ld = take_connection (self, attempt > 0, &pooled, &local_error);
      int rc;

      if (ld == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      rc = operation (self, ld, attempt > 0, data, &local_error);
      give_connection (self, ld, rc);
      if (local_error == NULL)
        return TRUE;
      if (attempt == 0 && pooled && connection_lost (rc))
        {
          g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_INFO,
                            "VST_EVENT", "ldap-reconnect",
                            "MESSAGE", "LDAP: the connection to the directory was lost (%s); "
                            "trying once more on a new one", ldap_err2string (rc));
          continue;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
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
  char *login;            /* only when listing: from the entry's DN */
  char *email;
  char *display_name;
  char *language;
  gboolean has_password;
  char *password_value;   /* only when asked for; a secret */
  gint64 changed_at;
  gint64 locked_at;       /* 0 when not locked */
  gint64 created_at;      /* createTimestamp */
  gboolean linked;        /* oathTOTPToken: the key is active */
  gboolean has_token;
  char *secret;           /* base32; a secret; never read when listing */
} LdapUser;

static void
ldap_user_clear (LdapUser *user)
{
  g_free (user->login);
  g_free (user->email);
  g_free (user->display_name);
  g_free (user->language);
  vst_secure_free (user->password_value);
  vst_secure_free (user->secret);
  memset (user, 0, sizeof *user);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LdapUser, ldap_user_clear)

static void
ldap_user_free (LdapUser *user)
{
  ldap_user_clear (user);
  g_free (user);
}

/* What the store reads of a user entry; userPassword last, so that it can
 * be left out. */
#define USER_ATTRIBUTES (char *) "mail", (char *) "displayName", (char *) "preferredLanguage", \
                        (char *) "pwdChangedTime", (char *) "pwdAccountLockedTime", \
                        (char *) "oathTOTPToken", (char *) "createTimestamp"

static void
read_user_entry (LDAP        *ld,
                 LDAPMessage *entry,
                 LdapUser    *user)
{
  g_autofree char *changed = get_first (ld, entry, "pwdChangedTime");
  g_autofree char *locked = get_first (ld, entry, "pwdAccountLockedTime");
  g_autofree char *linked = get_first (ld, entry, "oathTOTPToken");
  g_autofree char *created = get_first (ld, entry, "createTimestamp");

  user->email = get_first (ld, entry, "mail");
  user->display_name = get_first (ld, entry, "displayName");
  user->language = get_first (ld, entry, "preferredLanguage");
  /* There only when asked for: it is read only to check it (check_ssha()). */
  user->password_value = get_first (ld, entry, "userPassword");
  /* ppolicy stamps every password change, the first one included. */
  user->has_password = changed != NULL;
  user->changed_at = changed != NULL ? parse_generalized_time (changed) : 0;
  user->locked_at = locked != NULL ? parse_generalized_time (locked) : 0;
  user->created_at = created != NULL ? parse_generalized_time (created) : 0;
  user->linked = linked != NULL;
}

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

/* Reads the entry of @login (and its token) into @user, which it clears
 * first; VST_STORE_ERROR_NOT_FOUND when there is none. Returns the last
 * LDAP result code, for give_connection(). */
static int
fetch_user (VstLdapStore  *self,
            LDAP          *ld,
            const char    *login,
            gboolean       with_password,
            LdapUser      *user,
            GError       **error)
{
  g_autofree char *dn = NULL;
  char *attributes[] = { USER_ATTRIBUTES, (char *) "userPassword", NULL };
  LDAPMessage *result = NULL;
  LDAPMessage *entry;
  int rc;

  ldap_user_clear (user);
  if (!login_is_safe (login))
    {
      g_set_error (error, VST_STORE_ERROR, VST_STORE_ERROR_NOT_FOUND, "no account “%s”", login);
      return LDAP_SUCCESS;
    }
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
  read_user_entry (ld, entry, user);
  ldap_msgfree (result);
  return fetch_token (self, ld, login, user, error);
}

typedef struct {
  const char *login;
  gboolean with_password;
  LdapUser *user;
} FetchUser;

static int
fetch_user_op (VstLdapStore  *self,
               LDAP          *ld,
               gboolean       again,
               gpointer       data,
               GError       **error)
{
  FetchUser *fetch = data;

  return fetch_user (self, ld, fetch->login, fetch->with_password, fetch->user, error);
}

/* fetch_user() on a connection of the pool: a read, so tried again on a
 * new connection when the first one was lost. */
static gboolean
read_user (VstLdapStore  *self,
           const char    *login,
           gboolean       with_password,
           LdapUser      *user,
           GError       **error)
{
  FetchUser fetch = { login, with_password, user };

  return with_connection (self, fetch_user_op, &fetch, error);
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

/* A record for @login that @local does not have (yet), from the directory's
 * @user. */
static VstAccount *
new_account (const char *login,
             LdapUser   *user)
{
  VstAccount *account = vst_account_new ();

  account->login = g_strdup (login);
  account->email = g_strdup (user->email != NULL ? user->email : "");
  account->display_name = g_strdup (user->display_name != NULL ? user->display_name : login);
  account->language = g_strdup (user->language != NULL ? user->language : "en");
  account->created_at = user->created_at;
  account->totp_last_step = -1;
  return account;
}

/* The local record of @login, added when this instance sees the account
 * for the first time. Threads may ask for the same new login at once: the
 * first one adds it, the others read what it added. */
static VstAccount *
local_account (VstLdapStore  *self,
               const char    *login,
               LdapUser      *user,
               GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(VstAccount) account = vst_store_get_account (self->local, login, &local_error);
  g_autoptr(GMutexLocker) locker = NULL;

  if (account != NULL)
    return g_steal_pointer (&account);
  if (!g_error_matches (local_error, VST_STORE_ERROR, VST_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* First sight, as far as we know: look again under the lock, which
   * ldap_create_account() holds from the directory's add to @local's. */
  locker = g_mutex_locker_new (&self->accounts_lock);
  g_clear_error (&local_error);
  account = vst_store_get_account (self->local, login, &local_error);
  if (account != NULL)
    return g_steal_pointer (&account);
  if (!g_error_matches (local_error, VST_STORE_ERROR, VST_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  g_clear_error (&local_error);

  account = new_account (login, user);
  /* The first sight here, not the directory's creation. */
  account->created_at = g_get_real_time () / G_USEC_PER_SEC;
  if (vst_store_create_account (self->local, account, NULL, &local_error))
    return g_steal_pointer (&account);
  /* Added meanwhile all the same (by another process on the same file,
   * say): whoever added it, the record is there now. */
  if (g_error_matches (local_error, VST_STORE_ERROR, VST_STORE_ERROR_EXISTS))
    return vst_store_get_account (self->local, login, error);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
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
modify (LDAP        *ld,
        const char  *dn,
        int          op,
        const char  *type,
        char       **values)
{
  LDAPMod mod = { 0 };
  LDAPMod *mods[] = { &mod, NULL };

  mod.mod_op = op;
  mod.mod_type = (char *) type;
  mod.mod_values = values;
  return ldap_modify_ext_s (ld, dn, mods, NULL, NULL);
}

/* Points the user entry of @login to its token (@link) or not. Both ways
 * are idempotent, so that a retry, or two threads, may do it twice. */
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

  /* Linked or unlinked already, in full or in part (the class without the
   * attribute): finish the job one part at a time. Replacing an attribute
   * never fails on what is or is not there. */
  if (link && rc == LDAP_TYPE_OR_VALUE_EXISTS)
    rc = modify (ld, dn, LDAP_MOD_REPLACE, "oathTOTPToken", tokens);
  else if (!link && rc == LDAP_NO_SUCH_ATTRIBUTE)
    {
      rc = modify (ld, dn, LDAP_MOD_REPLACE, "oathTOTPToken", NULL);
      if (rc == LDAP_SUCCESS)
        rc = modify (ld, dn, LDAP_MOD_DELETE, "objectClass", classes);
      if (rc == LDAP_NO_SUCH_ATTRIBUTE)
        rc = LDAP_SUCCESS;
    }
  if (rc != LDAP_SUCCESS)
    set_ldap_error (error, rc, link ? "linking a token" : "unlinking a token");
  return rc;
}

static int
link_token_op (VstLdapStore  *self,
               LDAP          *ld,
               gboolean       again,
               gpointer       data,
               GError       **error)
{
  return link_token (self, ld, data, TRUE, error);
}

static int
unlink_token_op (VstLdapStore  *self,
                 LDAP          *ld,
                 gboolean       again,
                 gpointer       data,
                 GError       **error)
{
  return link_token (self, ld, data, FALSE, error);
}

/* Deletes @dn; one already gone counts as deleted, so that a retry after
 * a lost connection does not fail. */
static int
delete_entry (LDAP        *ld,
              const char  *dn,
              const char  *what,
              GError     **error)
{
  int rc = ldap_delete_ext_s (ld, dn, NULL, NULL);

  if (rc == LDAP_NO_SUCH_OBJECT)
    return LDAP_SUCCESS;
  if (rc != LDAP_SUCCESS)
    set_ldap_error (error, rc, what);
  return rc;
}

static int
delete_token (VstLdapStore  *self,
              LDAP          *ld,
              const char    *login,
              GError       **error)
{
  g_autofree char *dn = token_dn (self, login);

  return delete_entry (ld, dn, "deleting a token", error);
}

/* Writes @secret as the token of @login. A token that is there already
 * (another thread's, between our read and this add) is replaced: the last
 * writer wins, as with SQLite. */
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
  if (rc == LDAP_ALREADY_EXISTS)
    {
      rc = delete_token (self, ld, login, NULL);
      if (rc == LDAP_SUCCESS)
        rc = ldap_add_ext_s (ld, dn, mods, NULL, NULL);
    }
  vst_base32_free (key, len);
  if (rc != LDAP_SUCCESS)
    set_ldap_error (error, rc, "adding a token");
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

/* Reads the directory's TOTP state of @account and writes what differs: a
 * retry after a lost connection reads again and writes what is still
 * missing. */
static int
update_op (VstLdapStore  *self,
           LDAP          *ld,
           gboolean       again,
           gpointer       data,
           GError       **error)
{
  const VstAccount *account = data;
  g_auto(LdapUser) user = { 0 };
  int rc = fetch_user (self, ld, account->login, FALSE, &user, error);

  if (rc != LDAP_SUCCESS || *error != NULL)
    return rc;
  return write_totp (self, ld, account, &user, error);
}

/* Listing ------------------------------------------------------------ */

/* The login of an entry named @type=LOGIN (right under the base or the
 * tokens DN), or NULL when it is named otherwise: the store reaches an
 * account as uid=LOGIN,base-dn only. uid matches without case, hence the
 * lower case. */
static char *
login_of_entry (LDAP        *ld,
                LDAPMessage *entry,
                const char  *type)
{
  char *dn = ldap_get_dn (ld, entry);
  LDAPDN parsed = NULL;
  char *login = NULL;

  if (dn != NULL && ldap_str2dn (dn, &parsed, LDAP_DN_FORMAT_LDAPV3) == LDAP_SUCCESS &&
      parsed != NULL && parsed[0] != NULL && parsed[0][0] != NULL && parsed[0][1] == NULL)
    {
      LDAPAVA *ava = parsed[0][0];

      if (ava->la_attr.bv_len == strlen (type) &&
          g_ascii_strncasecmp (ava->la_attr.bv_val, type, ava->la_attr.bv_len) == 0 &&
          (ava->la_flags & LDAP_AVA_BINARY) == 0 &&
          memchr (ava->la_value.bv_val, '\0', ava->la_value.bv_len) == NULL)
        {
          login = g_ascii_strdown (ava->la_value.bv_val, ava->la_value.bv_len);
          if (!login_is_safe (login))
            g_clear_pointer (&login, g_free);
        }
    }
  ldap_dnfree (parsed);
  ldap_memfree (dn);
  return login;
}

typedef void (*EntryFunc) (LDAP        *ld,
                           LDAPMessage *entry,
                           gpointer     user_data);

/* Every entry right under @base that matches @filter, page by page (RFC
 * 2696), so that a directory of many people is read in full whatever the
 * size of one answer. A size limit that still cuts the answer is an
 * error: a list that silently leaves people out would mislead. */
static int
search_all (LDAP         *ld,
            const char   *base,
            const char   *filter,
            char        **attributes,
            EntryFunc     func,
            gpointer      user_data,
            GError      **error)
{
  struct berval *cookie = NULL;
  int rc;

  do
    {
      LDAPControl *page = NULL;
      LDAPControl *request_controls[] = { NULL, NULL };
      LDAPControl **controls = NULL;
      LDAPControl *response;
      LDAPMessage *result = NULL;
      struct berval next = { 0, NULL };
      ber_int_t estimate = 0;
      int code = LDAP_SUCCESS;

      rc = ldap_create_page_control (ld, LIST_PAGE_SIZE, cookie, 0, &page);
      g_clear_pointer (&cookie, ber_bvfree);
      if (rc != LDAP_SUCCESS)
        break;
      request_controls[0] = page;
      rc = ldap_search_ext_s (ld, base, LDAP_SCOPE_ONELEVEL, filter, attributes, 0, request_controls,
                              NULL, NULL, LDAP_NO_LIMIT, &result);
      ldap_control_free (page);
      if (rc != LDAP_SUCCESS)
        {
          ldap_msgfree (result);
          break;
        }
      for (LDAPMessage *entry = ldap_first_entry (ld, result); entry != NULL;
           entry = ldap_next_entry (ld, entry))
        func (ld, entry, user_data);
      rc = ldap_parse_result (ld, result, &code, NULL, NULL, NULL, &controls, 1);
      if (rc == LDAP_SUCCESS)
        rc = code;
      response = controls != NULL ? ldap_control_find (LDAP_CONTROL_PAGEDRESULTS, controls, NULL) : NULL;
      if (rc == LDAP_SUCCESS && response != NULL &&
          ldap_parse_pageresponse_control (ld, response, &estimate, &next) == LDAP_SUCCESS &&
          next.bv_len > 0)
        cookie = ber_bvdup (&next);
      ber_memfree (next.bv_val);
      ldap_controls_free (controls);
    }
  while (rc == LDAP_SUCCESS && cookie != NULL);
  g_clear_pointer (&cookie, ber_bvfree);

  if (rc == LDAP_SIZELIMIT_EXCEEDED || rc == LDAP_ADMINLIMIT_EXCEEDED)
    g_set_error (error, VST_STORE_ERROR, VST_STORE_ERROR_FAILED,
                 "LDAP: listing %s: %s; give the service's identity a larger size limit "
                 "(olcLimits, see docs/deploying.md)", base, ldap_err2string (rc));
  else if (rc != LDAP_SUCCESS)
    set_ldap_error (error, rc, "listing the accounts");
  return rc;
}

typedef struct {
  GPtrArray *users;     /* of LdapUser, with their login */
  GHashTable *tokens;   /* the logins that have a token entry */
} Listing;

static void
add_user_cb (LDAP        *ld,
             LDAPMessage *entry,
             gpointer     user_data)
{
  Listing *listing = user_data;
  g_autofree char *login = login_of_entry (ld, entry, "uid");
  LdapUser *user;

  if (login == NULL)
    return;
  user = g_new0 (LdapUser, 1);
  read_user_entry (ld, entry, user);
  user->login = g_steal_pointer (&login);
  g_ptr_array_add (listing->users, user);
}

static void
add_token_cb (LDAP        *ld,
              LDAPMessage *entry,
              gpointer     user_data)
{
  Listing *listing = user_data;
  char *login = login_of_entry (ld, entry, "cn");

  if (login != NULL)
    g_hash_table_add (listing->tokens, login);
}

/* Two searches, whatever the number of people: the user entries, and the
 * token entries (their names only: a list needs no key). */
static int
list_op (VstLdapStore  *self,
         LDAP          *ld,
         gboolean       again,
         gpointer       data,
         GError       **error)
{
  Listing *listing = data;
  char *user_attributes[] = { USER_ATTRIBUTES, NULL };
  char *no_attributes[] = { (char *) LDAP_NO_ATTRS, NULL };
  g_autoptr(GError) local_error = NULL;
  int rc;

  g_ptr_array_set_size (listing->users, 0);
  g_hash_table_remove_all (listing->tokens);
  rc = search_all (ld, self->base_dn, "(objectClass=inetOrgPerson)", user_attributes,
                   add_user_cb, listing, error);
  if (rc != LDAP_SUCCESS)
    return rc;
  rc = search_all (ld, self->tokens_dn, "(&(objectClass=oathTOTPToken)(oathSecret=*))", no_attributes,
                   add_token_cb, listing, &local_error);
  /* No tokens DN yet: no token. */
  if (rc == LDAP_NO_SUCH_OBJECT)
    return LDAP_SUCCESS;
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return rc;
}

/* VstStore ----------------------------------------------------------- */

typedef struct {
  const VstAccount *account;
  const char *dn;
  LDAPMod **mods;
} NewEntry;

/* Whether the entry at @entry->dn is the one that @entry would add, as
 * new: no password, no key yet. */
static gboolean
is_new_entry (VstLdapStore *self,
              LDAP         *ld,
              NewEntry     *entry)
{
  const VstAccount *account = entry->account;
  g_auto(LdapUser) user = { 0 };
  g_autoptr(GError) error = NULL;

  fetch_user (self, ld, account->login, FALSE, &user, &error);
  return error == NULL && !user.has_password && !user.has_token && !user.linked &&
         g_strcmp0 (user.email, account->email) == 0 &&
         g_strcmp0 (user.display_name, account->display_name) == 0 &&
         g_strcmp0 (user.language, account->language) == 0;
}

static int
add_entry_op (VstLdapStore  *self,
              LDAP          *ld,
              gboolean       again,
              gpointer       data,
              GError       **error)
{
  NewEntry *entry = data;
  int rc = ldap_add_ext_s (ld, entry->dn, entry->mods, NULL, NULL);

  /* The first try's connection was lost after slapd took the add, maybe:
   * then the entry there is ours, just as we would have made it. (Should
   * another instance have added the same person at that moment, the
   * result is the same entry.) */
  if (rc == LDAP_ALREADY_EXISTS && again && is_new_entry (self, ld, entry))
    return LDAP_SUCCESS;
  if (rc == LDAP_ALREADY_EXISTS)
    g_set_error (error, VST_STORE_ERROR, VST_STORE_ERROR_EXISTS, "the login “%s” is taken",
                 entry->account->login);
  else if (rc != LDAP_SUCCESS)
    set_ldap_error (error, rc, "adding an account");
  return rc;
}

static int
delete_entry_op (VstLdapStore  *self,
                 LDAP          *ld,
                 gboolean       again,
                 gpointer       data,
                 GError       **error)
{
  return delete_entry (ld, data, "deleting an account", error);
}

static gboolean
ldap_create_account (VstStore       *store,
                     VstAccount     *account,
                     const VstMail  *mail,
                     GError        **error)
{
  VstLdapStore *self = VST_LDAP_STORE (store);
  g_autofree char *dn = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) delete_error = NULL;
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
  NewEntry entry;

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
  dn = user_dn (self, account->login);
  entry.account = account;
  entry.dn = dn;
  entry.mods = mods;

  /* From the directory's add to @local's, no other thread adds this login
   * to @local on first sight (local_account()). */
  locker = g_mutex_locker_new (&self->accounts_lock);
  if (!with_connection (self, add_entry_op, &entry, error))
    return FALSE;
  if (vst_store_create_account (self->local, account, mail, &local_error))
    return TRUE;
  /* Both or neither: the directory entry goes again. */
  if (!with_connection (self, delete_entry_op, dn, &delete_error))
    g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                      "VST_EVENT", "ldap-half-created",
                      "VST_LOGIN", account->login,
                      "MESSAGE", "%s is in the directory but not in the local store (%s), and could "
                      "not be taken out again: %s", dn, local_error->message, delete_error->message);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* @account (from @local) with what the directory says about it. */
static gboolean
complete_account (VstLdapStore  *self,
                  VstAccount    *account,
                  GError       **error)
{
  g_auto(LdapUser) user = { 0 };

  if (!read_user (self, account->login, FALSE, &user, error))
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
  g_autoptr(VstAccount) account = NULL;

  if (!read_user (self, login, FALSE, &user, error))
    return NULL;
  account = local_account (self, login, &user, error);
  if (account == NULL)
    return NULL;
  merge (self, account, &user);
  return g_steal_pointer (&account);
}

static int
compare_logins (gconstpointer a,
                gconstpointer b)
{
  const VstAccount *first = *(const VstAccount * const *) a;
  const VstAccount *second = *(const VstAccount * const *) b;

  return strcmp (first->login, second->login);
}

/* Every account of the directory (uid=LOGIN right under the base DN),
 * made here or not: with what @local knows of those it knows. Those it
 * does not know are not added to it here (a list writes nothing); they
 * will be on first use (local_account()). Accounts that @local knows but
 * the directory no longer has are left out, as get_account() would not
 * find them. */
static GPtrArray *
ldap_list_accounts (VstStore  *store,
                    GError   **error)
{
  VstLdapStore *self = VST_LDAP_STORE (store);
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func ((GDestroyNotify) ldap_user_free);
  g_autoptr(GHashTable) tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) known = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) local = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  Listing listing = { users, tokens };

  if (!with_connection (self, list_op, &listing, error))
    return NULL;
  local = vst_store_list_accounts (self->local, error);
  if (local == NULL)
    return NULL;
  for (guint i = 0; i < local->len; i++)
    {
      VstAccount *account = g_ptr_array_index (local, i);

      g_hash_table_insert (known, account->login, account);
    }

  accounts = g_ptr_array_new_full (users->len, (GDestroyNotify) vst_account_free);
  for (guint i = 0; i < users->len; i++)
    {
      LdapUser *user = g_ptr_array_index (users, i);
      VstAccount *account = g_hash_table_lookup (known, user->login);

      /* Two entries for one login (uid=a and uid=A): the first one. */
      if (g_hash_table_contains (known, user->login) && account == NULL)
        continue;
      account = account != NULL ? vst_account_copy (account) : new_account (user->login, user);
      g_hash_table_insert (known, user->login, NULL);
      user->has_token = g_hash_table_contains (tokens, user->login);
      merge (self, account, user);
      g_ptr_array_add (accounts, account);
    }
  g_ptr_array_sort (accounts, compare_logins);
  return g_steal_pointer (&accounts);
}

static gboolean
ldap_update_account (VstStore          *store,
                     const VstAccount  *account,
                     GError           **error)
{
  VstLdapStore *self = VST_LDAP_STORE (store);
  g_autoptr(VstAccount) copy = NULL;

  if (!with_connection (self, update_op, (gpointer) account, error))
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

/* Whether a bind's result is the directory's answer about the
 * credentials (wrong, locked, expired: slapd says "invalid credentials"
 * for all of them) rather than a failure to get an answer. */
static gboolean
bind_refused (int rc)
{
  return rc > 0 && !connection_lost (rc) && rc != LDAP_BUSY && rc != LDAP_OTHER;
}

/* Binds @ld as @login: TRUE with *@out_accepted, or FALSE with @error when
 * the directory could not say (it is down, say), so that a password is
 * never taken as wrong, counted and throttled, for the directory's fault.
 * An empty password is wrong without asking: to LDAP it would be an
 * unauthenticated bind, which some servers let pass. */
static gboolean
bind_as_user (VstLdapStore  *self,
              LDAP          *ld,
              const char    *login,
              const char    *password,
              gboolean      *out_accepted,
              GError       **error)
{
  g_autofree char *dn = user_dn (self, login);
  int rc;

  *out_accepted = FALSE;
  if (*password == '\0')
    return TRUE;
  rc = simple_bind (ld, dn, password);
  if (rc == LDAP_SUCCESS)
    *out_accepted = TRUE;
  else if (!bind_refused (rc))
    {
      set_ldap_error (error, rc, "signing in as the user");
      return FALSE;
    }
  return TRUE;
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
  gboolean ok = FALSE;

  if (!read_user (self, job->login, TRUE, &user, &error))
    {
      if (g_error_matches (error, VST_STORE_ERROR, VST_STORE_ERROR_NOT_FOUND))
        g_task_return_new_error (task, VST_STORE_ERROR, VST_STORE_ERROR_BAD_PASSWORD, "wrong password");
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  job->locked_until = locked_until (self, &user);
  if (job->locked_until > 0)
    {
      g_task_return_new_error (task, VST_STORE_ERROR, VST_STORE_ERROR_LOCKED, "locked by the directory");
      return;
    }

  if (user.linked)
    {
      /* With an active key, slapo-otp wants the password and a code in one
       * bind, and the code comes later (POST /totp/verify). The password
       * alone is checked against the directory's hash, with the
       * directory's lock-out honoured above. */
      ok = *job->password != '\0' && check_ssha (user.password_value, job->password);
    }
  else
    {
      /* A real bind, on a connection of its own: ppolicy counts the
       * failure and may lock. */
      LDAP *user_ld = open_connection (self, &error);
      gboolean answered = user_ld != NULL &&
                          bind_as_user (self, user_ld, job->login, job->password, &ok, &error);

      unbind (user_ld);
      if (!answered)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      if (!ok)
        {
          g_auto(LdapUser) again = { 0 };

          if (read_user (self, job->login, FALSE, &again, NULL))
            job->locked_until = locked_until (self, &again);
        }
    }

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
 * control so that a refusal says which rule. Run again after a lost
 * connection, it may meet the first try's password in the history: if
 * that password is the current one, the first try went through. (So does
 * a password set twice to the same value; the outcome is the same.) */
static int
change_password_op (VstLdapStore  *self,
                    LDAP          *ld,
                    gboolean       again,
                    gpointer       data,
                    GError       **error)
{
  Job *job = data;
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
  int rc, code = LDAP_OTHER, msgid;

  user_value.bv_val = dn;
  user_value.bv_len = strlen (dn);
  password_value.bv_val = job->password;
  password_value.bv_len = strlen (job->password);
  rc = ldap_create_passwordpolicy_control (ld, &request);
  request_controls[0] = request;
  if (rc == LDAP_SUCCESS)
    rc = ldap_passwd (ld, &user_value, NULL, &password_value, request_controls, NULL, &msgid);
  if (rc == LDAP_SUCCESS)
    {
      switch (ldap_result (ld, msgid, LDAP_MSG_ALL, &timeout, &result))
        {
        case -1:
          ldap_get_option (ld, LDAP_OPT_RESULT_CODE, &rc);
          break;
        case 0:
          rc = LDAP_TIMEOUT;
          break;
        default:
          break;
        }
    }
  if (rc == LDAP_SUCCESS)
    rc = ldap_parse_result (ld, result, &code, NULL, &diagnostic, NULL, &controls, 1);
  else
    ldap_msgfree (result);
  ldap_control_free (request);

  response = controls != NULL ? ldap_control_find (LDAP_CONTROL_PASSWORDPOLICYRESPONSE, controls, NULL) : NULL;
  if (response != NULL)
    ldap_parse_passwordpolicy_control (ld, response, &expire, &grace, &policy_error);
  ldap_controls_free (controls);

  if (rc == LDAP_SUCCESS && code == LDAP_CONSTRAINT_VIOLATION && policy_error == PP_passwordInHistory && again)
    {
      g_auto(LdapUser) user = { 0 };
      g_autoptr(GError) read_error = NULL;

      if (fetch_user (self, ld, job->login, TRUE, &user, &read_error) == LDAP_SUCCESS &&
          read_error == NULL && check_ssha (user.password_value, job->password))
        code = LDAP_SUCCESS;
    }

  if (rc != LDAP_SUCCESS)
    set_ldap_error (error, rc, "changing a password");
  else if (code == LDAP_SUCCESS)
    ;
  else if (policy_error == PP_passwordInHistory)
    g_set_error_literal (error, VST_STORE_ERROR, VST_STORE_ERROR_PASSWORD_REUSED, "in the history");
  else if (policy_error == PP_passwordTooShort)
    g_set_error_literal (error, VST_STORE_ERROR, VST_STORE_ERROR_PASSWORD_POLICY, VST_RULE_MIN_LENGTH);
  else if (policy_error == PP_insufficientPasswordQuality)
    g_set_error_literal (error, VST_STORE_ERROR, VST_STORE_ERROR_PASSWORD_POLICY, VST_RULE_CLASSES);
  else
    g_set_error (error, VST_STORE_ERROR, VST_STORE_ERROR_FAILED, "LDAP: the directory refused the password: %s%s%s",
                 ldap_err2string (code), diagnostic != NULL ? ": " : "", diagnostic != NULL ? diagnostic : "");
  ldap_memfree (diagnostic);
  return rc != LDAP_SUCCESS ? rc : code;
}

static void
change_password_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  VstLdapStore *self = source_object;
  Job *job = task_data;
  g_autoptr(GError) error = NULL;

  if (!login_is_safe (job->login))
    g_task_return_new_error (task, VST_STORE_ERROR, VST_STORE_ERROR_NOT_FOUND, "no such account");
  else if (!with_connection (self, change_password_op, job, &error))
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
 * slapo-otp a wrong password would burn a right code. Only the reads and
 * the (idempotent) link and unlink are tried again after a lost
 * connection, never the binds: a bind counts towards ppolicy's lock-out,
 * and the code's bind spends the code. */
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
  LDAP *user_ld = NULL;
  gboolean accepted = FALSE;

  if (!read_user (self, job->login, FALSE, &user, &error))
    goto out;
  if (!user.has_token)
    {
      g_set_error_literal (&error, VST_STORE_ERROR, VST_STORE_ERROR_FAILED, "LDAP: no pending token");
      goto out;
    }
  user_ld = open_connection (self, &error);
  if (user_ld == NULL)
    goto out;

  if (!user.linked)
    {
      if (!bind_as_user (self, user_ld, job->login, job->password, &accepted, &error))
        goto out;
      if (!accepted)
        {
          g_set_error_literal (&error, VST_STORE_ERROR, VST_STORE_ERROR_BAD_PASSWORD, "wrong password");
          goto out;
        }
      if (!with_connection (self, link_token_op, job->login, &error))
        goto out;
    }

  {
    char *both = g_strconcat (job->password, job->code, NULL);
    gboolean answered = bind_as_user (self, user_ld, job->login, both, &accepted, &error);

    vst_secure_free (both);
    if (answered && !accepted)
      g_set_error_literal (&error, VST_STORE_ERROR, VST_STORE_ERROR_CODE_REFUSED,
                           "the directory refused the code");
    /* Back to pending: other clients must not ask for codes of a key that
     * was never proven. */
    if (error != NULL)
      with_connection (self, unlink_token_op, job->login, NULL);
  }

out:
  unbind (user_ld);
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
  g_mutex_clear (&self->accounts_lock);
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
  g_mutex_init (&self->accounts_lock);
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
  gboolean pooled;
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

  /* In this thread, before any other: the first connection also sets up
   * libldap's (and TLS's) global state. */
  ld = take_connection (self, TRUE, &pooled, error);
  if (ld == NULL)
    return NULL;
  ok = read_settings (self, ld, settings->lifetime_days, error);
  give_connection (self, ld, LDAP_SUCCESS);
  if (!ok)
    return NULL;
  return VST_STORE (g_steal_pointer (&self));
}
