/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "vestibule-server"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vst-account-cache.h"
#include "vst-sqlite-store.h"

/* Every statement the store runs more than once, prepared on first use
 * (SQLITE_PREPARE_PERSISTENT) and kept until the store is finalized:
 * compiling a statement cost more than running it (about a quarter of a
 * wrong-code attempt's CPU went to sqlite3_prepare_v2 and sqlite3_exec). */
typedef enum {
  STMT_BEGIN,
  STMT_COMMIT,
  STMT_ROLLBACK,
  STMT_INSERT_MAIL,
  STMT_CREATE_ACCOUNT,
  STMT_GET_ACCOUNT,
  STMT_LIST_ACCOUNTS,
  STMT_UPDATE_ACCOUNT,
  STMT_SUPERSEDE_TOKENS,
  STMT_INSERT_TOKEN,
  STMT_COUNT_TOKENS,
  STMT_TOKEN_VALID,
  STMT_PASSWORD_HISTORY,
  STMT_SPEND_TOKEN,
  STMT_SET_PASSWORD,
  STMT_ADD_HISTORY,
  STMT_TRIM_HISTORY,
  STMT_CLOSE_SESSIONS,
  STMT_INSERT_SESSION,
  STMT_SWEEP_SESSIONS,
  STMT_SESSION_ACCOUNT,
  STMT_SWEEP_SIGNIN_FAILURES,
  STMT_ADD_SIGNIN_FAILURE,
  STMT_COUNT_SIGNIN_FAILURES,
  STMT_CLEAR_SIGNIN_FAILURES,
  STMT_OUTBOX_NEXT,
  STMT_OUTBOX_SENT,
  STMT_OUTBOX_RETRY,
  N_STMTS
} StmtId;

struct _VstSqliteStore
{
  GObject parent_instance;

  /* The connection serves one caller at a time: a store that waits on
   * the network (the directory) calls this one from worker threads, as do
   * the HTTP threads, and a transaction (and a cached statement) spans
   * several calls. Taken first in every method. */
  GRecMutex lock;
  sqlite3 *db;
  /* The cache of prepared statements, see get_stmt(). A statement is used
   * from get_stmt() to its release (the end of the g_autoptr(Stmt) scope)
   * by one caller at a time: whoever serializes the store's methods (the
   * main thread, or a lock around every method) must hold it over that
   * whole span, not only around sqlite3_step(). */
  sqlite3_stmt *stmts[N_STMTS];
  /* Whether the connection is at synchronous = NORMAL (left there by
   * record_code_failure) rather than FULL: see set_synchronous(). */
  gboolean synchronous_normal;
  /* The accounts behind sessions, which every signed-in request reads
   * first (a wrong code, which an attacker repeats, above all): kept in
   * step by the methods that write them, under @lock. */
  VstAccountCache *cache;

  /* Checkpoints, see wal_hook_cb(). NULL when the thread could not
   * start: SQLite's own auto-checkpoint then stays. */
  GThread *checkpointer;
  sqlite3 *checkpoint_db;
  GMutex checkpoint_lock;
  GCond checkpoint_cond;
  gboolean checkpoint_wanted;       /* under checkpoint_lock */
  gboolean checkpoint_quit;         /* under checkpoint_lock */
  int checkpoint_done;              /* atomic: the last pass asked for is over */
  int checkpoint_next;              /* the main connection's, in its hook: */
  int checkpoint_last;              /* the WAL's size at the last pass asked */
};

/* Every CHECKPOINT_FRAMES frames (pages) the WAL grows by, the checkpointer
 * thread copies it into the database; SQLite's auto-checkpoint default. */
#define CHECKPOINT_FRAMES 1000
/* Past RESTART_FRAMES, once a pass is over, the main connection checkpoints
 * what is left so that the WAL starts over; past twice that, at every
 * commit, whatever the thread does (it is stuck, or a reader of another
 * process holds an old snapshot), as SQLite's auto-checkpoint would. Each
 * start over costs the main loop the fsyncs of a checkpoint, so it comes
 * ten times less often than SQLite's: the WAL file grows to about 40 MB
 * (10,000 pages of 4 KiB) under a steady stream of writes, and stays that
 * size. Measured over 12,000 wrong codes: 18 ms of fsync on the main
 * thread (2 pauses over 5 ms), against 148 ms (13) with SQLite's
 * auto-checkpoint and 82 ms (4) with a start over every 1,000 frames. */
#define RESTART_FRAMES (10 * CHECKPOINT_FRAMES)
/* Sessions the account cache holds before it starts over: about 40 MB at
 * most, with room for the load benchmark's 30,000 accounts. */
#define CACHE_SESSIONS 65536

static void vst_sqlite_store_iface_init (VstStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VstSqliteStore, vst_sqlite_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VST_TYPE_STORE, vst_sqlite_store_iface_init))

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* Each entry brings the schema from version i to i + 1; the version lives
 * in PRAGMA user_version. Append, never edit a released one. */
