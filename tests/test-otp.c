/* test-otp.c: HOTP and TOTP against the RFCs and oathtool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>
#include <vestibule.h>

/* The seeds of RFC 6238 Appendix B: "1234567890" repeated to the length of
 * each digest (the RFC's prose says 20 bytes for all three, but its
 * reference code and its table use these). */
#define SEED_SHA1   "12345678901234567890"
#define SEED_SHA256 "12345678901234567890123456789012"
#define SEED_SHA512 "1234567890123456789012345678901234567890123456789012345678901234"

static VstOtpKey *
new_key (const char      *secret,
         VstOtpAlgorithm  algorithm,
         guint            digits,
         guint            period)
{
  g_autoptr (GError) error = NULL;
  VstOtpKey *key;

  key = vst_otp_key_new ((const guint8 *) secret, strlen (secret),
                         algorithm, digits, period, &error);
  g_assert_no_error (error);
  g_assert_nonnull (key);

  return key;
}

static void
test_algorithm_names (void)
{
  VstOtpAlgorithm algorithm = VST_OTP_ALGORITHM_SHA1;

  g_assert_cmpstr (vst_otp_algorithm_to_string (VST_OTP_ALGORITHM_SHA1), ==, "SHA1");
  g_assert_cmpstr (vst_otp_algorithm_to_string (VST_OTP_ALGORITHM_SHA256), ==, "SHA256");
  g_assert_cmpstr (vst_otp_algorithm_to_string (VST_OTP_ALGORITHM_SHA512), ==, "SHA512");

  g_assert_true (vst_otp_algorithm_from_string ("sha256", &algorithm));
  g_assert_cmpint (algorithm, ==, VST_OTP_ALGORITHM_SHA256);
  g_assert_true (vst_otp_algorithm_from_string ("SHA-512", &algorithm));
  g_assert_cmpint (algorithm, ==, VST_OTP_ALGORITHM_SHA512);
  g_assert_true (vst_otp_algorithm_from_string ("Sha1", &algorithm));
  g_assert_cmpint (algorithm, ==, VST_OTP_ALGORITHM_SHA1);

  g_assert_false (vst_otp_algorithm_from_string ("MD5", &algorithm));
  g_assert_false (vst_otp_algorithm_from_string ("SHA384", &algorithm));
  g_assert_false (vst_otp_algorithm_from_string ("", &algorithm));
  g_assert_false (vst_otp_algorithm_from_string ("SHA1 ", &algorithm));
  g_assert_cmpint (algorithm, ==, VST_OTP_ALGORITHM_SHA1);
}

static void
test_rfc4226 (void)
{
  /* RFC 4226 Appendix D. */
  static const char * const expected[] = {
    "755224", "287082", "359152", "969429", "338314",
    "254676", "287922", "162583", "399871", "520489",
  };
  g_autoptr (VstOtpKey) key = new_key (SEED_SHA1, VST_OTP_ALGORITHM_SHA1, 6, 30);

  for (guint64 counter = 0; counter < G_N_ELEMENTS (expected); counter++)
    {
      char code[VST_OTP_MAX_DIGITS + 1];

      vst_otp_key_hotp (key, counter, code);
      g_assert_cmpstr (code, ==, expected[counter]);
    }

  /* The same again, in another order: the context is re-armed each time,
   * never left with state from the previous code. */
  for (guint64 counter = G_N_ELEMENTS (expected); counter-- > 0;)
    {
      char code[VST_OTP_MAX_DIGITS + 1];

      vst_otp_key_hotp (key, counter, code);
      g_assert_cmpstr (code, ==, expected[counter]);
    }
}

