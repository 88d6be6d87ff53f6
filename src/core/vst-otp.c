/* vst-otp.c: HOTP (RFC 4226) and TOTP (RFC 6238) codes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <string.h>

#include "vst-base32.h"
#include "vst-error.h"
#include "vst-otp.h"

#define VST_OTP_MAX_PERIOD 3600

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_MAC, EVP_MAC_free)

struct _VstOtpKey {
  guint8          *secret;
  gsize            secret_len;
  VstOtpAlgorithm  algorithm;
  guint            digits;
  guint            period;

  /* Keyed once in vst_otp_key_new(); EVP_MAC_init() with a NULL key re-arms
   * it for the next code, which skips hashing the key into the inner and
   * outer pads again and is several times faster than HMAC() per code. */
  EVP_MAC_CTX     *mac_ctx;
};

/* 10^digits for digits in [VST_OTP_MIN_DIGITS, VST_OTP_MAX_DIGITS]. */
static const guint32 digits_modulus[] = {
  1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
};

const char *
vst_otp_algorithm_to_string (VstOtpAlgorithm algorithm)
{
  switch (algorithm)
    {
    case VST_OTP_ALGORITHM_SHA1:
      return "SHA1";
    case VST_OTP_ALGORITHM_SHA256:
      return "SHA256";
    case VST_OTP_ALGORITHM_SHA512:
      return "SHA512";
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
vst_otp_algorithm_from_string (const char      *name,
                               VstOtpAlgorithm *out_algorithm)
{
  static const struct {
    const char      *name;
    VstOtpAlgorithm  algorithm;
  } names[] = {
    { "SHA1", VST_OTP_ALGORITHM_SHA1 },
    { "SHA-1", VST_OTP_ALGORITHM_SHA1 },
    { "SHA256", VST_OTP_ALGORITHM_SHA256 },
    { "SHA-256", VST_OTP_ALGORITHM_SHA256 },
    { "SHA512", VST_OTP_ALGORITHM_SHA512 },
    { "SHA-512", VST_OTP_ALGORITHM_SHA512 },
  };

  g_return_val_if_fail (name != NULL, FALSE);

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if (g_ascii_strcasecmp (name, names[i].name) == 0)
        {
          if (out_algorithm != NULL)
            *out_algorithm = names[i].algorithm;
          return TRUE;
        }
    }

  return FALSE;
}

static gboolean
check_parameters (gsize             secret_len,
                  VstOtpAlgorithm   algorithm,
                  guint             digits,
                  guint             period,
                  GError          **error)
{
  if (secret_len < VST_OTP_MIN_SECRET_SIZE)
    {
      /* RFC 4226 asks for 128 bits and recommends 160, but many services
       * still issue 80-bit keys, so 80 is where we draw the line. */
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_ARGUMENT,
                   /* Translators: %u is a number of bits, such as 80. */
                   _("The secret key is too short: it must have at least %u bits."),
                   (guint) VST_OTP_MIN_SECRET_SIZE * 8);
      return FALSE;
    }

  if (algorithm != VST_OTP_ALGORITHM_SHA1 &&
      algorithm != VST_OTP_ALGORITHM_SHA256 &&
      algorithm != VST_OTP_ALGORITHM_SHA512)
    {
      g_set_error_literal (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_ARGUMENT,
                           _("The algorithm must be SHA1, SHA256 or SHA512."));
      return FALSE;
    }

  if (digits < VST_OTP_MIN_DIGITS || digits > VST_OTP_MAX_DIGITS)
    {
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_ARGUMENT,
                   /* Translators: the two numbers are 6 and 8. */
                   _("Codes must have between %u and %u digits."),
                   (guint) VST_OTP_MIN_DIGITS, (guint) VST_OTP_MAX_DIGITS);
      return FALSE;
    }

  if (period < 1 || period > VST_OTP_MAX_PERIOD)
    {
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_ARGUMENT,
                   /* Translators: %u is 3600. */
                   _("The code period must be between 1 and %u seconds."),
                   (guint) VST_OTP_MAX_PERIOD);
      return FALSE;
    }

  return TRUE;
}

static void
set_crypto_error (GError     **error,
                  const char  *what)
{
  unsigned long code = ERR_get_error ();
  const char *reason = code != 0 ? ERR_reason_error_string (code) : NULL;

  g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_CRYPTO,
               /* Translators: the first %s is an operation, such as
                * EVP_MAC_init; the second is OpenSSL's (English) reason. */
               _("The cryptography library failed (%s): %s"),
               what, reason != NULL ? reason : _("unknown error"));
  ERR_clear_error ();
}