static const char * const migrations[] = {
  /* 0 -> 1 */
  "CREATE TABLE accounts ("
  "  id INTEGER PRIMARY KEY,"
  "  login TEXT NOT NULL UNIQUE,"
  "  email TEXT NOT NULL,"
  "  display_name TEXT NOT NULL,"
  "  language TEXT NOT NULL,"
  "  space_name TEXT,"
  "  space_url TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  password_hash TEXT,"
  "  password_set_at INTEGER NOT NULL DEFAULT 0,"
  "  password_expires_at INTEGER NOT NULL DEFAULT 0,"
  "  totp_state INTEGER NOT NULL DEFAULT 0,"
  "  totp_secret TEXT,"
  "  totp_last_step INTEGER NOT NULL DEFAULT -1,"
  "  totp_failures INTEGER NOT NULL DEFAULT 0,"
  "  totp_locked_until INTEGER NOT NULL DEFAULT 0,"
  "  totp_lock_count INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE password_history ("
  "  id INTEGER PRIMARY KEY,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  hash TEXT NOT NULL,"
  "  set_at INTEGER NOT NULL);"
  "CREATE INDEX password_history_account ON password_history (account_id, id);"
  /* state: 0 current, 1 used, 2 superseded by a newer one. */
  "CREATE TABLE reset_tokens ("
  "  id INTEGER PRIMARY KEY,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  token_hash BLOB NOT NULL UNIQUE,"
  "  created_at INTEGER NOT NULL,"
  "  expires_at INTEGER NOT NULL,"
  "  state INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX reset_tokens_account ON reset_tokens (account_id, created_at);"
  "CREATE TABLE sessions ("
  "  token_hash BLOB PRIMARY KEY,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  created_at INTEGER NOT NULL,"
  "  expires_at INTEGER NOT NULL);"
  "CREATE TABLE signin_failures ("
  "  id INTEGER PRIMARY KEY,"
  "  login TEXT NOT NULL,"
  "  at INTEGER NOT NULL);"
  "CREATE INDEX signin_failures_login ON signin_failures (login, at);"
  /* status: 0 pending, 1 sent, 2 given up. */
  "CREATE TABLE outbox ("
  "  id INTEGER PRIMARY KEY,"
  "  account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,"
  "  kind TEXT NOT NULL,"
  "  sender TEXT NOT NULL,"
  "  recipient TEXT NOT NULL,"
  "  message BLOB,"
  "  status INTEGER NOT NULL DEFAULT 0,"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  created_at INTEGER NOT NULL,"
  "  next_attempt_at INTEGER NOT NULL,"
  "  sent_at INTEGER,"
  "  last_error TEXT);"
  "CREATE INDEX outbox_due ON outbox (status, next_attempt_at);"
  "CREATE INDEX outbox_account ON outbox (account_id, id);",
};

static gboolean
set_sqlite_error (VstSqliteStore  *self,
                  GError         **error)
{
  /* SQLite answers SQLITE_FULL, and rolls the transaction back, when a
   * write meets a full disk: the file stays consistent. */
  g_set_error (error, VST_STORE_ERROR,
               sqlite3_errcode (self->db) == SQLITE_FULL ? VST_STORE_ERROR_FULL : VST_STORE_ERROR_FAILED,
               "database: %s", sqlite3_errmsg (self->db));
  return FALSE;
}

static gboolean
exec (VstSqliteStore  *self,
      const char      *sql,
      GError         **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return set_sqlite_error (self, error);
  return TRUE;
}

static sqlite3_stmt *
prepare (VstSqliteStore  *self,
         const char      *sql,
         GError         **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error);
      return NULL;
    }
  return stmt;
}

#define ACCOUNT_OWN_COLUMNS \
  "a.id, a.login, a.email, a.display_name, a.language, a.space_name, a.space_url," \
  " a.created_at, a.password_hash, a.password_set_at, a.password_expires_at," \
  " a.totp_state, a.totp_secret, a.totp_last_step, a.totp_failures," \
  " a.totp_locked_until, a.totp_lock_count"
#define ACCOUNT_COLUMNS \
  ACCOUNT_OWN_COLUMNS "," \
  " o.kind, o.status, coalesce (o.sent_at, o.created_at)" \
  " FROM accounts a LEFT JOIN outbox o ON o.id =" \
  " (SELECT max (id) FROM outbox WHERE account_id = a.id)"

static const char * const stmt_sql[N_STMTS] = {
  /* IMMEDIATE takes the write lock at once, so that a read-then-write
   * (a token checked then spent) cannot interleave with another writer. */
  [STMT_BEGIN] = "BEGIN IMMEDIATE",
  [STMT_COMMIT] = "COMMIT",
  [STMT_ROLLBACK] = "ROLLBACK",
  [STMT_INSERT_MAIL] =
    "INSERT INTO outbox (account_id, kind, sender, recipient, message,"
    " created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  [STMT_CREATE_ACCOUNT] =
    "INSERT INTO accounts (login, email, display_name, language, space_name,"
    " space_url, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  [STMT_GET_ACCOUNT] = "SELECT " ACCOUNT_COLUMNS " WHERE a.login = ?",
  [STMT_LIST_ACCOUNTS] = "SELECT " ACCOUNT_COLUMNS " ORDER BY a.login",
  [STMT_UPDATE_ACCOUNT] =
    "UPDATE accounts SET totp_state = ?, totp_secret = ?, totp_last_step = ?,"
    " totp_failures = ?, totp_locked_until = ?, totp_lock_count = ?"
    " WHERE id = ?",
  [STMT_SUPERSEDE_TOKENS] = "UPDATE reset_tokens SET state = 2 WHERE account_id = ? AND state = 0",
  [STMT_INSERT_TOKEN] =
    "INSERT INTO reset_tokens (account_id, token_hash, created_at, expires_at)"
    " VALUES (?, ?, ?, ?)",
  [STMT_COUNT_TOKENS] = "SELECT count (*) FROM reset_tokens WHERE account_id = ? AND created_at > ?",
  [STMT_TOKEN_VALID] =
    "SELECT count (*) FROM reset_tokens WHERE token_hash = ?"
    " AND account_id = ? AND state = 0 AND expires_at > ?",
  [STMT_PASSWORD_HISTORY] =
    "SELECT hash FROM password_history WHERE account_id = ? ORDER BY id DESC LIMIT ?",
  [STMT_SPEND_TOKEN] = "UPDATE reset_tokens SET state = 1 WHERE token_hash = ?",
  [STMT_SET_PASSWORD] =
    "UPDATE accounts SET password_hash = ?, password_set_at = ?,"
    " password_expires_at = ? WHERE id = ?",
  [STMT_ADD_HISTORY] = "INSERT INTO password_history (account_id, hash, set_at) VALUES (?, ?, ?)",
  [STMT_TRIM_HISTORY] =
    "DELETE FROM password_history WHERE account_id = ?1 AND id NOT IN"
    " (SELECT id FROM password_history WHERE account_id = ?1 ORDER BY id DESC LIMIT ?2)",
  [STMT_CLOSE_SESSIONS] = "DELETE FROM sessions WHERE account_id = ?",
  [STMT_INSERT_SESSION] =
    "INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
  [STMT_SWEEP_SESSIONS] = "DELETE FROM sessions WHERE expires_at <= ?",
  /* Without the last e-mail, which only the helpdesk's views show; column
   * 20 is the session's end, for the cache. */
  [STMT_SESSION_ACCOUNT] =
    "SELECT " ACCOUNT_OWN_COLUMNS ", NULL, NULL, NULL, s.expires_at"
    " FROM sessions s JOIN accounts a ON a.id = s.account_id"
    " WHERE s.token_hash = ? AND s.expires_at > ?",
  [STMT_SWEEP_SIGNIN_FAILURES] = "DELETE FROM signin_failures WHERE at < ?",
  [STMT_ADD_SIGNIN_FAILURE] = "INSERT INTO signin_failures (login, at) VALUES (?, ?)",
  [STMT_COUNT_SIGNIN_FAILURES] =
    "SELECT count (*), coalesce (min (at), 0) FROM signin_failures WHERE login = ? AND at > ?",
  [STMT_CLEAR_SIGNIN_FAILURES] = "DELETE FROM signin_failures WHERE login = ?",
  [STMT_OUTBOX_NEXT] =
    "SELECT id, kind, sender, recipient, message, attempts, created_at, next_attempt_at"
    " FROM outbox WHERE status = 0 ORDER BY next_attempt_at, id LIMIT 1",
  /* The body goes: a reset message holds a token, which must not outlive
   * its delivery in clear. */
  [STMT_OUTBOX_SENT] =
    "UPDATE outbox SET status = 1, sent_at = ?, message = NULL, last_error = NULL WHERE id = ?",
  [STMT_OUTBOX_RETRY] =
    "UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = ?,"
    " last_error = ?, message = CASE WHEN ? THEN NULL ELSE message END WHERE id = ?",
};

