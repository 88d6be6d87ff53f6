/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <vestibule.h>

#include "vst-account-cache.h"
#include "vst-store.h"

/* A session: its token's hash (the key) and whose it is. */
typedef struct {
  guint8 hash[VST_STORE_HASH_LEN];
  gint64 account_id;
  gint64 expires_at;
} Session;

struct _VstAccountCache {
  GHashTable *sessions;   /* Session (key and value) */
  GHashTable *accounts;   /* &account->id -> VstAccount */
  guint max_sessions;
};

/* The hash is SHA-256 output: any four of its bytes are as good as a hash
 * function. */
static guint
session_hash (gconstpointer key)
{
  const Session *session = key;
  guint h;

  memcpy (&h, session->hash, sizeof h);
  return h;
}

static gboolean
session_equal (gconstpointer a,
               gconstpointer b)
{
  return memcmp (((const Session *) a)->hash, ((const Session *) b)->hash, VST_STORE_HASH_LEN) == 0;
}

VstAccountCache *
vst_account_cache_new (guint max_sessions)
{
  VstAccountCache *cache = g_new0 (VstAccountCache, 1);

  cache->sessions = g_hash_table_new_full (session_hash, session_equal, g_free, NULL);
  cache->accounts = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                           (GDestroyNotify) vst_account_free);
  cache->max_sessions = MAX (max_sessions, 1);
  return cache;
}

void
vst_account_cache_free (VstAccountCache *cache)
{
  if (cache == NULL)
    return;
  g_hash_table_unref (cache->sessions);
  g_hash_table_unref (cache->accounts);
  g_free (cache);
}

/* A copy of the account behind @session_hash, if that session is known and
 * open at @now; NULL otherwise (then the database says). */
VstAccount *
vst_account_cache_lookup (VstAccountCache *cache,
                          const guint8    *session_hash,
                          gint64           now)
{
  Session key;
  Session *session;
  VstAccount *account;

  memcpy (key.hash, session_hash, VST_STORE_HASH_LEN);
  session = g_hash_table_lookup (cache->sessions, &key);
  if (session == NULL)
    return NULL;
  account = g_hash_table_lookup (cache->accounts, &session->account_id);
  if (session->expires_at <= now || account == NULL)
    {
      g_hash_table_remove (cache->sessions, session);
      return NULL;
    }
  return vst_account_copy (account);
}

/* What the database answered for @session_hash. Past the bound, the cache
 * starts over rather than keep a list of the oldest: the bound is for
 * memory, and an attacker's repeated requests find their account again on
 * their next one. */
void
vst_account_cache_insert (VstAccountCache  *cache,
                          const guint8     *session_hash,
                          gint64            expires_at,
                          const VstAccount *account)
{
  Session *session = g_new (Session, 1);
  VstAccount *copy = vst_account_copy (account);

  if (g_hash_table_size (cache->sessions) >= cache->max_sessions)
    {
      g_hash_table_remove_all (cache->sessions);
      g_hash_table_remove_all (cache->accounts);
    }
  memcpy (session->hash, session_hash, VST_STORE_HASH_LEN);
  session->account_id = account->id;
  session->expires_at = expires_at;
  g_hash_table_replace (cache->sessions, session, session);
  /* The last-e-mail members come from the outbox, which changes apart. */
  g_clear_pointer (&copy->last_email_kind, g_free);
  g_clear_pointer (&copy->last_email_status, g_free);
  copy->last_email_at = 0;
  g_hash_table_replace (cache->accounts, &copy->id, copy);
}

/* After the database took @account's TOTP members. */
void
vst_account_cache_update_totp (VstAccountCache  *cache,
                               const VstAccount *account)
{
  VstAccount *cached = g_hash_table_lookup (cache->accounts, &account->id);

  if (cached == NULL)
    return;
  cached->totp_state = account->totp_state;
  /* Copied every time: comparing first would compare secrets. */
  vst_secure_free (cached->totp_secret);
  cached->totp_secret = g_strdup (account->totp_secret);
  cached->totp_last_step = account->totp_last_step;
  cached->totp_failures = account->totp_failures;
  cached->totp_locked_until = account->totp_locked_until;
  cached->totp_lock_count = account->totp_lock_count;
}

static gboolean
session_of (gpointer key,
            gpointer value,
            gpointer user_data)
{
  return ((Session *) value)->account_id == *(gint64 *) user_data;
}

/* Drops the account and all its sessions: after a change the cache does
 * not follow (a new password, which closes sessions), or a write whose
 * outcome is unknown. */
void
vst_account_cache_forget (VstAccountCache *cache,
                          gint64           account_id)
{
  g_hash_table_remove (cache->accounts, &account_id);
  g_hash_table_foreach_remove (cache->sessions, session_of, &account_id);
}

guint
vst_account_cache_get_size (VstAccountCache *cache)
{
  return g_hash_table_size (cache->sessions);
}
