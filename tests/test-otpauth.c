/* test-otpauth.c: building and parsing otpauth://totp/ URIs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>
#include <vestibule.h>

/* "12345678901234567890" in base32, the RFC 4226 test key. */
#define SECRET "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

static VstOtpKey *
new_key (VstOtpAlgorithm algorithm,
         guint           digits,
         guint           period)
{
  g_autoptr (GError) error = NULL;
  VstOtpKey *key;

  key = vst_otp_key_new_from_base32 (SECRET, algorithm, digits, period, &error);
  g_assert_no_error (error);
  g_assert_nonnull (key);

  return key;
}

static VstOtpauth *
parse_ok (const char *uri)
{
  g_autoptr (GError) error = NULL;
  VstOtpauth *otpauth;

  otpauth = vst_otpauth_parse (uri, &error);
  g_assert_no_error (error);
  g_assert_nonnull (otpauth);

  return otpauth;
}

static void
test_google_example (void)
{
  g_autoptr (VstOtpauth) otpauth = NULL;
  g_autoptr (VstOtpKey) key = NULL;
  g_autoptr (GError) error = NULL;

  otpauth = parse_ok ("otpauth://totp/Example:alice@google.com"
                      "?secret=JBSWY3DPEHPK3PXP&issuer=Example");
  g_assert_cmpstr (otpauth->issuer, ==, "Example");
  g_assert_cmpstr (otpauth->account, ==, "alice@google.com");
  g_assert_cmpstr (otpauth->secret, ==, "JBSWY3DPEHPK3PXP");
  g_assert_cmpint (otpauth->algorithm, ==, VST_OTP_ALGORITHM_SHA1);
  g_assert_cmpuint (otpauth->digits, ==, 6);
  g_assert_cmpuint (otpauth->period, ==, 30);

  key = vst_otpauth_to_key (otpauth, &error);
  g_assert_no_error (error);
  g_assert_nonnull (key);
  g_assert_cmpint (vst_otp_key_get_algorithm (key), ==, VST_OTP_ALGORITHM_SHA1);
  g_assert_cmpuint (vst_otp_key_get_digits (key), ==, 6);
  g_assert_cmpuint (vst_otp_key_get_period (key), ==, 30);
}

static void
test_build_defaults (void)
{
  g_autoptr (VstOtpKey) key = new_key (VST_OTP_ALGORITHM_SHA1, 6, 30);
  g_autofree char *uri = NULL;

  uri = vst_otpauth_build ("Example", "alice@example.com", key);
  g_assert_cmpstr (uri, ==,
                   "otpauth://totp/Example:alice@example.com?secret=" SECRET "&issuer=Example");
  g_clear_pointer (&uri, vst_secure_free);

  /* No issuer: no prefix and no parameter; an empty one is the same. */
  uri = vst_otpauth_build (NULL, "alice", key);
  g_assert_cmpstr (uri, ==, "otpauth://totp/alice?secret=" SECRET);
  g_clear_pointer (&uri, vst_secure_free);

  uri = vst_otpauth_build ("", "alice", key);
  g_assert_cmpstr (uri, ==, "otpauth://totp/alice?secret=" SECRET);
  g_clear_pointer (&uri, vst_secure_free);
}