static void
test_rfc6238 (void)
{
  /* RFC 6238 Appendix B, every row. */
  static const struct {
    gint64           time;
    VstOtpAlgorithm  algorithm;
    const char      *code;
  } vectors[] = {
    { 59, VST_OTP_ALGORITHM_SHA1, "94287082" },
    { 59, VST_OTP_ALGORITHM_SHA256, "46119246" },
    { 59, VST_OTP_ALGORITHM_SHA512, "90693936" },
    { 1111111109, VST_OTP_ALGORITHM_SHA1, "07081804" },
    { 1111111109, VST_OTP_ALGORITHM_SHA256, "68084774" },
    { 1111111109, VST_OTP_ALGORITHM_SHA512, "25091201" },
    { 1111111111, VST_OTP_ALGORITHM_SHA1, "14050471" },
    { 1111111111, VST_OTP_ALGORITHM_SHA256, "67062674" },
    { 1111111111, VST_OTP_ALGORITHM_SHA512, "99943326" },
    { 1234567890, VST_OTP_ALGORITHM_SHA1, "89005924" },
    { 1234567890, VST_OTP_ALGORITHM_SHA256, "91819424" },
    { 1234567890, VST_OTP_ALGORITHM_SHA512, "93441116" },
    { 2000000000, VST_OTP_ALGORITHM_SHA1, "69279037" },
    { 2000000000, VST_OTP_ALGORITHM_SHA256, "90698825" },
    { 2000000000, VST_OTP_ALGORITHM_SHA512, "38618901" },
    { G_GINT64_CONSTANT (20000000000), VST_OTP_ALGORITHM_SHA1, "65353130" },
    { G_GINT64_CONSTANT (20000000000), VST_OTP_ALGORITHM_SHA256, "77737706" },
    { G_GINT64_CONSTANT (20000000000), VST_OTP_ALGORITHM_SHA512, "47863826" },
  };
  g_autoptr (VstOtpKey) sha1 = new_key (SEED_SHA1, VST_OTP_ALGORITHM_SHA1, 8, 30);
  g_autoptr (VstOtpKey) sha256 = new_key (SEED_SHA256, VST_OTP_ALGORITHM_SHA256, 8, 30);
  g_autoptr (VstOtpKey) sha512 = new_key (SEED_SHA512, VST_OTP_ALGORITHM_SHA512, 8, 30);

  for (gsize i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autoptr (GError) error = NULL;
      VstOtpKey *key;
      char code[VST_OTP_MAX_DIGITS + 1];
      gint64 step = -1;

      switch (vectors[i].algorithm)
        {
        case VST_OTP_ALGORITHM_SHA1:
          key = sha1;
          break;
        case VST_OTP_ALGORITHM_SHA256:
          key = sha256;
          break;
        case VST_OTP_ALGORITHM_SHA512:
          key = sha512;
          break;
        default:
          g_assert_not_reached ();
        }

      vst_otp_key_totp (key, vectors[i].time, code);
      g_assert_cmpstr (code, ==, vectors[i].code);

      g_assert_true (vst_otp_key_verify_totp (key, vectors[i].code, vectors[i].time,
                                              0, 0, -1, &step, &error));
      g_assert_no_error (error);
      g_assert_cmpint (step, ==, vectors[i].time / 30);
    }
}