/* A cached statement while in use; released (reset, bindings cleared, so
 * that no token hash or secret lingers in it) at the end of the scope of a
 * g_autoptr(Stmt). Releasing also ends the read transaction of a SELECT
 * that was not stepped to its end, which would otherwise keep COMMIT from
 * succeeding and the WAL from being checkpointed. */
typedef sqlite3_stmt Stmt;

static void
stmt_release (Stmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Stmt, stmt_release)

/* The statement @id, prepared on first use; NULL on error. */
static Stmt *
get_stmt (VstSqliteStore  *self,
          StmtId           id,
          GError         **error)
{
  if (self->stmts[id] == NULL &&
      sqlite3_prepare_v3 (self->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                          &self->stmts[id], NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error);
      self->stmts[id] = NULL;
      return NULL;
    }
  return self->stmts[id];
}

/* Runs the cached statement @id, which takes no parameter and returns no
 * row (BEGIN, COMMIT, ROLLBACK). */
static gboolean
run_simple (VstSqliteStore  *self,
            StmtId           id,
            GError         **error)
{
  g_autoptr(Stmt) stmt = get_stmt (self, id, error);

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_sqlite_error (self, error);
  return TRUE;
}

/* Runs a statement that returns no rows. */
static gboolean
step_done (VstSqliteStore  *self,
           sqlite3_stmt    *stmt,
           GError         **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_CONSTRAINT)
    {
      g_set_error (error, VST_STORE_ERROR, VST_STORE_ERROR_EXISTS,
                   "database: %s", sqlite3_errmsg (self->db));
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, error);
  return TRUE;
}

/* FULL, the level every acknowledged change is written at, survives a
 * power cut; NORMAL, for a wrong code's counters only, survives a crash of
 * the process like any commit in WAL mode. PRAGMA synchronous acts when it
 * is compiled, so it cannot be a cached statement; it is run only when the
 * level changes: once for a series of wrong codes, not twice for each. */
static gboolean
set_synchronous (VstSqliteStore  *self,
                 gboolean         normal,
                 GError         **error)
{
  if (self->synchronous_normal == normal)
    return TRUE;
  if (!exec (self, normal ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL", error))
    return FALSE;
  self->synchronous_normal = normal;
  return TRUE;
}

/* Every write goes through begin() (or save_totp()), so that it runs at
 * the level it needs whatever ran before it. */
static gboolean
begin (VstSqliteStore  *self,
       GError         **error)
{
  return set_synchronous (self, FALSE, error) && run_simple (self, STMT_BEGIN, error);
}

static gboolean
rollback (VstSqliteStore *self)
{
  run_simple (self, STMT_ROLLBACK, NULL);
  return FALSE;
}

static gboolean
commit (VstSqliteStore  *self,
        GError         **error)
{
  if (!run_simple (self, STMT_COMMIT, error))
    return rollback (self);
  return TRUE;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           i,
           const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, i);
  else
    sqlite3_bind_text (stmt, i, text, -1, SQLITE_TRANSIENT);
}

static char *
column_text (sqlite3_stmt *stmt,
             int           i)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, i));
}

static gboolean
migrate (VstSqliteStore  *self,
         GError         **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "PRAGMA user_version", error);
  int version;

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return set_sqlite_error (self, error);
  version = sqlite3_column_int (stmt, 0);
  /* A statement in progress would keep COMMIT from succeeding. */
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (version > (int) G_N_ELEMENTS (migrations))
    {
      g_set_error (error, VST_STORE_ERROR, VST_STORE_ERROR_FAILED,
                   "the database has schema version %d, newer than this server knows (%u)",
                   version, (guint) G_N_ELEMENTS (migrations));
      return FALSE;
    }

  for (int v = version; v < (int) G_N_ELEMENTS (migrations); v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", v + 1);

      if (!begin (self, error))
        return FALSE;
      if (!exec (self, migrations[v], error) || !exec (self, bump, error))
        return rollback (self);
      if (!commit (self, error))
        return FALSE;
      g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_INFO,
                        "VST_EVENT", "db-migrate",
                        "MESSAGE", "Database schema migrated to version %d", v + 1);
    }
  return TRUE;
}