static void
test_build_parameters (void)
{
  static const struct {
    VstOtpAlgorithm  algorithm;
    guint            digits;
    guint            period;
    const char      *query;
  } cases[] = {
    { VST_OTP_ALGORITHM_SHA256, 6, 30, "&algorithm=SHA256" },
    { VST_OTP_ALGORITHM_SHA512, 6, 30, "&algorithm=SHA512" },
    { VST_OTP_ALGORITHM_SHA1, 8, 30, "&digits=8" },
    { VST_OTP_ALGORITHM_SHA1, 7, 30, "&digits=7" },
    { VST_OTP_ALGORITHM_SHA1, 6, 60, "&period=60" },
    { VST_OTP_ALGORITHM_SHA512, 8, 3600, "&algorithm=SHA512&digits=8&period=3600" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (VstOtpKey) key = new_key (cases[i].algorithm, cases[i].digits,
                                          cases[i].period);
      g_autoptr (VstOtpauth) otpauth = NULL;
      g_autofree char *uri = NULL;
      g_autofree char *expected = NULL;

      uri = vst_otpauth_build ("ACME", "bob", key);
      expected = g_strconcat ("otpauth://totp/ACME:bob?secret=" SECRET "&issuer=ACME",
                              cases[i].query, NULL);
      g_assert_cmpstr (uri, ==, expected);

      otpauth = parse_ok (uri);
      g_assert_cmpint (otpauth->algorithm, ==, cases[i].algorithm);
      g_assert_cmpuint (otpauth->digits, ==, cases[i].digits);
      g_assert_cmpuint (otpauth->period, ==, cases[i].period);
      vst_secure_free (g_steal_pointer (&uri));
    }
}

static void
test_encoding (void)
{
  static const struct {
    const char *issuer;
    const char *account;
    const char *label;
    const char *issuer_param;
  } cases[] = {
    { "Big Corp", "jean dupont", "Big%20Corp:jean%20dupont", "Big%20Corp" },
    { "A:B", "c:d", "A%3AB:c%3Ad", "A%3AB" },
    { "Mail", "alice@example.com", "Mail:alice@example.com", "Mail" },
    { "R&D", "x=y", "R%26D:x%3Dy", "R%26D" },
    { "100%", "a/b", "100%25:a%2Fb", "100%25" },
    { "Société Générale", "élodie", "Soci%C3%A9t%C3%A9%20G%C3%A9n%C3%A9rale:%C3%A9lodie",
      "Soci%C3%A9t%C3%A9%20G%C3%A9n%C3%A9rale" },
    { "a+b?c#d", "~x-y_z.w", "a%2Bb%3Fc%23d:~x-y_z.w", "a%2Bb%3Fc%23d" },
    { NULL, "who:me", "who%3Ame", NULL },
  };
  g_autoptr (VstOtpKey) key = new_key (VST_OTP_ALGORITHM_SHA1, 6, 30);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (VstOtpauth) otpauth = NULL;
      g_autofree char *uri = NULL;
      g_autofree char *expected = NULL;

      uri = vst_otpauth_build (cases[i].issuer, cases[i].account, key);
      if (cases[i].issuer_param != NULL)
        expected = g_strconcat ("otpauth://totp/", cases[i].label, "?secret=" SECRET,
                                "&issuer=", cases[i].issuer_param, NULL);
      else
        expected = g_strconcat ("otpauth://totp/", cases[i].label, "?secret=" SECRET, NULL);
      g_assert_cmpstr (uri, ==, expected);

      otpauth = parse_ok (uri);
      g_assert_cmpstr (otpauth->issuer, ==, cases[i].issuer);
      g_assert_cmpstr (otpauth->account, ==, cases[i].account);
      g_assert_cmpstr (otpauth->secret, ==, SECRET);
      vst_secure_free (g_steal_pointer (&uri));
    }
}

static void
test_round_trip (void)
{
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (VstOtpKey) key = NULL;
      g_autoptr (VstOtpKey) parsed_key = NULL;
      g_autoptr (VstOtpauth) otpauth = NULL;
      g_autoptr (GString) issuer = g_string_new (NULL);
      g_autoptr (GString) account = g_string_new (NULL);
      g_autofree char *secret = NULL;
      g_autofree char *parsed_secret = NULL;
      char *uri;
      /* Printable ASCII and a few multibyte characters. */
      static const char * const extra[] = { "é", "ß", "€", "日本", "🔑" };

      for (guint j = 0, n = g_test_rand_int_range (1, 20); j < n; j++)
        {
          GString *s = j % 2 ? issuer : account;

          if (g_test_rand_int_range (0, 8) == 0)
            g_string_append (s, extra[g_test_rand_int_range (0, G_N_ELEMENTS (extra))]);
          else
            g_string_append_c (s, (char) g_test_rand_int_range (0x21, 0x7f));
        }
      if (account->len == 0)
        g_string_append_c (account, 'a');

      key = vst_otp_key_generate (g_test_rand_int_range (VST_OTP_MIN_SECRET_SIZE, 65),
                                  g_test_rand_int_range (VST_OTP_ALGORITHM_SHA1,
                                                         VST_OTP_ALGORITHM_SHA512 + 1),
                                  g_test_rand_int_range (6, 9),
                                  g_test_rand_int_range (1, 3601),
                                  &error);
      g_assert_no_error (error);

      uri = vst_otpauth_build (issuer->len > 0 ? issuer->str : NULL, account->str, key);
      otpauth = vst_otpauth_parse (uri, &error);
      g_assert_no_error (error);
      vst_secure_free (uri);

      g_assert_cmpstr (otpauth->issuer, ==, issuer->len > 0 ? issuer->str : NULL);
      g_assert_cmpstr (otpauth->account, ==, account->str);
      g_assert_cmpint (otpauth->algorithm, ==, vst_otp_key_get_algorithm (key));
      g_assert_cmpuint (otpauth->digits, ==, vst_otp_key_get_digits (key));
      g_assert_cmpuint (otpauth->period, ==, vst_otp_key_get_period (key));

      parsed_key = vst_otpauth_to_key (otpauth, &error);
      g_assert_no_error (error);
      secret = vst_otp_key_dup_base32 (key);
      parsed_secret = vst_otp_key_dup_base32 (parsed_key);
      g_assert_cmpstr (secret, ==, parsed_secret);
      g_assert_cmpstr (otpauth->secret, ==, secret);
      vst_secure_free (g_steal_pointer (&secret));
      vst_secure_free (g_steal_pointer (&parsed_secret));
    }
}