static void
test_parameters (void)
{
  g_autoptr (VstOtpKey) key = NULL;
  g_autofree char *base32 = NULL;
  char code[VST_OTP_MAX_DIGITS + 1];

  key = new_key (SEED_SHA256, VST_OTP_ALGORITHM_SHA256, 7, 60);
  g_assert_cmpint (vst_otp_key_get_algorithm (key), ==, VST_OTP_ALGORITHM_SHA256);
  g_assert_cmpuint (vst_otp_key_get_digits (key), ==, 7);
  g_assert_cmpuint (vst_otp_key_get_period (key), ==, 60);

  g_assert_cmpint (vst_otp_key_time_step (key, 0), ==, 0);
  g_assert_cmpint (vst_otp_key_time_step (key, 59), ==, 0);
  g_assert_cmpint (vst_otp_key_time_step (key, 60), ==, 1);
  g_assert_cmpint (vst_otp_key_time_step (key, 1234567890), ==, 1234567890 / 60);

  vst_otp_key_totp (key, 1234567890, code);
  g_assert_cmpuint (strlen (code), ==, 7);

  base32 = vst_otp_key_dup_base32 (key);
  g_assert_cmpstr (base32, ==, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA");
  vst_secure_free (g_steal_pointer (&base32));

  g_clear_pointer (&key, vst_otp_key_free);
  key = vst_otp_key_new_from_base32 ("gezd gnbv gy3t qojq gezd gnbv gy3t qojq",
                                     VST_OTP_ALGORITHM_SHA1, 8, 30, NULL);
  g_assert_nonnull (key);
  vst_otp_key_totp (key, 59, code);
  g_assert_cmpstr (code, ==, "94287082");
}

static void
test_bad_parameters (void)
{
  static const struct {
    gsize            secret_len;
    VstOtpAlgorithm  algorithm;
    guint            digits;
    guint            period;
  } cases[] = {
    { 0, VST_OTP_ALGORITHM_SHA1, 6, 30 },
    { 9, VST_OTP_ALGORITHM_SHA1, 6, 30 },
    { 20, (VstOtpAlgorithm) 42, 6, 30 },
    { 20, VST_OTP_ALGORITHM_SHA1, 5, 30 },
    { 20, VST_OTP_ALGORITHM_SHA1, 9, 30 },
    { 20, VST_OTP_ALGORITHM_SHA1, 0, 30 },
    { 20, VST_OTP_ALGORITHM_SHA1, 6, 0 },
    { 20, VST_OTP_ALGORITHM_SHA1, 6, 3601 },
  };
  static const guint8 secret[20] = { 1, 2, 3 };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (VstOtpKey) key = NULL;

      key = vst_otp_key_new (secret, cases[i].secret_len, cases[i].algorithm,
                             cases[i].digits, cases[i].period, &error);
      g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_ARGUMENT);
      g_assert_null (key);
      g_clear_error (&error);

      /* vst_otp_key_generate() takes 0 to mean the default length. */
      if (cases[i].secret_len == 0)
        continue;

      key = vst_otp_key_generate (cases[i].secret_len, cases[i].algorithm,
                                  cases[i].digits, cases[i].period, &error);
      g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_ARGUMENT);
      g_assert_null (key);
    }

  /* The limits themselves are allowed. */
  {
    g_autoptr (VstOtpKey) key = NULL;

    key = vst_otp_key_new (secret, VST_OTP_MIN_SECRET_SIZE, VST_OTP_ALGORITHM_SHA512,
                           8, 3600, NULL);
    g_assert_nonnull (key);
    g_clear_pointer (&key, vst_otp_key_free);
    key = vst_otp_key_new (secret, VST_OTP_MIN_SECRET_SIZE, VST_OTP_ALGORITHM_SHA1,
                           6, 1, NULL);
    g_assert_nonnull (key);
  }

  /* A short key is refused from base32 too: 16 characters are 80 bits, and
   * 15 characters with bits left over are not even base32. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (VstOtpKey) key = NULL;

    key = vst_otp_key_new_from_base32 ("JBSWY3DPEHPK3PX", VST_OTP_ALGORITHM_SHA1,
                                       6, 30, &error);
    g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_BASE32);
    g_clear_error (&error);

    /* "123456789", 72 bits. */
    key = vst_otp_key_new_from_base32 ("GEZDGNBVGY3TQOI", VST_OTP_ALGORITHM_SHA1,
                                       6, 30, &error);
    g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);

    key = vst_otp_key_new_from_base32 ("GEZDGNBVGY3TQOJQ", VST_OTP_ALGORITHM_SHA1,
                                       6, 30, &error);
    g_assert_no_error (error);
    g_assert_nonnull (key);
  }
}

static void
test_generate (void)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                          (GDestroyNotify) vst_secure_free,
                                                          NULL);

  for (guint i = 0; i < 100; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (VstOtpKey) key = NULL;
      char *base32;
      guint8 *secret;
      gsize secret_len = 0;

      key = vst_otp_key_generate (0, VST_OTP_DEFAULT_ALGORITHM, VST_OTP_DEFAULT_DIGITS,
                                  VST_OTP_DEFAULT_PERIOD, &error);
      g_assert_no_error (error);
      g_assert_nonnull (key);

      base32 = vst_otp_key_dup_base32 (key);
      secret = vst_base32_decode (base32, &secret_len, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (secret_len, ==, VST_OTP_DEFAULT_SECRET_SIZE);
      vst_base32_free (secret, secret_len);

      g_assert_false (g_hash_table_contains (seen, base32));
      g_hash_table_add (seen, base32);
    }

  /* Other lengths. */
  {
    g_autoptr (VstOtpKey) key = NULL;
    char *base32;

    key = vst_otp_key_generate (64, VST_OTP_ALGORITHM_SHA512, 8, 30, NULL);
    g_assert_nonnull (key);
    base32 = vst_otp_key_dup_base32 (key);
    g_assert_cmpuint (strlen (base32), ==, (64 * 8 + 4) / 5);
    vst_secure_free (base32);
  }
}

