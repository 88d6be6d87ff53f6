/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "vst-account.h"
#include "vst-mail.h"

G_BEGIN_DECLS

#define VST_STORE_ERROR (vst_store_error_quark ())

typedef enum {
  VST_STORE_ERROR_FAILED,
  VST_STORE_ERROR_NOT_FOUND,
  VST_STORE_ERROR_EXISTS,
  VST_STORE_ERROR_INVALID_TOKEN,
  /* The disk is full: nothing was written; try again once there is room. */
  VST_STORE_ERROR_FULL,
  /* Only from a store that checks passwords itself (a directory): */
  VST_STORE_ERROR_BAD_PASSWORD,     /* wrong password */
  VST_STORE_ERROR_LOCKED,           /* the directory locked the account */
  VST_STORE_ERROR_PASSWORD_POLICY,  /* refused; the message is a rule id */
  VST_STORE_ERROR_PASSWORD_REUSED,  /* refused: in the password history */
  VST_STORE_ERROR_CODE_REFUSED,     /* the directory did not accept the code */
  VST_STORE_ERROR_UNAVAILABLE,      /* the directory cannot be reached; try again later */
} VstStoreError;

GQuark vst_store_error_quark (void);

/* Reset tokens and sessions are stored as their SHA-256. */
#define VST_STORE_HASH_LEN 32

#define VST_TYPE_STORE (vst_store_get_type ())

G_DECLARE_INTERFACE (VstStore, vst_store, VST, STORE, GObject)

/**
 * VstStoreInterface:
 *
 * Where accounts, tokens, sessions and the outbox live. The server only
 * talks to this interface, so that a directory (OpenLDAP, say) can take the
 * accounts later. Every method that changes something is atomic: the change
 * and the e-mail it causes (@mail, queued in the outbox) are committed
 * together or not at all. Nothing slow that is not the store's own (the
 * KDF, SMTP) happens inside it.
 *
 * A local store (SQLite) answers at once and is called from the main
 * thread. A store whose methods wait on the network (a directory) says so
 * with is_remote: its methods are then called from worker threads, several
 * at once, never from the main loop.
 */
struct _VstStoreInterface
{
  GTypeInterface parent_iface;

  gboolean     (*create_account)        (VstStore          *self,
                                         VstAccount        *account,
                                         const VstMail     *mail,
                                         GError           **error);
  VstAccount * (*get_account)           (VstStore          *self,
                                         const char        *login,
                                         GError           **error);
  GPtrArray *  (*list_accounts)         (VstStore          *self,
                                         GError           **error);
  gboolean     (*update_account)        (VstStore          *self,
                                         const VstAccount  *account,
                                         GError           **error);
  gboolean     (*enqueue_mail)          (VstStore          *self,
                                         gint64             account_id,
                                         const VstMail     *mail,
                                         GError           **error);

  gboolean     (*add_reset_token)       (VstStore          *self,
                                         gint64             account_id,
                                         const guint8      *token_hash,
                                         gint64             created_at,
                                         gint64             expires_at,
                                         const VstMail     *mail,
                                         GError           **error);
  gboolean     (*count_reset_tokens)    (VstStore          *self,
                                         gint64             account_id,
                                         gint64             since,
                                         guint             *out_count,
                                         GError           **error);
  gboolean     (*check_reset_token)     (VstStore          *self,
                                         gint64             account_id,
                                         const guint8      *token_hash,
                                         gint64             now,
                                         GError           **error);
  GStrv        (*get_password_history)  (VstStore          *self,
                                         gint64             account_id,
                                         guint              n,
                                         GError           **error);
  gboolean     (*set_password)          (VstStore          *self,
                                         gint64             account_id,
                                         const guint8      *token_hash,
                                         gint64             now,
                                         const char        *password_hash,
                                         gint64             expires_at,
                                         guint              keep_history,
                                         const guint8      *session_hash,
                                         gint64             session_expires_at,
                                         const VstMail     *mail,
                                         GError           **error);

  gboolean     (*add_session)           (VstStore          *self,
                                         gint64             account_id,
                                         const guint8      *session_hash,
                                         gint64             created_at,
                                         gint64             expires_at,
                                         GError           **error);
  VstAccount * (*get_session_account)   (VstStore          *self,
                                         const guint8      *session_hash,
                                         gint64             now,
                                         GError           **error);

