/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "vestibule-server"

#include "config.h"

#include <vestibule.h>

#include "vst-account.h"

G_DEFINE_BOXED_TYPE (VstAccount, vst_account, vst_account_copy, vst_account_free)

const char *
vst_totp_state_to_string (VstTotpState state)
{
  switch (state)
    {
    case VST_TOTP_STATE_PENDING:
      return "pending";
    case VST_TOTP_STATE_ACTIVE:
      return "active";
    case VST_TOTP_STATE_NONE:
    default:
      return "none";
    }
}

VstAccount *
vst_account_new (void)
{
  VstAccount *account = g_new0 (VstAccount, 1);

  account->totp_last_step = -1;
  return account;
}

VstAccount *
vst_account_copy (const VstAccount *account)
{
  VstAccount *copy;

  g_return_val_if_fail (account != NULL, NULL);

  copy = g_memdup2 (account, sizeof *account);
  copy->login = g_strdup (account->login);
  copy->email = g_strdup (account->email);
  copy->display_name = g_strdup (account->display_name);
  copy->language = g_strdup (account->language);
  copy->space_name = g_strdup (account->space_name);
  copy->space_url = g_strdup (account->space_url);
  copy->password_hash = g_strdup (account->password_hash);
  copy->totp_secret = g_strdup (account->totp_secret);
  copy->last_email_kind = g_strdup (account->last_email_kind);
  copy->last_email_status = g_strdup (account->last_email_status);
  return copy;
}

void
vst_account_free (VstAccount *account)
{
  if (account == NULL)
    return;
  g_free (account->login);
  g_free (account->email);
  g_free (account->display_name);
  g_free (account->language);
  g_free (account->space_name);
  g_free (account->space_url);
  g_free (account->password_hash);
  vst_secure_free (account->totp_secret);
  g_free (account->last_email_kind);
  g_free (account->last_email_status);
  g_free (account);
}