static void
test_verify_window (void)
{
  g_autoptr (VstOtpKey) key = new_key (SEED_SHA1, VST_OTP_ALGORITHM_SHA1, 6, 30);
  const gint64 now = 1700000000;
  const gint64 current = now / 30;
  char code[VST_OTP_MAX_DIGITS + 1];
  gint64 step = -1;
  g_autoptr (GError) error = NULL;

  /* The current code. */
  vst_otp_key_totp (key, now, code);
  g_assert_true (vst_otp_key_verify_totp (key, code, now, 1, 1, -1, &step, &error));
  g_assert_no_error (error);
  g_assert_cmpint (step, ==, current);

  /* A code from three steps ago: outside a window of one, inside one of
   * ten, which tells the drift. */
  vst_otp_key_totp (key, now - 3 * 30, code);
  g_assert_false (vst_otp_key_verify_totp (key, code, now, 1, 1, -1, &step, &error));
  g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_CODE_MISMATCH);
  g_clear_error (&error);

  step = -1;
  g_assert_true (vst_otp_key_verify_totp (key, code, now, 10, 0, -1, &step, &error));
  g_assert_no_error (error);
  g_assert_cmpint (step, ==, current - 3);

  /* A code from the future: only with a window ahead. */
  vst_otp_key_totp (key, now + 30, code);
  g_assert_false (vst_otp_key_verify_totp (key, code, now, 1, 0, -1, &step, &error));
  g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_CODE_MISMATCH);
  g_clear_error (&error);
  g_assert_true (vst_otp_key_verify_totp (key, code, now, 1, 1, -1, &step, &error));
  g_assert_no_error (error);
  g_assert_cmpint (step, ==, current + 1);

  /* The last second of a step and the first of the next. */
  vst_otp_key_totp (key, current * 30 + 29, code);
  g_assert_true (vst_otp_key_verify_totp (key, code, current * 30, 0, 0, -1, &step, &error));
  g_assert_no_error (error);
  g_assert_false (vst_otp_key_verify_totp (key, code, current * 30 + 30, 0, 0, -1,
                                           &step, &error));
  g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_CODE_MISMATCH);
  g_clear_error (&error);

  /* The window stops at step 0 instead of going negative. */
  vst_otp_key_totp (key, 0, code);
  g_assert_true (vst_otp_key_verify_totp (key, code, 10, 5, 0, -1, &step, &error));
  g_assert_no_error (error);
  g_assert_cmpint (step, ==, 0);

  /* A wrong code. */
  vst_otp_key_totp (key, now, code);
  code[0] = code[0] == '9' ? '0' : code[0] + 1;
  g_assert_false (vst_otp_key_verify_totp (key, code, now, 10, 10, -1, NULL, &error));
  g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_CODE_MISMATCH);
}

static void
test_verify_replay (void)
{
  g_autoptr (VstOtpKey) key = new_key (SEED_SHA1, VST_OTP_ALGORITHM_SHA1, 6, 30);
  const gint64 now = 1700000000;
  const gint64 current = now / 30;
  char code[VST_OTP_MAX_DIGITS + 1];
  gint64 step = -1;
  g_autoptr (GError) error = NULL;

  vst_otp_key_totp (key, now, code);
  g_assert_true (vst_otp_key_verify_totp (key, code, now, 1, 1, -1, &step, &error));
  g_assert_no_error (error);
  g_assert_cmpint (step, ==, current);

  /* The same code again, now that its step is the last used. */
  g_assert_false (vst_otp_key_verify_totp (key, code, now, 1, 1, step, &step, &error));
  g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_CODE_REPLAYED);
  g_clear_error (&error);

  /* Still replayed a step later, while the window reaches back to it. */
  g_assert_false (vst_otp_key_verify_totp (key, code, now + 30, 1, 1, current, NULL, &error));
  g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_CODE_REPLAYED);
  g_clear_error (&error);

  /* An older code than the last used one is a replay too... */
  vst_otp_key_totp (key, now - 30, code);
  g_assert_false (vst_otp_key_verify_totp (key, code, now, 1, 1, current, NULL, &error));
  g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_CODE_REPLAYED);
  g_clear_error (&error);

  /* ... but once out of the window it is simply wrong. */
  g_assert_false (vst_otp_key_verify_totp (key, code, now + 60, 1, 1, current, NULL, &error));
  g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_CODE_MISMATCH);
  g_clear_error (&error);

  /* The next step's code is fresh. */
  vst_otp_key_totp (key, now + 30, code);
  step = -1;
  g_assert_true (vst_otp_key_verify_totp (key, code, now + 30, 1, 1, current, &step, &error));
  g_assert_no_error (error);
  g_assert_cmpint (step, ==, current + 1);
}

