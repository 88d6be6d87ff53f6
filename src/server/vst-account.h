/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  VST_TOTP_STATE_NONE = 0,
  VST_TOTP_STATE_PENDING = 1,
  VST_TOTP_STATE_ACTIVE = 2,
} VstTotpState;

/* "none", "pending", "active", as the API spells them. */
const char *vst_totp_state_to_string (VstTotpState state);

#define VST_TYPE_ACCOUNT (vst_account_get_type ())

/**
 * VstAccount:
 *
 * One row of the store, as a plain boxed record: the store fills it, the
 * API changes the mutable members and hands it back to
 * vst_store_update_account(). @totp_secret is a secret: it is wiped when
 * the record is freed and never logged.
 */
typedef struct {
  gint64 id;
  char *login;
  char *email;
  char *display_name;
  char *language;
  char *space_name;   /* NULL: the organisation's default space */
  char *space_url;
  gint64 created_at;

  char *password_hash;          /* NULL until a password is set */
  gint64 password_set_at;
  gint64 password_expires_at;

  VstTotpState totp_state;
  char *totp_secret;            /* base32; NULL when totp_state is NONE */
  gint64 totp_last_step;        /* -1 until a code is accepted */
  guint totp_failures;
  gint64 totp_locked_until;     /* 0 when not locked */
  guint totp_lock_count;

  /* Read-only, filled by the store from the outbox. */
  char *last_email_kind;        /* NULL when no e-mail was ever queued */
  char *last_email_status;      /* "pending", "sent", "failed" */
  gint64 last_email_at;
} VstAccount;

GType       vst_account_get_type (void) G_GNUC_CONST;
VstAccount *vst_account_new      (void);
VstAccount *vst_account_copy     (const VstAccount *account);
void        vst_account_free     (VstAccount       *account);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VstAccount, vst_account_free)

G_END_DECLS
