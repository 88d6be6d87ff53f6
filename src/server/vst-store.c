/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "vestibule-server"

#include "config.h"

#include "vst-store.h"

G_DEFINE_QUARK (vst-store-error-quark, vst_store_error)

G_DEFINE_INTERFACE (VstStore, vst_store, G_TYPE_OBJECT)

static void
vst_store_default_init (VstStoreInterface *iface)
{
}

gboolean
vst_store_create_account (VstStore       *self,
                          VstAccount     *account,
                          const VstMail  *mail,
                          GError        **error)
{
  g_return_val_if_fail (VST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return VST_STORE_GET_IFACE (self)->create_account (self, account, mail, error);
}

VstAccount *
vst_store_get_account (VstStore    *self,
                       const char  *login,
                       GError     **error)
{
  g_return_val_if_fail (VST_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return VST_STORE_GET_IFACE (self)->get_account (self, login, error);
}

GPtrArray *
vst_store_list_accounts (VstStore  *self,
                         GError   **error)
{
  g_return_val_if_fail (VST_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return VST_STORE_GET_IFACE (self)->list_accounts (self, error);
}

gboolean
vst_store_update_account (VstStore          *self,
                          const VstAccount  *account,
                          GError           **error)
{
  g_return_val_if_fail (VST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return VST_STORE_GET_IFACE (self)->update_account (self, account, error);
}

gboolean
vst_store_record_code_failure (VstStore          *self,
                               const VstAccount  *account,
                               GError           **error)
{
  VstStoreInterface *iface;

  g_return_val_if_fail (VST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = VST_STORE_GET_IFACE (self);
  if (iface->record_code_failure == NULL)
    return iface->update_account (self, account, error);
  return iface->record_code_failure (self, account, error);
}

gboolean
vst_store_enqueue_mail (VstStore       *self,
                        gint64          account_id,
                        const VstMail  *mail,
                        GError        **error)
{
  g_return_val_if_fail (VST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return VST_STORE_GET_IFACE (self)->enqueue_mail (self, account_id, mail, error);
}

gboolean
vst_store_add_reset_token (VstStore       *self,
                           gint64          account_id,
                           const guint8   *token_hash,
                           gint64          created_at,
                           gint64          expires_at,
                           const VstMail  *mail,
                           GError        **error)
{
  g_return_val_if_fail (VST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return VST_STORE_GET_IFACE (self)->add_reset_token (self, account_id, token_hash, created_at, expires_at, mail, error);
}

gboolean
vst_store_count_reset_tokens (VstStore  *self,
                              gint64     account_id,
                              gint64     since,
                              guint     *out_count,
                              GError   **error)
{
  g_return_val_if_fail (VST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return VST_STORE_GET_IFACE (self)->count_reset_tokens (self, account_id, since, out_count, error);
}

gboolean
vst_store_check_reset_token (VstStore      *self,
                             gint64         account_id,
                             const guint8  *token_hash,
                             gint64         now,
                             GError       **error)
{
  g_return_val_if_fail (VST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return VST_STORE_GET_IFACE (self)->check_reset_token (self, account_id, token_hash, now, error);
}

GStrv
vst_store_get_password_history (VstStore  *self,
                                gint64     account_id,
                                guint      n,
                                GError   **error)
{
  g_return_val_if_fail (VST_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return VST_STORE_GET_IFACE (self)->get_password_history (self, account_id, n, error);
}

gboolean
vst_store_set_password (VstStore       *self,
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
  g_return_val_if_fail (VST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return VST_STORE_GET_IFACE (self)->set_password (self, account_id, token_hash, now, password_hash, expires_at, keep_history, session_hash, session_expires_at, mail, error);
}

gboolean
vst_store_add_session (VstStore      *self,
                       gint64         account_id,
                       const guint8  *session_hash,
                       gint64         created_at,
                       gint64         expires_at,
                       GError       **error)
{
  g_return_val_if_fail (VST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return VST_STORE_GET_IFACE (self)->add_session (self, account_id, session_hash, created_at, expires_at, error);
}

VstAccount *
vst_store_get_session_account (VstStore      *self,
                               const guint8  *session_hash,
                               gint64         now,
                               GError       **error)
{
  g_return_val_if_fail (VST_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return VST_STORE_GET_IFACE (self)->get_session_account (self, session_hash, now, error);
}

gboolean
vst_store_record_signin_failure (VstStore    *self,
                                 const char  *login,
                                 gint64       at,
                                 GError     **error)
{
  g_return_val_if_fail (VST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return VST_STORE_GET_IFACE (self)->record_signin_failure (self, login, at, error);
}

gboolean
vst_store_count_signin_failures (VstStore    *self,
                                 const char  *login,
                                 gint64       since,
                                 guint       *out_count,
                                 gint64      *out_oldest,
                                 GError     **error)
{
  g_return_val_if_fail (VST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return VST_STORE_GET_IFACE (self)->count_signin_failures (self, login, since, out_count, out_oldest, error);
}

gboolean
vst_store_clear_signin_failures (VstStore    *self,
                                 const char  *login,
                                 GError     **error)
{
  g_return_val_if_fail (VST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return VST_STORE_GET_IFACE (self)->clear_signin_failures (self, login, error);
}

VstMail *
vst_store_outbox_next (VstStore  *self,
                       gint64     now,
                       gint64    *out_next_due,
                       GError   **error)
{
  g_return_val_if_fail (VST_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return VST_STORE_GET_IFACE (self)->outbox_next (self, now, out_next_due, error);
}

gboolean
vst_store_outbox_mark_sent (VstStore  *self,
                            gint64     id,
                            gint64     at,
                            GError   **error)
{
  g_return_val_if_fail (VST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return VST_STORE_GET_IFACE (self)->outbox_mark_sent (self, id, at, error);
}

gboolean
vst_store_outbox_mark_retry (VstStore    *self,
                             gint64       id,
                             guint        attempts,
                             gint64       next_attempt_at,
                             gboolean     give_up,
                             const char  *last_error,
                             GError     **error)
{
  g_return_val_if_fail (VST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return VST_STORE_GET_IFACE (self)->outbox_mark_retry (self, id, attempts, next_attempt_at, give_up, last_error, error);
}

gboolean
vst_store_is_remote (VstStore *self)
{
  VstStoreInterface *iface;

  g_return_val_if_fail (VST_IS_STORE (self), FALSE);

  iface = VST_STORE_GET_IFACE (self);
  return iface->is_remote != NULL && iface->is_remote (self);
}

gboolean
vst_store_owns_passwords (VstStore *self)
{
  g_return_val_if_fail (VST_IS_STORE (self), FALSE);

  return VST_STORE_GET_IFACE (self)->check_password_async != NULL;
}

void
vst_store_check_password_async (VstStore            *self,
                                const char          *login,
                                const char          *password,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (vst_store_owns_passwords (self));

  VST_STORE_GET_IFACE (self)->check_password_async (self, login, password, cancellable,
                                                    callback, user_data);
}

gboolean
vst_store_check_password_finish (VstStore      *self,
                                 GAsyncResult  *result,
                                 gint64        *out_locked_until,
                                 GError       **error)
{
  g_return_val_if_fail (vst_store_owns_passwords (self), FALSE);

  return VST_STORE_GET_IFACE (self)->check_password_finish (self, result, out_locked_until, error);
}

void
vst_store_change_password_async (VstStore            *self,
                                 const char          *login,
                                 const char          *password,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (vst_store_owns_passwords (self));

  VST_STORE_GET_IFACE (self)->change_password_async (self, login, password, cancellable,
                                                     callback, user_data);
}

gboolean
vst_store_change_password_finish (VstStore      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (vst_store_owns_passwords (self), FALSE);

  return VST_STORE_GET_IFACE (self)->change_password_finish (self, result, error);
}

void
vst_store_prove_totp_async (VstStore            *self,
                            const char          *login,
                            const char          *password,
                            const char          *code,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (vst_store_owns_passwords (self));

  VST_STORE_GET_IFACE (self)->prove_totp_async (self, login, password, code, cancellable,
                                                callback, user_data);
}

gboolean
vst_store_prove_totp_finish (VstStore      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (vst_store_owns_passwords (self), FALSE);

  return VST_STORE_GET_IFACE (self)->prove_totp_finish (self, result, error);
}
