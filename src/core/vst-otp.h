/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#if !defined(__VESTIBULE_H_INSIDE__) && !defined(VESTIBULE_COMPILATION)
# error "Only <vestibule.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  VST_OTP_ALGORITHM_SHA1,
  VST_OTP_ALGORITHM_SHA256,
  VST_OTP_ALGORITHM_SHA512,
} VstOtpAlgorithm;

#define VST_OTP_DEFAULT_ALGORITHM   VST_OTP_ALGORITHM_SHA1
#define VST_OTP_DEFAULT_DIGITS      6
#define VST_OTP_DEFAULT_PERIOD      30
#define VST_OTP_DEFAULT_SECRET_SIZE 20  /* 160 bits, RFC 4226 section 4 */
#define VST_OTP_MIN_DIGITS          6
#define VST_OTP_MAX_DIGITS          8
#define VST_OTP_MIN_SECRET_SIZE     10  /* 80 bits; shorter keys are refused */

/* The window Vestibule accepts a TOTP code in, at enrolment as at sign-in:
 * the current step, one back and one ahead, so a phone a little slow or
 * fast still works. The wizard judges a code with the same window as the
 * server, so that it never sends a code the server would refuse. */
#define VST_TOTP_WINDOW_BACK        1
#define VST_TOTP_WINDOW_AHEAD       1

/* "SHA1", "SHA256", "SHA512", as otpauth:// spells them. */
const char *vst_otp_algorithm_to_string   (VstOtpAlgorithm  algorithm);
/* Case-insensitive; accepts "SHA1", "SHA-1", "sha256"... */
gboolean    vst_otp_algorithm_from_string (const char      *name,
                                           VstOtpAlgorithm *out_algorithm);

/**
 * VstOtpKey:
 *
 * A shared secret with its parameters (algorithm, digits, period), keyed
 * once into an OpenSSL HMAC context that every code computation re-arms.
 * The secret is wiped when the key is freed. A key is not thread-safe: use
 * one per thread.
 */
typedef struct _VstOtpKey VstOtpKey;

VstOtpKey *vst_otp_key_new             (const guint8     *secret,
                                        gsize             secret_len,
                                        VstOtpAlgorithm   algorithm,
                                        guint             digits,
                                        guint             period,
                                        GError          **error) G_GNUC_WARN_UNUSED_RESULT;
VstOtpKey *vst_otp_key_new_from_base32 (const char       *secret_base32,
                                        VstOtpAlgorithm   algorithm,
                                        guint             digits,
                                        guint             period,
                                        GError          **error) G_GNUC_WARN_UNUSED_RESULT;
/* A new random secret from RAND_bytes; @secret_len 0 means 20 bytes. */
VstOtpKey *vst_otp_key_generate        (gsize             secret_len,
                                        VstOtpAlgorithm   algorithm,
                                        guint             digits,
                                        guint             period,
                                        GError          **error) G_GNUC_WARN_UNUSED_RESULT;
void       vst_otp_key_free            (VstOtpKey        *key);

VstOtpAlgorithm vst_otp_key_get_algorithm (const VstOtpKey *key);
guint           vst_otp_key_get_digits    (const VstOtpKey *key);
guint           vst_otp_key_get_period    (const VstOtpKey *key);
/* The secret in unpadded base32; free with vst_secure_free(). */
char           *vst_otp_key_dup_base32    (const VstOtpKey *key) G_GNUC_WARN_UNUSED_RESULT;

/* RFC 4226: the code for @counter, written with leading zeros into
 * @out_code, which holds at least VST_OTP_MAX_DIGITS + 1 bytes. */
void   vst_otp_key_hotp        (VstOtpKey *key,
                                guint64    counter,
                                char      *out_code);
/* RFC 6238: the time step of @unix_time (seconds) for this key's period. */
gint64 vst_otp_key_time_step   (const VstOtpKey *key,
                                gint64           unix_time);
/* RFC 6238: the code at @unix_time. */
void   vst_otp_key_totp        (VstOtpKey *key,
                                gint64     unix_time,
                                char      *out_code);

/**
 * vst_otp_key_verify_totp:
 * @key: the key
 * @code: what the user typed; spaces are ignored
 * @unix_time: the verifier's time, in seconds
 * @window_back: how many steps before the current one are accepted
 * @window_ahead: how many steps after the current one are accepted
 * @last_used_step: the last step already accepted for this key, or -1
 * @out_step: (out) (optional): the step that matched
 * @error: MALFORMED (wrong length or not digits), MISMATCH, or REPLAYED
 *   (the code matches a step <= @last_used_step)
 *
 * Checks a code against every step of the window, in constant time per
 * step, without keying HMAC again. On success the caller stores *out_step
 * as the new @last_used_step; out_step - current step tells the clock drift.
 */
gboolean vst_otp_key_verify_totp (VstOtpKey   *key,
                                  const char  *code,
                                  gint64       unix_time,
                                  guint        window_back,
                                  guint        window_ahead,
                                  gint64       last_used_step,
                                  gint64      *out_step,
                                  GError     **error);

/* The same for HOTP counters in [@counter, @counter + @look_ahead]. */
gboolean vst_otp_key_verify_hotp (VstOtpKey   *key,
                                  const char  *code,
                                  guint64      counter,
                                  guint        look_ahead,
                                  guint64     *out_counter,
                                  GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VstOtpKey, vst_otp_key_free)

G_END_DECLS
