/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "vst-store.h"

G_BEGIN_DECLS

#define VST_TYPE_LDAP_STORE (vst_ldap_store_get_type ())

G_DECLARE_FINAL_TYPE (VstLdapStore, vst_ldap_store, VST, LDAP_STORE, GObject)

/**
 * VstLdapStoreSettings:
 * @uri: ldap:// (with @starttls) or ldaps://
 * @bind_dn, @bind_password: the service's identity, which needs write
 *   access (never manage: that would bypass the password policy)
 * @base_dn: where the accounts are, as uid=LOGIN,@base_dn
 * @tokens_dn: where the TOTP token entries are, as cn=LOGIN,@tokens_dn
 * @policy_dn: the pwdPolicy entry (its pwdMaxAge and pwdLockoutDuration)
 * @totp_params_dn: the oathTOTPParams entry that every token points to
 * @lifetime_days: the password's lifetime when the policy has no pwdMaxAge
 */
typedef struct {
  const char *uri;
  gboolean    starttls;
  const char *bind_dn;
  const char *bind_password;
  const char *base_dn;
  const char *tokens_dn;
  const char *policy_dn;
  const char *totp_params_dn;
  guint       lifetime_days;
} VstLdapStoreSettings;

/* Takes @local (a reference), which keeps what a directory cannot: reset
 * tokens, sessions, the outbox, throttling and the TOTP counters. Connects
 * and reads the policy once, so that a wrong setting fails at start. */
VstStore *vst_ldap_store_new (const VstLdapStoreSettings  *settings,
                              VstStore                    *local,
                              GError                     **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