static void
test_verify_malformed (void)
{
  g_autoptr (VstOtpKey) key6 = new_key (SEED_SHA1, VST_OTP_ALGORITHM_SHA1, 6, 30);
  g_autoptr (VstOtpKey) key8 = new_key (SEED_SHA1, VST_OTP_ALGORITHM_SHA1, 8, 30);
  static const char * const malformed6[] = {
    "", "   ", "12345", "1234567", "12345a", "12-456", "123456\x01", "１２３４５６",
    "94287082", "+12345", "12345 6 7",
  };
  static const char * const malformed8[] = {
    "287082", "9428708", "942870821", "9428708x",
  };
  g_autoptr (GError) error = NULL;
  gint64 step = -1;

  for (gsize i = 0; i < G_N_ELEMENTS (malformed6); i++)
    {
      g_assert_false (vst_otp_key_verify_totp (key6, malformed6[i], 59, 1, 1, -1,
                                               &step, &error));
      g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_CODE_MALFORMED);
      g_test_message ("“%s”: %s", malformed6[i], error->message);
      g_clear_error (&error);
      g_assert_cmpint (step, ==, -1);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (malformed8); i++)
    {
      g_assert_false (vst_otp_key_verify_totp (key8, malformed8[i], 59, 1, 1, -1,
                                               NULL, &error));
      g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_CODE_MALFORMED);
      g_clear_error (&error);
    }

  g_assert_false (vst_otp_key_verify_totp (key6, "12345", 59, 1, 1, -1, NULL, &error));
  g_assert_cmpstr (error->message, ==, "The code must have 6 digits.");
  g_clear_error (&error);
  g_assert_false (vst_otp_key_verify_totp (key8, "1234567", 59, 1, 1, -1, NULL, &error));
  g_assert_cmpstr (error->message, ==, "The code must have 8 digits.");
  g_clear_error (&error);

  /* Spaces are not part of the code. */
  g_assert_true (vst_otp_key_verify_totp (key6, " 287 082 ", 59, 0, 0, -1, &step, &error));
  g_assert_no_error (error);
  g_assert_cmpint (step, ==, 1);
  g_assert_true (vst_otp_key_verify_totp (key8, "9428 7082", 59, 0, 0, -1, &step, &error));
  g_assert_no_error (error);
}

static void
test_verify_hotp (void)
{
  g_autoptr (VstOtpKey) key = new_key (SEED_SHA1, VST_OTP_ALGORITHM_SHA1, 6, 30);
  g_autoptr (GError) error = NULL;
  guint64 counter = 0;

  g_assert_true (vst_otp_key_verify_hotp (key, "755224", 0, 0, &counter, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counter, ==, 0);

  /* RFC 4226 value for counter 4, expected at 1: inside a look-ahead of 3. */
  g_assert_true (vst_otp_key_verify_hotp (key, "338 314", 1, 3, &counter, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counter, ==, 4);

  g_assert_false (vst_otp_key_verify_hotp (key, "338314", 1, 2, &counter, &error));
  g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_CODE_MISMATCH);
  g_clear_error (&error);

  /* Counters already passed do not count. */
  g_assert_false (vst_otp_key_verify_hotp (key, "755224", 1, 10, &counter, &error));
  g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_CODE_MISMATCH);
  g_clear_error (&error);

  g_assert_false (vst_otp_key_verify_hotp (key, "75522", 0, 10, &counter, &error));
  g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_CODE_MALFORMED);
  g_clear_error (&error);

  /* The look-ahead stops at the last counter rather than wrapping. */
  g_assert_false (vst_otp_key_verify_hotp (key, "755224", G_MAXUINT64 - 1, 5,
                                           &counter, &error));
  g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_CODE_MISMATCH);
}