/* OpenSSL's HMAC, fetched once for the process: EVP_MAC_fetch() looks the
 * algorithm up in the provider store under a lock, every time, and a
 * server makes a key for each code it checks. Returns a new reference (to
 * the cached one), or NULL when the fetch fails (then tried again later). */
static EVP_MAC *
hmac_fetch (void)
{
  static EVP_MAC *hmac;
  EVP_MAC *mac = g_atomic_pointer_get (&hmac);

  if (mac == NULL)
    {
      mac = EVP_MAC_fetch (NULL, OSSL_MAC_NAME_HMAC, NULL);
      if (mac == NULL)
        return NULL;
      /* A thread that lost the race drops its own. */
      if (!g_atomic_pointer_compare_and_exchange (&hmac, NULL, mac))
        {
          EVP_MAC_free (mac);
          mac = g_atomic_pointer_get (&hmac);
        }
    }
  return EVP_MAC_up_ref (mac) ? mac : NULL;
}

VstOtpKey *
vst_otp_key_new (const guint8     *secret,
                 gsize             secret_len,
                 VstOtpAlgorithm   algorithm,
                 guint             digits,
                 guint             period,
                 GError          **error)
{
  g_autoptr (VstOtpKey) key = NULL;
  g_autoptr (EVP_MAC) mac = NULL;
  OSSL_PARAM params[2];

  g_return_val_if_fail (secret != NULL || secret_len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_parameters (secret_len, algorithm, digits, period, error))
    return NULL;

  key = g_new0 (VstOtpKey, 1);
  key->secret = g_memdup2 (secret, secret_len);
  key->secret_len = secret_len;
  key->algorithm = algorithm;
  key->digits = digits;
  key->period = period;

  mac = hmac_fetch ();
  if (mac == NULL)
    {
      set_crypto_error (error, "EVP_MAC_fetch");
      return NULL;
    }

  /* The context holds its own reference to @mac. */
  key->mac_ctx = EVP_MAC_CTX_new (mac);
  if (key->mac_ctx == NULL)
    {
      set_crypto_error (error, "EVP_MAC_CTX_new");
      return NULL;
    }

  params[0] = OSSL_PARAM_construct_utf8_string (OSSL_MAC_PARAM_DIGEST,
                                                (char *) vst_otp_algorithm_to_string (algorithm),
                                                0);
  params[1] = OSSL_PARAM_construct_end ();

  if (!EVP_MAC_init (key->mac_ctx, key->secret, key->secret_len, params))
    {
      set_crypto_error (error, "EVP_MAC_init");
      return NULL;
    }

  return g_steal_pointer (&key);
}