static void
vst_sqlite_store_finalize (GObject *object)
{
  VstSqliteStore *self = VST_SQLITE_STORE (object);

  if (self->checkpointer != NULL)
    {
      g_mutex_lock (&self->checkpoint_lock);
      self->checkpoint_quit = TRUE;
      g_cond_signal (&self->checkpoint_cond);
      g_mutex_unlock (&self->checkpoint_lock);
      g_clear_pointer (&self->checkpointer, g_thread_join);
    }
  g_clear_pointer (&self->checkpoint_db, sqlite3_close);
  g_clear_pointer (&self->cache, vst_account_cache_free);
  g_mutex_clear (&self->checkpoint_lock);
  g_cond_clear (&self->checkpoint_cond);

  /* The last connection to close checkpoints the WAL and deletes it: at
   * FULL, whatever record_code_failure left. */
  if (self->db != NULL)
    set_synchronous (self, FALSE, NULL);
  /* sqlite3_close() refuses to close while a statement is not finalized. */
  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close);
  g_rec_mutex_clear (&self->lock);

  G_OBJECT_CLASS (vst_sqlite_store_parent_class)->finalize (object);
}

static void
vst_sqlite_store_class_init (VstSqliteStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vst_sqlite_store_finalize;

  /* SQLite's memory statistics, which nothing reads, cost a global mutex
   * around every allocation (Debian's build has no lookaside, so a query
   * makes dozens). Only possible before SQLite initializes, which the first
   * sqlite3_open_v2() does; later it fails harmlessly. */
  sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
}

static void
vst_sqlite_store_init (VstSqliteStore *self)
{
  g_rec_mutex_init (&self->lock);
  self->cache = vst_account_cache_new (CACHE_SESSIONS);
  g_mutex_init (&self->checkpoint_lock);
  g_cond_init (&self->checkpoint_cond);
  self->checkpoint_next = CHECKPOINT_FRAMES;
}

static gpointer
checkpointer_run (gpointer data)
{
  VstSqliteStore *self = data;

  g_mutex_lock (&self->checkpoint_lock);
  for (;;)
    {
      int rc;

      while (!self->checkpoint_wanted && !self->checkpoint_quit)
        g_cond_wait (&self->checkpoint_cond, &self->checkpoint_lock);
      if (self->checkpoint_quit)
        break;
      self->checkpoint_wanted = FALSE;
      g_mutex_unlock (&self->checkpoint_lock);

      /* PASSIVE: copies what no reader still needs, never waits for the
       * main connection nor blocks its reads and writes. Failures (a full
       * disk, a reader of another process holding an old snapshot) leave
       * the WAL as it was, to be tried again, as SQLite's own would. */
      rc = sqlite3_wal_checkpoint_v2 (self->checkpoint_db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
      if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        g_debug ("WAL checkpoint: %s", sqlite3_errmsg (self->checkpoint_db));
      /* For the main connection's next commit to finish. */
      g_atomic_int_set (&self->checkpoint_done, TRUE);

      g_mutex_lock (&self->checkpoint_lock);
    }
  g_mutex_unlock (&self->checkpoint_lock);
  return NULL;
}

/* After each commit of the main connection, in place of SQLite's
 * auto-checkpoint, which this hook replaces. That one copies the WAL's
 * pages into the database inside the COMMIT that crosses 1000 frames, with
 * an fsync of each file: a pause of the main loop of several milliseconds
 * (25 ms measured for the WAL's fsync alone) every thousand wrong codes,
 * the p99 of the activation benchmark. Here, the checkpointer thread (a
 * connection of its own) copies the pages and syncs the files beside the
 * main loop. But the WAL only starts over once a checkpoint has caught up
 * with the last commit, which one running beside a steady stream of
 * commits never does: so once the WAL is long enough and a pass is over,
 * the main connection checkpoints too, between two commits. What is left
 * for it is what was committed during the pass, a few frames: no copy to
 * speak of, but still the fsyncs of a checkpoint and of the WAL's new
 * start, a few milliseconds on a slow disk.
 *
 * Runs inside COMMIT, under the caller's serialization of the store. */
static int
wal_hook_cb (void       *data,
             sqlite3    *db,
             const char *name,
             int         n_frames)
{
  VstSqliteStore *self = data;

  if (n_frames < CHECKPOINT_FRAMES)
    {
      /* The WAL started over. A pass that caught up by itself, so that
       * the WAL could start over without the main connection, leaves a
       * "done" that is stale. */
      self->checkpoint_next = CHECKPOINT_FRAMES;
      self->checkpoint_last = 0;
      g_atomic_int_set (&self->checkpoint_done, FALSE);
      return SQLITE_OK;
    }
  /* Once past RESTART_FRAMES, one more pass, and once it is over the rest
   * here; past twice that, here at every commit. */
  if (n_frames >= 2 * RESTART_FRAMES ||
      (self->checkpoint_last >= RESTART_FRAMES &&
       g_atomic_int_compare_and_exchange (&self->checkpoint_done, TRUE, FALSE)))
    {
      /* Failures (SQLITE_BUSY, a full disk, a reader that keeps the WAL
       * from starting over) leave the WAL as it was: the thread is asked
       * again at the next commit. */
      sqlite3_wal_checkpoint_v2 (db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
      self->checkpoint_next = 0;
    }
  else if (n_frames >= self->checkpoint_next ||
           (n_frames >= RESTART_FRAMES && self->checkpoint_last < RESTART_FRAMES))
    {
      self->checkpoint_next = n_frames + CHECKPOINT_FRAMES;
      self->checkpoint_last = n_frames;
      g_atomic_int_set (&self->checkpoint_done, FALSE);
      g_mutex_lock (&self->checkpoint_lock);
      self->checkpoint_wanted = TRUE;
      g_cond_signal (&self->checkpoint_cond);
      g_mutex_unlock (&self->checkpoint_lock);
    }
  return SQLITE_OK;
}

/* Opens the checkpointer's connection and starts its thread; on failure
 * SQLite's auto-checkpoint stays in place, as before. */
static void
start_checkpointer (VstSqliteStore *self,
                    const char     *path)
{
  g_autoptr(GError) error = NULL;

  if (sqlite3_open_v2 (path, &self->checkpoint_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX,
                       NULL) != SQLITE_OK ||
      /* FULL, as the main connection: the WAL is synced before its pages
       * are copied and the database after. */
      sqlite3_exec (self->checkpoint_db, "PRAGMA synchronous = FULL", NULL, NULL, NULL) != SQLITE_OK)
    {
      g_debug ("No checkpoint thread: %s", sqlite3_errmsg (self->checkpoint_db));
      g_clear_pointer (&self->checkpoint_db, sqlite3_close);
      return;
    }
  /* Never its own checkpoint at close: the main connection's does it. */
  sqlite3_wal_autocheckpoint (self->checkpoint_db, 0);
  self->checkpointer = g_thread_try_new ("vst-checkpoint", checkpointer_run, self, &error);
  if (self->checkpointer == NULL)
    {
      g_debug ("No checkpoint thread: %s", error->message);
      g_clear_pointer (&self->checkpoint_db, sqlite3_close);
      return;
    }
  sqlite3_wal_hook (self->db, wal_hook_cb, self);
}

VstStore *
vst_sqlite_store_new (const char  *path,
                      GError     **error)
{
  g_autoptr(VstSqliteStore) self = g_object_new (VST_TYPE_SQLITE_STORE, NULL);
  g_autoptr(sqlite3_stmt) mode = NULL;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  /* Create the file ourselves so that it is 0600 whatever the umask; SQLite
   * gives its -wal and -shm files the same mode as the database. */
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "%s: %s", path, g_strerror (saved));
      return NULL;
    }
  if (fchmod (fd, 0600) != 0)
    {
      int saved = errno;

      close (fd);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "%s: %s", path, g_strerror (saved));
      return NULL;
    }
  close (fd);

  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error);
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  sqlite3_busy_timeout (self->db, 5000);
  sqlite3_extended_result_codes (self->db, 0);

  mode = prepare (self, "PRAGMA journal_mode = WAL", error);
  if (mode == NULL)
    return NULL;
  if (sqlite3_step (mode) != SQLITE_ROW ||
      g_ascii_strcasecmp ((const char *) sqlite3_column_text (mode, 0), "wal") != 0)
    {
      g_set_error (error, VST_STORE_ERROR, VST_STORE_ERROR_FAILED,
                   "%s: the database cannot use write-ahead logging", path);
      return NULL;
    }
  g_clear_pointer (&mode, sqlite3_finalize);
  /* FULL: a password change that was answered 200 survives a power cut. */
  if (!exec (self, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON", error) ||
      !migrate (self, error))
    return NULL;
  start_checkpointer (self, path);

  return VST_STORE (g_steal_pointer (&self));
}