  gboolean     (*record_signin_failure) (VstStore          *self,
                                         const char        *login,
                                         gint64             at,
                                         GError           **error);
  gboolean     (*count_signin_failures) (VstStore          *self,
                                         const char        *login,
                                         gint64             since,
                                         guint             *out_count,
                                         gint64            *out_oldest,
                                         GError           **error);
  gboolean     (*clear_signin_failures) (VstStore          *self,
                                         const char        *login,
                                         GError           **error);

  VstMail *    (*outbox_next)           (VstStore          *self,
                                         gint64             now,
                                         gint64            *out_next_due,
                                         GError           **error);
  gboolean     (*outbox_mark_sent)      (VstStore          *self,
                                         gint64             id,
                                         gint64             at,
                                         GError           **error);
  gboolean     (*outbox_mark_retry)     (VstStore          *self,
                                         gint64             id,
                                         guint              attempts,
                                         gint64             next_attempt_at,
                                         gboolean           give_up,
                                         const char        *last_error,
                                         GError           **error);

  /* Optional: as update_account, for a wrong code's counters only. A store
   * may make this cheaper (less durable against a power cut, never against
   * a crash of the process); without it, update_account is used. */
  gboolean     (*record_code_failure)   (VstStore          *self,
                                         const VstAccount  *account,
                                         GError           **error);