VstOtpKey *
vst_otp_key_new_from_base32 (const char       *secret_base32,
                             VstOtpAlgorithm   algorithm,
                             guint             digits,
                             guint             period,
                             GError          **error)
{
  guint8 *secret;
  gsize secret_len;
  VstOtpKey *key;

  g_return_val_if_fail (secret_base32 != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  secret = vst_base32_decode (secret_base32, &secret_len, error);
  if (secret == NULL)
    return NULL;

  key = vst_otp_key_new (secret, secret_len, algorithm, digits, period, error);
  vst_base32_free (secret, secret_len);

  return key;
}

VstOtpKey *
vst_otp_key_generate (gsize             secret_len,
                      VstOtpAlgorithm   algorithm,
                      guint             digits,
                      guint             period,
                      GError          **error)
{
  guint8 *secret;
  VstOtpKey *key;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (secret_len == 0)
    secret_len = VST_OTP_DEFAULT_SECRET_SIZE;

  /* Checked before drawing randomness so that a bad argument gets the
   * same error as it would from vst_otp_key_new(). */
  if (!check_parameters (secret_len, algorithm, digits, period, error))
    return NULL;

  /* RAND_bytes() takes an int. */
  if (secret_len > G_MAXINT)
    {
      g_set_error_literal (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_ARGUMENT,
                           _("The secret key is too long."));
      return NULL;
    }

  secret = g_malloc (secret_len);
  if (RAND_bytes (secret, (int) secret_len) != 1)
    {
      set_crypto_error (error, "RAND_bytes");
      g_free (secret);
      return NULL;
    }

  key = vst_otp_key_new (secret, secret_len, algorithm, digits, period, error);
  OPENSSL_cleanse (secret, secret_len);
  g_free (secret);

  return key;
}

void
vst_otp_key_free (VstOtpKey *key)
{
  if (key == NULL)
    return;

  /* Freeing the context wipes the key material that OpenSSL derived. */
  EVP_MAC_CTX_free (key->mac_ctx);
  if (key->secret != NULL)
    OPENSSL_cleanse (key->secret, key->secret_len);
  g_free (key->secret);
  g_free (key);
}

VstOtpAlgorithm
vst_otp_key_get_algorithm (const VstOtpKey *key)
{
  g_return_val_if_fail (key != NULL, VST_OTP_DEFAULT_ALGORITHM);
  return key->algorithm;
}

guint
vst_otp_key_get_digits (const VstOtpKey *key)
{
  g_return_val_if_fail (key != NULL, VST_OTP_DEFAULT_DIGITS);
  return key->digits;
}

guint
vst_otp_key_get_period (const VstOtpKey *key)
{
  g_return_val_if_fail (key != NULL, VST_OTP_DEFAULT_PERIOD);
  return key->period;
}

char *
vst_otp_key_dup_base32 (const VstOtpKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  return vst_base32_encode (key->secret, key->secret_len);
}

/* Computes the code for @counter into @out_code (VST_OTP_MAX_DIGITS + 1
 * bytes). On failure @out_code is set to the empty string, which matches
 * no typed code. */
static gboolean
compute_hotp (VstOtpKey  *key,
              guint64     counter,
              char       *out_code,
              GError    **error)
{
  guint8 message[8];
  guint8 digest[EVP_MAX_MD_SIZE];
  gsize digest_len = 0;
  guint offset;
  guint32 binary = 0;
  gboolean ok = FALSE;

  out_code[0] = '\0';

  for (int i = 7; i >= 0; i--)
    {
      message[i] = counter & 0xff;
      counter >>= 8;
    }

  if (!EVP_MAC_init (key->mac_ctx, NULL, 0, NULL))
    {
      set_crypto_error (error, "EVP_MAC_init");
      goto out;
    }
  if (!EVP_MAC_update (key->mac_ctx, message, sizeof message))
    {
      set_crypto_error (error, "EVP_MAC_update");
      goto out;
    }
  if (!EVP_MAC_final (key->mac_ctx, digest, &digest_len, sizeof digest) || digest_len < 20)
    {
      set_crypto_error (error, "EVP_MAC_final");
      goto out;
    }

  /* Dynamic truncation, RFC 4226 §5.3: the low nibble of the last byte picks
   * four bytes, read big-endian without the sign bit. RFC 6238 uses the
   * same rule on the longer SHA-256 and SHA-512 digests. */
  offset = digest[digest_len - 1] & 0x0f;
  binary = ((guint32) (digest[offset] & 0x7f) << 24) |
           ((guint32) digest[offset + 1] << 16) |
           ((guint32) digest[offset + 2] << 8) |
           (guint32) digest[offset + 3];

  /* The code, zero-padded to key->digits digits: by hand rather than with
   * g_snprintf ("%0*u"), which cost more than the rest of this function
   * but the HMAC, three times per code checked. */
  binary %= digits_modulus[key->digits];
  out_code[key->digits] = '\0';
  for (guint i = key->digits; i > 0; i--)
    {
      out_code[i - 1] = (char) ('0' + binary % 10);
      binary /= 10;
    }
  ok = TRUE;

out:
  OPENSSL_cleanse (digest, sizeof digest);
  OPENSSL_cleanse (&binary, sizeof binary);
  return ok;
}

void
vst_otp_key_hotp (VstOtpKey *key,
                  guint64    counter,
                  char      *out_code)
{
  g_autoptr (GError) error = NULL;

  g_return_if_fail (key != NULL);
  g_return_if_fail (out_code != NULL);

  if (!compute_hotp (key, counter, out_code, &error))
    g_critical ("Cannot compute a one-time code: %s", error->message);
}

gint64
vst_otp_key_time_step (const VstOtpKey *key,
                       gint64           unix_time)
{
  g_return_val_if_fail (key != NULL, 0);
  g_return_val_if_fail (unix_time >= 0, 0);

  /* RFC 6238 §4.2 with T0 = 0: a plain division, since time is not
   * negative. */
  return unix_time / key->period;
}

void
vst_otp_key_totp (VstOtpKey *key,
                  gint64     unix_time,
                  char      *out_code)
{
  g_return_if_fail (out_code != NULL);
  out_code[0] = '\0';
  g_return_if_fail (key != NULL);
  g_return_if_fail (unix_time >= 0);

  vst_otp_key_hotp (key, (guint64) vst_otp_key_time_step (key, unix_time), out_code);
}

/* Copies the digits of @code into @out_code without its spaces, and checks
 * that it is exactly @digits digits long. */
static gboolean
normalize_code (const char  *code,
                guint        digits,
                char        *out_code,
                GError     **error)
{
  gsize n = 0;
  gboolean only_digits = TRUE;

  for (const char *p = code; *p != '\0'; p++)
    {
      /* People copy codes shown as "123 456". */
      if (g_ascii_isspace (*p))
        continue;
      if (!g_ascii_isdigit (*p))
        only_digits = FALSE;
      if (n < digits)
        out_code[n] = *p;
      n++;
    }
  out_code[MIN (n, digits)] = '\0';

  if (!only_digits)
    {
      g_set_error_literal (error, VST_CORE_ERROR, VST_CORE_ERROR_CODE_MALFORMED,
                           _("The code may only contain digits."));
      return FALSE;
    }

  if (n != digits)
    {
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_CODE_MALFORMED,
                   ngettext ("The code must have %u digit.",
                             "The code must have %u digits.",
                             digits),
                   digits);
      return FALSE;
    }

  return TRUE;
}