/* Runs oathtool for @unix_time and returns its code. */
static char *
oathtool_totp (const char      *oathtool,
               const guint8    *secret,
               gsize            secret_len,
               VstOtpAlgorithm  algorithm,
               guint            digits,
               guint            period,
               gint64           unix_time)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *digits_arg = NULL;
  g_autofree char *period_arg = NULL;
  g_autofree char *now_arg = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  hex = g_malloc (secret_len * 2 + 1);
  for (gsize i = 0; i < secret_len; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", secret[i]);

  mode = g_strdup_printf ("--totp=%s", vst_otp_algorithm_to_string (algorithm));
  digits_arg = g_strdup_printf ("--digits=%u", digits);
  period_arg = g_strdup_printf ("--time-step-size=%us", period);
  now_arg = g_strdup_printf ("--now=@%" G_GINT64_FORMAT, unix_time);

  {
    const char *argv[] = { oathtool, mode, digits_arg, period_arg, now_arg, hex, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                  &out, &err, &status, &error);
    g_assert_no_error (error);
  }

  if (!g_spawn_check_wait_status (status, &error))
    g_error ("oathtool failed: %s: %s", error->message, err);

  return g_strchomp (g_steal_pointer (&out));
}

static void
test_oathtool (void)
{
  static const VstOtpAlgorithm algorithms[] = {
    VST_OTP_ALGORITHM_SHA1, VST_OTP_ALGORITHM_SHA256, VST_OTP_ALGORITHM_SHA512,
  };
  static const guint periods[] = { 30, 60 };
  const char *oathtool = g_getenv ("OATHTOOL");

  /* The comparison is the point of this test: without oathtool it fails
   * rather than passing without having checked anything. */
  if (oathtool == NULL || *oathtool == '\0')
    g_error ("OATHTOOL is not set: install oathtool (package oathtool) and "
             "reconfigure");
  g_assert_true (g_file_test (oathtool, G_FILE_TEST_IS_EXECUTABLE));

  for (guint i = 0; i < 200; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (VstOtpKey) key = NULL;
      g_autofree char *expected = NULL;
      VstOtpAlgorithm algorithm = algorithms[i % G_N_ELEMENTS (algorithms)];
      guint digits = VST_OTP_MIN_DIGITS + (i / 3) % 3;
      guint period = periods[(i / 9) % G_N_ELEMENTS (periods)];
      gsize secret_len = g_test_rand_int_range (VST_OTP_MIN_SECRET_SIZE, 65);
      gint64 unix_time = (gint64) g_test_rand_int_range (0, G_MAXINT32) +
                         (gint64) g_test_rand_int_range (0, 2) * G_MAXINT32;
      guint8 secret[64];
      char code[VST_OTP_MAX_DIGITS + 1];
      gint64 step = -1;

      for (gsize j = 0; j < secret_len; j++)
        secret[j] = g_test_rand_int_range (0, 256);

      key = vst_otp_key_new (secret, secret_len, algorithm, digits, period, &error);
      g_assert_no_error (error);

      vst_otp_key_totp (key, unix_time, code);
      expected = oathtool_totp (oathtool, secret, secret_len, algorithm, digits, period,
                                unix_time);
      if (g_strcmp0 (code, expected) != 0)
        g_test_message ("%s, %u digits, %u s, at %" G_GINT64_FORMAT,
                        vst_otp_algorithm_to_string (algorithm), digits, period, unix_time);
      g_assert_cmpstr (code, ==, expected);

      g_assert_true (vst_otp_key_verify_totp (key, expected, unix_time, 0, 0, -1,
                                              &step, &error));
      g_assert_no_error (error);
      g_assert_cmpint (step, ==, unix_time / period);
    }
}

int
main (int    argc,
      char **argv)
{
  /* Error messages must come out untranslated, whatever the environment. */
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/otp/algorithm-names", test_algorithm_names);
  g_test_add_func ("/core/otp/rfc4226", test_rfc4226);
  g_test_add_func ("/core/otp/rfc6238", test_rfc6238);
  g_test_add_func ("/core/otp/parameters", test_parameters);
  g_test_add_func ("/core/otp/bad-parameters", test_bad_parameters);
  g_test_add_func ("/core/otp/generate", test_generate);
  g_test_add_func ("/core/otp/verify/window", test_verify_window);
  g_test_add_func ("/core/otp/verify/replay", test_verify_replay);
  g_test_add_func ("/core/otp/verify/malformed", test_verify_malformed);
  g_test_add_func ("/core/otp/verify/hotp", test_verify_hotp);
  g_test_add_func ("/core/otp/oathtool", test_oathtool);

  return g_test_run ();
}