/* Inserts @mail into the outbox, inside the caller's transaction. */
static gboolean
insert_mail (VstSqliteStore  *self,
             gint64           account_id,
             const VstMail   *mail,
             gint64           now,
             GError         **error)
{
  g_autoptr(Stmt) stmt = NULL;
  gsize size;
  const void *data;

  if (mail == NULL)
    return TRUE;

  stmt = get_stmt (self, STMT_INSERT_MAIL, error);
  if (stmt == NULL)
    return FALSE;
  data = g_bytes_get_data (mail->message, &size);
  if (account_id > 0)
    sqlite3_bind_int64 (stmt, 1, account_id);
  else
    sqlite3_bind_null (stmt, 1);
  bind_text (stmt, 2, mail->kind);
  bind_text (stmt, 3, mail->sender);
  bind_text (stmt, 4, mail->recipient);
  sqlite3_bind_blob64 (stmt, 5, data, size, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, now);
  sqlite3_bind_int64 (stmt, 7, now);
  return step_done (self, stmt, error);
}

static VstAccount *
read_account (sqlite3_stmt *stmt)
{
  VstAccount *account = vst_account_new ();
  static const char * const statuses[] = { "pending", "sent", "failed" };
  int status;

  account->id = sqlite3_column_int64 (stmt, 0);
  account->login = column_text (stmt, 1);
  account->email = column_text (stmt, 2);
  account->display_name = column_text (stmt, 3);
  account->language = column_text (stmt, 4);
  account->space_name = column_text (stmt, 5);
  account->space_url = column_text (stmt, 6);
  account->created_at = sqlite3_column_int64 (stmt, 7);
  account->password_hash = column_text (stmt, 8);
  account->password_set_at = sqlite3_column_int64 (stmt, 9);
  account->password_expires_at = sqlite3_column_int64 (stmt, 10);
  account->totp_state = CLAMP (sqlite3_column_int (stmt, 11), 0, 2);
  account->totp_secret = column_text (stmt, 12);
  account->totp_last_step = sqlite3_column_int64 (stmt, 13);
  account->totp_failures = sqlite3_column_int (stmt, 14);
  account->totp_locked_until = sqlite3_column_int64 (stmt, 15);
  account->totp_lock_count = sqlite3_column_int (stmt, 16);
  if (sqlite3_column_type (stmt, 17) != SQLITE_NULL)
    {
      account->last_email_kind = column_text (stmt, 17);
      status = CLAMP (sqlite3_column_int (stmt, 18), 0, 2);
      account->last_email_status = g_strdup (statuses[status]);
      account->last_email_at = sqlite3_column_int64 (stmt, 19);
    }
  return account;
}

static gboolean
sqlite_create_account (VstStore       *store,
                       VstAccount     *account,
                       const VstMail  *mail,
                       GError        **error)
{
  VstSqliteStore *self = VST_SQLITE_STORE (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);
  g_autoptr(Stmt) stmt = NULL;

  if (!begin (self, error))
    return FALSE;
  stmt = get_stmt (self, STMT_CREATE_ACCOUNT, error);
  if (stmt == NULL)
    return rollback (self);
  bind_text (stmt, 1, account->login);
  bind_text (stmt, 2, account->email);
  bind_text (stmt, 3, account->display_name);
  bind_text (stmt, 4, account->language);
  bind_text (stmt, 5, account->space_name);
  bind_text (stmt, 6, account->space_url);
  sqlite3_bind_int64 (stmt, 7, account->created_at);
  if (!step_done (self, stmt, error))
    return rollback (self);
  account->id = sqlite3_last_insert_rowid (self->db);
  if (!insert_mail (self, account->id, mail, account->created_at, error))
    return rollback (self);
  return commit (self, error);
}

static VstAccount *
sqlite_get_account (VstStore    *store,
                    const char  *login,
                    GError     **error)
{
  VstSqliteStore *self = VST_SQLITE_STORE (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);
  g_autoptr(Stmt) stmt = get_stmt (self, STMT_GET_ACCOUNT, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, login);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return read_account (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, VST_STORE_ERROR, VST_STORE_ERROR_NOT_FOUND, "no account “%s”", login);
  else
    set_sqlite_error (self, error);
  return NULL;
}