gboolean
vst_otp_key_verify_totp (VstOtpKey   *key,
                         const char  *code,
                         gint64       unix_time,
                         guint        window_back,
                         guint        window_ahead,
                         gint64       last_used_step,
                         gint64      *out_step,
                         GError     **error)
{
  char typed[VST_OTP_MAX_DIGITS + 1];
  char expected[VST_OTP_MAX_DIGITS + 1];
  gint64 current;
  gint64 first;
  gint64 last;
  gint64 fresh_step = -1;
  gint64 replayed_step = -1;
  gboolean ok = FALSE;

  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (code != NULL, FALSE);
  g_return_val_if_fail (unix_time >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!normalize_code (code, key->digits, typed, error))
    goto out;

  current = vst_otp_key_time_step (key, unix_time);
  first = MAX (current - (gint64) window_back, 0);
  last = current + (gint64) window_ahead;

  /* Every step of the window is computed and compared, whatever matched
   * before, so that the time taken does not tell which step matched. */
  for (gint64 step = first; step <= last; step++)
    {
      gboolean match;

      if (!compute_hotp (key, (guint64) step, expected, error))
        goto out;

      match = CRYPTO_memcmp (expected, typed, key->digits) == 0;

      /* Of several matches (a one-in-a-million chance per extra step), the
       * one closest to the current step is the most likely; on a tie the
       * later one wins, which burns more steps against replay. */
      if (match && step > last_used_step)
        {
          if (fresh_step < 0 || ABS (step - current) <= ABS (fresh_step - current))
            fresh_step = step;
        }
      else if (match)
        {
          if (replayed_step < 0 || ABS (step - current) <= ABS (replayed_step - current))
            replayed_step = step;
        }
    }

  if (fresh_step >= 0)
    {
      if (out_step != NULL)
        *out_step = fresh_step;
      ok = TRUE;
    }
  else if (replayed_step >= 0)
    {
      g_set_error_literal (error, VST_CORE_ERROR, VST_CORE_ERROR_CODE_REPLAYED,
                           _("This code has already been used. Wait for the next "
                             "code to appear and enter it."));
    }
  else
    {
      g_set_error_literal (error, VST_CORE_ERROR, VST_CORE_ERROR_CODE_MISMATCH,
                           _("The code is not correct. Check that the clock of "
                             "your device is right, then enter the newest code."));
    }

out:
  OPENSSL_cleanse (typed, sizeof typed);
  OPENSSL_cleanse (expected, sizeof expected);
  return ok;
}

gboolean
vst_otp_key_verify_hotp (VstOtpKey   *key,
                         const char  *code,
                         guint64      counter,
                         guint        look_ahead,
                         guint64     *out_counter,
                         GError     **error)
{
  char typed[VST_OTP_MAX_DIGITS + 1];
  char expected[VST_OTP_MAX_DIGITS + 1];
  guint64 last;
  guint64 matched = 0;
  gboolean found = FALSE;
  gboolean ok = FALSE;

  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (code != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!normalize_code (code, key->digits, typed, error))
    goto out;

  last = counter + look_ahead;
  if (last < counter)
    last = G_MAXUINT64;

  /* As for TOTP, every counter is computed and compared; the first (lowest)
   * match wins, as it skips the fewest counters. The loop is written so
   * that it ends even when @last is G_MAXUINT64. */
  for (guint64 c = counter; ; c++)
    {
      if (!compute_hotp (key, c, expected, error))
        goto out;

      if (CRYPTO_memcmp (expected, typed, key->digits) == 0 && !found)
        {
          matched = c;
          found = TRUE;
        }

      if (c == last)
        break;
    }

  if (found)
    {
      if (out_counter != NULL)
        *out_counter = matched;
      ok = TRUE;
    }
  else
    {
      g_set_error_literal (error, VST_CORE_ERROR, VST_CORE_ERROR_CODE_MISMATCH,
                           _("The code is not correct."));
    }

out:
  OPENSSL_cleanse (typed, sizeof typed);
  OPENSSL_cleanse (expected, sizeof expected);
  return ok;
}
