/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#if !defined(__VESTIBULE_H_INSIDE__) && !defined(VESTIBULE_COMPILATION)
# error "Only <vestibule.h> can be included directly."
#endif

#include <glib.h>

#include "vst-otp.h"

G_BEGIN_DECLS

/**
 * VstOtpauth:
 * @issuer: the organisation, shown by the app above the code (may be NULL)
 * @account: the account name (the login), never NULL
 * @secret: the key in unpadded upper-case base32
 * @algorithm, @digits, @period: the TOTP parameters
 *
 * A parsed otpauth://totp/ URI (Google's "Key Uri Format"). The secret is
 * wiped by vst_otpauth_free().
 */
typedef struct {
  char            *issuer;
  char            *account;
  char            *secret;
  VstOtpAlgorithm  algorithm;
  guint            digits;
  guint            period;
} VstOtpauth;

/* otpauth://totp/Issuer:account?secret=...&issuer=...; algorithm, digits
 * and period appear only when they differ from SHA1, 6 and 30, because some
 * apps mishandle them. @issuer may be NULL. */
char       *vst_otpauth_build (const char      *issuer,
                               const char      *account,
                               const VstOtpKey *key) G_GNUC_WARN_UNUSED_RESULT;

/* Strict: scheme, type (totp only), label, secret (base32, 80+ bits),
 * issuer (label prefix and parameter must agree), algorithm, digits (6-8),
 * period (1-3600) and percent-encoding are all checked; each fault is a
 * VST_CORE_ERROR_INVALID_URI naming the part. */
VstOtpauth *vst_otpauth_parse (const char  *uri,
                               GError     **error) G_GNUC_WARN_UNUSED_RESULT;
void        vst_otpauth_free  (VstOtpauth  *otpauth);

/* A key from a parsed URI. */
VstOtpKey  *vst_otpauth_to_key (const VstOtpauth  *otpauth,
                                GError           **error) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VstOtpauth, vst_otpauth_free)

G_END_DECLS