static void
test_parse_lenient (void)
{
  static const struct {
    const char *uri;
    const char *issuer;
    const char *account;
  } cases[] = {
    /* Scheme and type in any case; the secret as people write it. */
    { "OTPAUTH://TOTP/alice?secret=gezdgnbvgy3tqojqgezdgnbvgy3tqojq", NULL, "alice" },
    { "otpauth://totp/alice?secret=GEZD%20GNBV%20GY3T%20QOJQ%20GEZDGNBVGY3TQOJQ", NULL,
      "alice" },
    { "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", NULL, "alice" },
    /* Unknown parameters, in any order, are left to apps. */
    { "otpauth://totp/ACME:alice?image=https%3A%2F%2Fexample.com%2Fa.png&secret=" SECRET
      "&color=red&issuer=ACME&counter=3", "ACME", "alice" },
    /* Only the label or only the parameter names the issuer. */
    { "otpauth://totp/ACME:alice?secret=" SECRET, "ACME", "alice" },
    { "otpauth://totp/alice?secret=" SECRET "&issuer=ACME", "ACME", "alice" },
    /* Spaces after the separator, and the separator written %3A. */
    { "otpauth://totp/ACME:%20%20alice?secret=" SECRET, "ACME", "alice" },
    { "otpauth://totp/ACME%3Aalice?secret=" SECRET "&issuer=ACME", "ACME", "alice" },
    { "otpauth://totp/ACME%3A%20alice?secret=" SECRET "&issuer=ACME", "ACME", "alice" },
    /* And before an account without an issuer in the label: the issuer
     * comes from the parameter, and vst_otpauth_build() puts it in the
     * label (tests/fuzz/corpus/fuzz-otpauth/regression-leading-space). */
    { "otpauth://totp/%20alice?secret=" SECRET "&issuer=ACME", "ACME", "alice" },
    { "otpauth://totp/%20%20alice?secret=" SECRET, NULL, "alice" },
    /* An empty issuer is none. */
    { "otpauth://totp/alice?secret=" SECRET "&issuer=", NULL, "alice" },
    /* A fragment is not part of the query. */
    { "otpauth://totp/alice?secret=" SECRET "#issuer=Other", NULL, "alice" },
    /* Parameter names in other cases; lower-case hexadecimal escapes. */
    { "otpauth://totp/%c3%a9?Secret=" SECRET "&ALGORITHM=sha256", NULL, "é" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (VstOtpauth) otpauth = parse_ok (cases[i].uri);

      g_assert_cmpstr (otpauth->issuer, ==, cases[i].issuer);
      g_assert_cmpstr (otpauth->account, ==, cases[i].account);
      g_assert_cmpstr (otpauth->secret, ==, SECRET);
    }
}

static void
test_parse_malformed (void)
{
  static const char * const cases[] = {
    /* Scheme. */
    "https://totp/alice?secret=" SECRET,
    "otpauth:totp/alice?secret=" SECRET,
    "otpauth//totp/alice?secret=" SECRET,
    "",
    /* Type. */
    "otpauth://hotp/alice?secret=" SECRET "&counter=0",
    "otpauth://HOTP/alice?secret=" SECRET "&counter=0",
    "otpauth://totpx/alice?secret=" SECRET,
    "otpauth:///alice?secret=" SECRET,
    /* Label. */
    "otpauth://totp?secret=" SECRET,
    "otpauth://totp/?secret=" SECRET,
    "otpauth://totp",
    "otpauth://totp/ACME:?secret=" SECRET,
    "otpauth://totp/ACME:%20?secret=" SECRET,
    "otpauth://totp/%20?secret=" SECRET "&issuer=ACME",
    "otpauth://totp/ACME:alice:bob?secret=" SECRET,
    "otpauth://totp/alice bob?secret=" SECRET,
    /* Percent-encoding. */
    "otpauth://totp/al%ice?secret=" SECRET,
    "otpauth://totp/alice%2?secret=" SECRET,
    "otpauth://totp/alice%?secret=" SECRET,
    "otpauth://totp/al%00ice?secret=" SECRET,
    "otpauth://totp/al%C3%28ice?secret=" SECRET,
    "otpauth://totp/al%FFice?secret=" SECRET,
    "otpauth://totp/alice?secret=" SECRET "&issuer=A%C3",
    "otpauth://totp/alice?secret=" SECRET "&issuer=A%00B",
    "otpauth://totp/al\xff" "ice?secret=" SECRET,
    /* Secret. */
    "otpauth://totp/alice",
    "otpauth://totp/alice?",
    "otpauth://totp/alice?issuer=ACME",
    "otpauth://totp/alice?secret=",
    "otpauth://totp/alice?secret",
    "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJ1",
    "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJ%21",
    "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQG",
    "otpauth://totp/alice?secret=GEZDGNBVGY3TQOI",
    "otpauth://totp/alice?secret=JBSWY3DP",
    "otpauth://totp/alice?secret=" SECRET "&secret=" SECRET,
    "otpauth://totp/alice?secret=" SECRET "&SECRET=JBSWY3DPEHPK3PXP",
    /* Issuer. */
    "otpauth://totp/ACME:alice?secret=" SECRET "&issuer=Other",
    "otpauth://totp/ACME:alice?secret=" SECRET "&issuer=acme",
    "otpauth://totp/ACME:alice?secret=" SECRET "&issuer=ACME&issuer=ACME",
    /* Algorithm. */
    "otpauth://totp/alice?secret=" SECRET "&algorithm=MD5",
    "otpauth://totp/alice?secret=" SECRET "&algorithm=",
    "otpauth://totp/alice?secret=" SECRET "&algorithm=SHA384",
    "otpauth://totp/alice?secret=" SECRET "&algorithm=SHA1&algorithm=SHA1",
    /* Digits. */
    "otpauth://totp/alice?secret=" SECRET "&digits=5",
    "otpauth://totp/alice?secret=" SECRET "&digits=9",
    "otpauth://totp/alice?secret=" SECRET "&digits=",
    "otpauth://totp/alice?secret=" SECRET "&digits=-6",
    "otpauth://totp/alice?secret=" SECRET "&digits=+6",
    "otpauth://totp/alice?secret=" SECRET "&digits=six",
    "otpauth://totp/alice?secret=" SECRET "&digits=6&digits=6",
    /* Period. */
    "otpauth://totp/alice?secret=" SECRET "&period=0",
    "otpauth://totp/alice?secret=" SECRET "&period=3601",
    "otpauth://totp/alice?secret=" SECRET "&period=30s",
    "otpauth://totp/alice?secret=" SECRET "&period=%2030",
    "otpauth://totp/alice?secret=" SECRET "&period=99999999999999999999",
    "otpauth://totp/alice?secret=" SECRET "&period=30&period=30",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (VstOtpauth) otpauth = NULL;

      otpauth = vst_otpauth_parse (cases[i], &error);
      g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_URI);
      g_assert_null (otpauth);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_test_message ("%s\n  → %s", g_utf8_validate (cases[i], -1, NULL) ? cases[i] : "?",
                      error->message);
    }
}