  /* Optional, all three or none: a store that keeps the passwords itself
   * (a directory, which applies its own policy, history and lock-out)
   * checks and changes them, and proves a new TOTP key with a
   * password-and-code sign-in. These may be slow: they run in a thread. */
  void         (*check_password_async)  (VstStore            *self,
                                         const char          *login,
                                         const char          *password,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
  gboolean     (*check_password_finish) (VstStore          *self,
                                         GAsyncResult      *result,
                                         gint64            *out_locked_until,
                                         GError           **error);
  void         (*change_password_async) (VstStore            *self,
                                         const char          *login,
                                         const char          *password,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
  gboolean     (*change_password_finish) (VstStore          *self,
                                          GAsyncResult      *result,
                                          GError           **error);
  void         (*prove_totp_async)      (VstStore            *self,
                                         const char          *login,
                                         const char          *password,
                                         const char          *code,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
  gboolean     (*prove_totp_finish)     (VstStore          *self,
                                         GAsyncResult      *result,
                                         GError           **error);

  /* Optional: TRUE when the methods may wait on the network. */
  gboolean     (*is_remote)             (VstStore          *self);
};

/* Inserts @account (its id is set) and queues @mail (may be NULL);
 * VST_STORE_ERROR_EXISTS when the login is taken. */
gboolean     vst_store_create_account        (VstStore          *self,
                                              VstAccount        *account,
                                              const VstMail     *mail,
                                              GError           **error);
/* VST_STORE_ERROR_NOT_FOUND when there is no such login. */
VstAccount  *vst_store_get_account           (VstStore          *self,
                                              const char        *login,
                                              GError           **error) G_GNUC_WARN_UNUSED_RESULT;
/* Of VstAccount, sorted by login. */
GPtrArray   *vst_store_list_accounts         (VstStore          *self,
                                              GError           **error) G_GNUC_WARN_UNUSED_RESULT;
/* Writes back the TOTP members (state, secret, last step, failures, lock). */
gboolean     vst_store_update_account        (VstStore          *self,
                                              const VstAccount  *account,
                                              GError           **error);
/* Writes back the TOTP counters after a wrong code (failures, lock). */
gboolean     vst_store_record_code_failure   (VstStore          *self,
                                              const VstAccount  *account,
                                              GError           **error);
gboolean     vst_store_enqueue_mail          (VstStore          *self,
                                              gint64             account_id,
                                              const VstMail     *mail,
                                              GError           **error);

/* Supersedes the account's older tokens, stores the new one and queues
 * the e-mail that carries it. */
gboolean     vst_store_add_reset_token       (VstStore          *self,
                                              gint64             account_id,
                                              const guint8      *token_hash,
                                              gint64             created_at,
                                              gint64             expires_at,
                                              const VstMail     *mail,
                                              GError           **error);
/* How many tokens were issued since @since (whatever became of them). */
gboolean     vst_store_count_reset_tokens    (VstStore          *self,
                                              gint64             account_id,
                                              gint64             since,
                                              guint             *out_count,
                                              GError           **error);
/* VST_STORE_ERROR_INVALID_TOKEN unless the token is the account's current,
 * unused and unexpired one. */
gboolean     vst_store_check_reset_token     (VstStore          *self,
                                              gint64             account_id,
                                              const guint8      *token_hash,
                                              gint64             now,
                                              GError           **error);
/* The account's last @n password hashes, newest first. */
GStrv        vst_store_get_password_history  (VstStore          *self,
                                              gint64             account_id,
                                              guint              n,
                                              GError           **error) G_GNUC_WARN_UNUSED_RESULT;
/* In one transaction: spends the token (checked again, so that two
 * requests cannot both use it), sets the password, keeps the last
 * @keep_history hashes, closes the other sessions, opens a new one and
 * queues @mail (may be NULL). */
gboolean     vst_store_set_password          (VstStore          *self,
                                              gint64             account_id,
                                              const guint8      *token_hash,
                                              gint64             now,
                                              const char        *password_hash,
                                              gint64             expires_at,
                                              guint              keep_history,
                                              const guint8      *session_hash,
                                              gint64             session_expires_at,
                                              const VstMail     *mail,
                                              GError           **error);

gboolean     vst_store_add_session           (VstStore          *self,
                                              gint64             account_id,
                                              const guint8      *session_hash,
                                              gint64             created_at,
                                              gint64             expires_at,
                                              GError           **error);
/* VST_STORE_ERROR_NOT_FOUND for an unknown or expired session. */
VstAccount  *vst_store_get_session_account   (VstStore          *self,
                                              const guint8      *session_hash,
                                              gint64             now,
                                              GError           **error) G_GNUC_WARN_UNUSED_RESULT;

/* Sign-in failures are counted per login as typed (case-folded), known or
 * not, so that throttling does not tell which logins exist. */
gboolean     vst_store_record_signin_failure (VstStore          *self,
                                              const char        *login,
                                              gint64             at,
                                              GError           **error);
gboolean     vst_store_count_signin_failures (VstStore          *self,
                                              const char        *login,
                                              gint64             since,
                                              guint             *out_count,
                                              gint64            *out_oldest,
                                              GError           **error);
gboolean     vst_store_clear_signin_failures (VstStore          *self,
                                              const char        *login,
                                              GError           **error);

/* The oldest pending message due at @now, or NULL (without error) when none
 * is due; *@out_next_due is then the time the next one is due, or 0. */
VstMail     *vst_store_outbox_next           (VstStore          *self,
                                              gint64             now,
                                              gint64            *out_next_due,
                                              GError           **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean     vst_store_outbox_mark_sent      (VstStore          *self,
                                              gint64             id,
                                              gint64             at,
                                              GError           **error);
gboolean     vst_store_outbox_mark_retry     (VstStore          *self,
                                              gint64             id,
                                              guint              attempts,
                                              gint64             next_attempt_at,
                                              gboolean           give_up,
                                              const char        *last_error,
                                              GError           **error);

/* Whether the methods may wait on the network: then call them from a
 * worker thread (they are safe to call from several at once), not from the
 * main loop. A local store answers at once and is called from the main
 * thread. */
gboolean     vst_store_is_remote             (VstStore            *self);
/* Whether the store keeps the passwords itself (see check_password_async):
 * then the API neither hashes nor keeps a history, and activating a TOTP key
 * needs the password. */
gboolean     vst_store_owns_passwords        (VstStore            *self);
/* VST_STORE_ERROR_BAD_PASSWORD, or VST_STORE_ERROR_LOCKED with
 * *@out_locked_until (Unix time, the directory's clock; G_MAXINT64 until an
 * administrator unlocks it). */
void         vst_store_check_password_async  (VstStore            *self,
                                              const char          *login,
                                              const char          *password,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean     vst_store_check_password_finish (VstStore            *self,
                                              GAsyncResult        *result,
                                              gint64              *out_locked_until,
                                              GError             **error);
/* VST_STORE_ERROR_PASSWORD_POLICY (the message is the rule id) or
 * VST_STORE_ERROR_PASSWORD_REUSED when the directory refuses it. */
void         vst_store_change_password_async (VstStore            *self,
                                              const char          *login,
                                              const char          *password,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean     vst_store_change_password_finish (VstStore           *self,
                                               GAsyncResult       *result,
                                               GError            **error);
/* Links the account's pending key and signs in with @password and @code;
 * unlinks it again on failure (VST_STORE_ERROR_BAD_PASSWORD or
 * VST_STORE_ERROR_CODE_REFUSED). */
void         vst_store_prove_totp_async      (VstStore            *self,
                                              const char          *login,
                                              const char          *password,
                                              const char          *code,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean     vst_store_prove_totp_finish     (VstStore            *self,
                                              GAsyncResult        *result,
                                              GError             **error);

G_END_DECLS