static GPtrArray *
sqlite_list_accounts (VstStore  *store,
                      GError   **error)
{
  VstSqliteStore *self = VST_SQLITE_STORE (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);
  g_autoptr(Stmt) stmt = get_stmt (self, STMT_LIST_ACCOUNTS, error);
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) vst_account_free);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (accounts, read_account (stmt));
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error);
      return NULL;
    }
  return g_steal_pointer (&accounts);
}

/* The account's TOTP members, in one UPDATE: a transaction of its own
 * without BEGIN and COMMIT, which would cost a wrong code as much again. A
 * wrong code's counters (@code_failure) at synchronous = NORMAL, see
 * sqlite_record_code_failure(). */
static gboolean
save_totp (VstSqliteStore    *self,
           const VstAccount  *account,
           gboolean           code_failure,
           GError           **error)
{
  g_autoptr(Stmt) stmt = NULL;

  if (!set_synchronous (self, code_failure, error) ||
      (stmt = get_stmt (self, STMT_UPDATE_ACCOUNT, error)) == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, account->totp_state);
  bind_text (stmt, 2, account->totp_secret);
  sqlite3_bind_int64 (stmt, 3, account->totp_last_step);
  sqlite3_bind_int (stmt, 4, account->totp_failures);
  sqlite3_bind_int64 (stmt, 5, account->totp_locked_until);
  sqlite3_bind_int (stmt, 6, account->totp_lock_count);
  sqlite3_bind_int64 (stmt, 7, account->id);
  if (!step_done (self, stmt, error))
    {
      /* Whether a failed write left anything, the database says. */
      vst_account_cache_forget (self->cache, account->id);
      return FALSE;
    }
  if (sqlite3_changes (self->db) != 1)
    {
      g_set_error (error, VST_STORE_ERROR, VST_STORE_ERROR_NOT_FOUND, "no account “%s”", account->login);
      return FALSE;
    }
  vst_account_cache_update_totp (self->cache, account);
  return TRUE;
}

static gboolean
sqlite_update_account (VstStore          *store,
                       const VstAccount  *account,
                       GError           **error)
{
  VstSqliteStore *self = VST_SQLITE_STORE (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);

  return save_totp (self, account, FALSE, error);
}

/* A wrong code's counters, at synchronous = NORMAL: in WAL mode that
 * survives a crash of the process (kill -9) like any commit, but a power
 * cut may lose the last few of them, until the next FULL commit or
 * checkpoint syncs the log. At worst a few more guesses after a power cut;
 * in exchange, no fsync per wrong code. The connection stays at NORMAL
 * until the next other write, whose begin() puts FULL back first. */
static gboolean
sqlite_record_code_failure (VstStore          *store,
                            const VstAccount  *account,
                            GError           **error)
{
  VstSqliteStore *self = VST_SQLITE_STORE (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);

  return save_totp (self, account, TRUE, error);
}

static gboolean
sqlite_enqueue_mail (VstStore       *store,
                     gint64          account_id,
                     const VstMail  *mail,
                     GError        **error)
{
  VstSqliteStore *self = VST_SQLITE_STORE (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);

  if (!begin (self, error))
    return FALSE;
  if (!insert_mail (self, account_id, mail, mail->created_at, error))
    return rollback (self);
  return commit (self, error);
}

/* Runs the cached statement @id, which returns no row, with its
 * parameters bound to the gint64 arguments that follow @error. */
static gboolean
run_bound (VstSqliteStore  *self,
           StmtId           id,
           GError         **error,
           ...)
{
  g_autoptr(Stmt) stmt = get_stmt (self, id, error);
  va_list args;
  int n;

  if (stmt == NULL)
    return FALSE;
  n = sqlite3_bind_parameter_count (stmt);
  va_start (args, error);
  for (int i = 1; i <= n; i++)
    sqlite3_bind_int64 (stmt, i, va_arg (args, gint64));
  va_end (args);
  return step_done (self, stmt, error);
}