static void
test_parse_messages (void)
{
  /* Each fault names its part, so that whoever made the URI can fix it. */
  static const struct {
    const char *uri;
    const char *word;
  } cases[] = {
    { "otpauth://hotp/alice?secret=" SECRET, "time-based" },
    { "https://totp/alice?secret=" SECRET, "otpauth://" },
    { "otpauth://totp/?secret=" SECRET, "label" },
    { "otpauth://totp/alice?issuer=A", "secret" },
    { "otpauth://totp/alice?secret=ABC1DEFG", "“1”" },
    { "otpauth://totp/alice?secret=JBSWY3DP", "80 bits" },
    { "otpauth://totp/A:alice?secret=" SECRET "&issuer=B", "issuer" },
    { "otpauth://totp/alice?secret=" SECRET "&algorithm=MD5", "algorithm" },
    { "otpauth://totp/alice?secret=" SECRET "&digits=9", "digits" },
    { "otpauth://totp/alice?secret=" SECRET "&period=30s", "period" },
    { "otpauth://totp/alice?secret=" SECRET "&secret=" SECRET, "secret" },
    { "otpauth://totp/alice?secret=" SECRET "&issuer=%ZZ", "issuer" },
    { "otpauth://totp/a%00?secret=" SECRET, "label" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (VstOtpauth) otpauth = NULL;

      otpauth = vst_otpauth_parse (cases[i].uri, &error);
      g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_URI);
      if (strstr (error->message, cases[i].word) == NULL)
        g_error ("“%s” does not mention “%s”", error->message, cases[i].word);
    }
}

int
main (int    argc,
      char **argv)
{
  /* Error messages must come out untranslated, whatever the environment. */
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/otpauth/google-example", test_google_example);
  g_test_add_func ("/core/otpauth/build/defaults", test_build_defaults);
  g_test_add_func ("/core/otpauth/build/parameters", test_build_parameters);
  g_test_add_func ("/core/otpauth/build/encoding", test_encoding);
  g_test_add_func ("/core/otpauth/round-trip", test_round_trip);
  g_test_add_func ("/core/otpauth/parse/lenient", test_parse_lenient);
  g_test_add_func ("/core/otpauth/parse/malformed", test_parse_malformed);
  g_test_add_func ("/core/otpauth/parse/messages", test_parse_messages);

  return g_test_run ();
}