static gboolean
sqlite_add_reset_token (VstStore       *store,
                        gint64          account_id,
                        const guint8   *token_hash,
                        gint64          created_at,
                        gint64          expires_at,
                        const VstMail  *mail,
                        GError        **error)
{
  VstSqliteStore *self = VST_SQLITE_STORE (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);
  g_autoptr(Stmt) insert = NULL;

  if (!begin (self, error))
    return FALSE;
  if (!run_bound (self, STMT_SUPERSEDE_TOKENS, error, account_id))
    return rollback (self);
  insert = get_stmt (self, STMT_INSERT_TOKEN, error);
  if (insert == NULL)
    return rollback (self);
  sqlite3_bind_int64 (insert, 1, account_id);
  sqlite3_bind_blob (insert, 2, token_hash, VST_STORE_HASH_LEN, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (insert, 3, created_at);
  sqlite3_bind_int64 (insert, 4, expires_at);
  if (!step_done (self, insert, error) ||
      !insert_mail (self, account_id, mail, created_at, error))
    return rollback (self);
  return commit (self, error);
}

static gboolean
sqlite_count_reset_tokens (VstStore  *store,
                           gint64     account_id,
                           gint64     since,
                           guint     *out_count,
                           GError   **error)
{
  VstSqliteStore *self = VST_SQLITE_STORE (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);
  g_autoptr(Stmt) stmt = get_stmt (self, STMT_COUNT_TOKENS, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_int64 (stmt, 2, since);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return set_sqlite_error (self, error);
  *out_count = sqlite3_column_int (stmt, 0);
  return TRUE;
}

/* Inside or outside a transaction. The hash is looked up through the
 * UNIQUE index: an attacker who can time the lookup learns about the hash
 * of their guess, not about the token. */
static gboolean
token_is_valid (VstSqliteStore  *self,
                gint64           account_id,
                const guint8    *token_hash,
                gint64           now,
                gboolean        *out_valid,
                GError         **error)
{
  g_autoptr(Stmt) stmt = get_stmt (self, STMT_TOKEN_VALID, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_blob (stmt, 1, token_hash, VST_STORE_HASH_LEN, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, account_id);
  sqlite3_bind_int64 (stmt, 3, now);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return set_sqlite_error (self, error);
  *out_valid = sqlite3_column_int (stmt, 0) == 1;
  return TRUE;
}

static gboolean
sqlite_check_reset_token (VstStore      *store,
                          gint64         account_id,
                          const guint8  *token_hash,
                          gint64         now,
                          GError       **error)
{
  VstSqliteStore *self = VST_SQLITE_STORE (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);
  gboolean valid;

  if (!token_is_valid (self, account_id, token_hash, now, &valid, error))
    return FALSE;
  if (!valid)
    {
      g_set_error_literal (error, VST_STORE_ERROR, VST_STORE_ERROR_INVALID_TOKEN, "invalid token");
      return FALSE;
    }
  return TRUE;
}

static GStrv
sqlite_get_password_history (VstStore  *store,
                             gint64     account_id,
                             guint      n,
                             GError   **error)
{
  VstSqliteStore *self = VST_SQLITE_STORE (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);
  g_autoptr(Stmt) stmt = get_stmt (self, STMT_PASSWORD_HISTORY, error);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_int (stmt, 2, n);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (builder, (const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error);
      return NULL;
    }
  return g_strv_builder_end (builder);
}

static gboolean
insert_session (VstSqliteStore  *self,
                gint64           account_id,
                const guint8    *session_hash,
                gint64           created_at,
                gint64           expires_at,
                GError         **error)
{
  g_autoptr(Stmt) stmt = get_stmt (self, STMT_INSERT_SESSION, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_blob (stmt, 1, session_hash, VST_STORE_HASH_LEN, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, account_id);
  sqlite3_bind_int64 (stmt, 3, created_at);
  sqlite3_bind_int64 (stmt, 4, expires_at);
  return step_done (self, stmt, error);
}

/* The other statements of set_password, inside its transaction. */
static gboolean
write_password (VstSqliteStore  *self,
                gint64           account_id,
                const guint8    *token_hash,
                gint64           now,
                const char      *password_hash,
                gint64           expires_at,
                GError         **error)
{
  g_autoptr(Stmt) set = NULL;
  g_autoptr(Stmt) history = NULL;

  if (token_hash != NULL)
    {
      g_autoptr(Stmt) spend = NULL;
      gboolean valid;

      if (!token_is_valid (self, account_id, token_hash, now, &valid, error))
        return FALSE;
      if (!valid)
        {
          g_set_error_literal (error, VST_STORE_ERROR, VST_STORE_ERROR_INVALID_TOKEN, "invalid token");
          return FALSE;
        }
      spend = get_stmt (self, STMT_SPEND_TOKEN, error);
      if (spend == NULL)
        return FALSE;
      sqlite3_bind_blob (spend, 1, token_hash, VST_STORE_HASH_LEN, SQLITE_TRANSIENT);
      if (!step_done (self, spend, error))
        return FALSE;
    }

  set = get_stmt (self, STMT_SET_PASSWORD, error);
  if (set == NULL)
    return FALSE;
  bind_text (set, 1, password_hash);
  sqlite3_bind_int64 (set, 2, now);
  sqlite3_bind_int64 (set, 3, expires_at);
  sqlite3_bind_int64 (set, 4, account_id);
  if (!step_done (self, set, error))
    return FALSE;

  history = get_stmt (self, STMT_ADD_HISTORY, error);
  if (history == NULL)
    return FALSE;
  sqlite3_bind_int64 (history, 1, account_id);
  bind_text (history, 2, password_hash);
  sqlite3_bind_int64 (history, 3, now);
  return step_done (self, history, error);
}

static gboolean
sqlite_set_password (VstStore       *store,
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
  VstSqliteStore *self = VST_SQLITE_STORE (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);

  /* The password and the account's sessions change: whatever the outcome,
   * the database says next time. */
  vst_account_cache_forget (self->cache, account_id);
  if (!begin (self, error))
    return FALSE;

  if (!write_password (self, account_id, token_hash, now, password_hash, expires_at, error) ||
      !run_bound (self, STMT_TRIM_HISTORY, error, account_id, (gint64) keep_history) ||
      /* A new password closes every other session. */
      !run_bound (self, STMT_CLOSE_SESSIONS, error, account_id) ||
      !insert_session (self, account_id, session_hash, now, session_expires_at, error) ||
      !insert_mail (self, account_id, mail, now, error))
    return rollback (self);

  return commit (self, error);
}

static gboolean
sqlite_add_session (VstStore      *store,
                    gint64         account_id,
                    const guint8  *session_hash,
                    gint64         created_at,
                    gint64         expires_at,
                    GError       **error)
{
  VstSqliteStore *self = VST_SQLITE_STORE (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);

  if (!begin (self, error))
    return FALSE;
  /* Expired sessions are swept here, where new ones appear. */
  if (!run_bound (self, STMT_SWEEP_SESSIONS, error, created_at) ||
      !insert_session (self, account_id, session_hash, created_at, expires_at, error))
    return rollback (self);
  return commit (self, error);
}

static VstAccount *
sqlite_get_session_account (VstStore      *store,
                            const guint8  *session_hash,
                            gint64         now,
                            GError       **error)
{
  VstSqliteStore *self = VST_SQLITE_STORE (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);
  g_autoptr(Stmt) stmt = NULL;
  VstAccount *account = vst_account_cache_lookup (self->cache, session_hash, now);
  int rc;

  if (account != NULL)
    return account;
  stmt = get_stmt (self, STMT_SESSION_ACCOUNT, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_blob (stmt, 1, session_hash, VST_STORE_HASH_LEN, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, now);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      account = read_account (stmt);
      vst_account_cache_insert (self->cache, session_hash, sqlite3_column_int64 (stmt, 20), account);
      return account;
    }
  if (rc == SQLITE_DONE)
    g_set_error_literal (error, VST_STORE_ERROR, VST_STORE_ERROR_NOT_FOUND, "no such session");
  else
    set_sqlite_error (self, error);
  return NULL;
}

static gboolean
sqlite_record_signin_failure (VstStore    *store,
                              const char  *login,
                              gint64       at,
                              GError     **error)
{
  VstSqliteStore *self = VST_SQLITE_STORE (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);
  g_autoptr(Stmt) stmt = NULL;

  if (!begin (self, error))
    return FALSE;
  /* Failures older than a day count for nothing: sweep them. */
  if (!run_bound (self, STMT_SWEEP_SIGNIN_FAILURES, error, at - 86400))
    return rollback (self);
  stmt = get_stmt (self, STMT_ADD_SIGNIN_FAILURE, error);
  if (stmt == NULL)
    return rollback (self);
  bind_text (stmt, 1, login);
  sqlite3_bind_int64 (stmt, 2, at);
  if (!step_done (self, stmt, error))
    return rollback (self);
  return commit (self, error);
}

static gboolean
sqlite_count_signin_failures (VstStore    *store,
                              const char  *login,
                              gint64       since,
                              guint       *out_count,
                              gint64      *out_oldest,
                              GError     **error)
{
  VstSqliteStore *self = VST_SQLITE_STORE (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);
  g_autoptr(Stmt) stmt = get_stmt (self, STMT_COUNT_SIGNIN_FAILURES, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, login);
  sqlite3_bind_int64 (stmt, 2, since);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return set_sqlite_error (self, error);
  *out_count = sqlite3_column_int (stmt, 0);
  if (out_oldest != NULL)
    *out_oldest = sqlite3_column_int64 (stmt, 1);
  return TRUE;
}

static gboolean
clear_signin_failures (VstSqliteStore  *self,
                       const char      *login,
                       GError         **error)
{
  g_autoptr(Stmt) stmt = get_stmt (self, STMT_CLEAR_SIGNIN_FAILURES, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, login);
  return step_done (self, stmt, error);
}

static gboolean
sqlite_clear_signin_failures (VstStore    *store,
                              const char  *login,
                              GError     **error)
{
  VstSqliteStore *self = VST_SQLITE_STORE (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);

  /* A transaction of its own only so that begin() sets the level. */
  if (!begin (self, error))
    return FALSE;
  if (!clear_signin_failures (self, login, error))
    return rollback (self);
  return commit (self, error);
}

static VstMail *
sqlite_outbox_next (VstStore  *store,
                    gint64     now,
                    gint64    *out_next_due,
                    GError   **error)
{
  VstSqliteStore *self = VST_SQLITE_STORE (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);
  g_autoptr(Stmt) stmt = get_stmt (self, STMT_OUTBOX_NEXT, error);
  VstMail *mail;
  int rc;

  *out_next_due = 0;
  if (stmt == NULL)
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (self, error);
      return NULL;
    }
  if (sqlite3_column_int64 (stmt, 7) > now)
    {
      *out_next_due = sqlite3_column_int64 (stmt, 7);
      return NULL;
    }
  mail = vst_mail_new ((const char *) sqlite3_column_text (stmt, 1),
                       (const char *) sqlite3_column_text (stmt, 2),
                       (const char *) sqlite3_column_text (stmt, 3),
                       NULL);
  mail->id = sqlite3_column_int64 (stmt, 0);
  mail->message = g_bytes_new (sqlite3_column_blob (stmt, 4), sqlite3_column_bytes (stmt, 4));
  mail->attempts = sqlite3_column_int (stmt, 5);
  mail->created_at = sqlite3_column_int64 (stmt, 6);
  return mail;
}

static gboolean
sqlite_outbox_mark_sent (VstStore  *store,
                         gint64     id,
                         gint64     at,
                         GError   **error)
{
  VstSqliteStore *self = VST_SQLITE_STORE (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);

  if (!begin (self, error))
    return FALSE;
  if (!run_bound (self, STMT_OUTBOX_SENT, error, at, id))
    return rollback (self);
  return commit (self, error);
}

static gboolean
outbox_mark_retry (VstSqliteStore  *self,
                   gint64           id,
                   guint            attempts,
                   gint64           next_attempt_at,
                   gboolean         give_up,
                   const char      *last_error,
                   GError         **error)
{
  g_autoptr(Stmt) stmt = get_stmt (self, STMT_OUTBOX_RETRY, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, give_up ? 2 : 0);
  sqlite3_bind_int (stmt, 2, attempts);
  sqlite3_bind_int64 (stmt, 3, next_attempt_at);
  bind_text (stmt, 4, last_error);
  sqlite3_bind_int (stmt, 5, give_up);
  sqlite3_bind_int64 (stmt, 6, id);
  return step_done (self, stmt, error);
}

static gboolean
sqlite_outbox_mark_retry (VstStore    *store,
                          gint64       id,
                          guint        attempts,
                          gint64       next_attempt_at,
                          gboolean     give_up,
                          const char  *last_error,
                          GError     **error)
{
  VstSqliteStore *self = VST_SQLITE_STORE (store);
  g_autoptr(GRecMutexLocker) locker G_GNUC_UNUSED = g_rec_mutex_locker_new (&self->lock);

  if (!begin (self, error))
    return FALSE;
  if (!outbox_mark_retry (self, id, attempts, next_attempt_at, give_up, last_error, error))
    return rollback (self);
  return commit (self, error);
}

static void
vst_sqlite_store_iface_init (VstStoreInterface *iface)
{
  iface->create_account = sqlite_create_account;
  iface->get_account = sqlite_get_account;
  iface->list_accounts = sqlite_list_accounts;
  iface->update_account = sqlite_update_account;
  iface->record_code_failure = sqlite_record_code_failure;
  iface->enqueue_mail = sqlite_enqueue_mail;
  iface->add_reset_token = sqlite_add_reset_token;
  iface->count_reset_tokens = sqlite_count_reset_tokens;
  iface->check_reset_token = sqlite_check_reset_token;
  iface->get_password_history = sqlite_get_password_history;
  iface->set_password = sqlite_set_password;
  iface->add_session = sqlite_add_session;
  iface->get_session_account = sqlite_get_session_account;
  iface->record_signin_failure = sqlite_record_signin_failure;
  iface->count_signin_failures = sqlite_count_signin_failures;
  iface->clear_signin_failures = sqlite_clear_signin_failures;
  iface->outbox_next = sqlite_outbox_next;
  iface->outbox_mark_sent = sqlite_outbox_mark_sent;
  iface->outbox_mark_retry = sqlite_outbox_mark_retry;
}
