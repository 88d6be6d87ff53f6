/* test-base32.c: RFC 4648 base32 as keys are typed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>
#include <vestibule.h>

/* RFC 4648 §10. */
static const struct {
  const char *plain;
  const char *padded;
  const char *unpadded;
} rfc4648_vectors[] = {
  { "", "", "" },
  { "f", "MY======", "MY" },
  { "fo", "MZXQ====", "MZXQ" },
  { "foo", "MZXW6===", "MZXW6" },
  { "foob", "MZXW6YQ=", "MZXW6YQ" },
  { "fooba", "MZXW6YTB", "MZXW6YTB" },
  { "foobar", "MZXW6YTBOI======", "MZXW6YTBOI" },
};

static void
assert_decodes_to (const char *text,
                   const char *expected)
{
  g_autoptr (GError) error = NULL;
  guint8 *data;
  gsize len = 0;

  data = vst_base32_decode (text, &len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (data);
  g_assert_cmpmem (data, len, expected, strlen (expected));
  /* The buffer is NUL-terminated for convenience. */
  g_assert_cmpint (data[len], ==, 0);
  vst_base32_free (data, len);
}

/* Checks that @text is refused, and returns the message for more checks. */
static char *
assert_refused (const char *text)
{
  g_autoptr (GError) error = NULL;
  guint8 *data;
  gsize len = 42;

  data = vst_base32_decode (text, &len, &error);
  g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_BASE32);
  g_assert_null (data);
  g_assert_cmpuint (len, ==, 0);
  g_assert_nonnull (error->message);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));

  return g_strdup (error->message);
}

static void
test_rfc4648_encode (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (rfc4648_vectors); i++)
    {
      g_autofree char *encoded = NULL;

      encoded = vst_base32_encode ((const guint8 *) rfc4648_vectors[i].plain,
                                   strlen (rfc4648_vectors[i].plain));
      g_assert_cmpstr (encoded, ==, rfc4648_vectors[i].unpadded);
    }

  /* An empty buffer may be NULL. */
  {
    g_autofree char *encoded = vst_base32_encode (NULL, 0);
    g_assert_cmpstr (encoded, ==, "");
  }
}

static void
test_rfc4648_decode (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (rfc4648_vectors); i++)
    {
      assert_decodes_to (rfc4648_vectors[i].padded, rfc4648_vectors[i].plain);
      assert_decodes_to (rfc4648_vectors[i].unpadded, rfc4648_vectors[i].plain);
    }
}

static void
test_tolerant (void)
{
  /* The way people copy keys from a screen or a letter. */
  assert_decodes_to ("mzxw6ytboi", "foobar");
  assert_decodes_to ("MzXw6YtBoI", "foobar");
  assert_decodes_to ("MZXW 6YTB OI", "foobar");
  assert_decodes_to ("  MZXW-6YTB-OI  ", "foobar");
  assert_decodes_to ("mzxw-6ytb oi======", "foobar");
  assert_decodes_to ("MZXW6YTBOI\n", "foobar");
  assert_decodes_to ("MZXW6YTBOI====== ", "foobar");
  assert_decodes_to ("   ", "");
  assert_decodes_to ("JBSW Y3DP EHPK 3PXP", "Hello!\xde\xad\xbe\xef");
}

static void
test_bad_characters (void)
{
  static const struct {
    const char *text;
    const char *character;
    const char *position;
  } cases[] = {
    { "JBSW1Y3DP", "“1”", "5" },
    { "JBSWY3DP8", "“8”", "9" },
    { "0BSWY3DP", "“0”", "1" },
    { "JB SW!", "“!”", "6" },
    { "JBSWé3DP", "“é”", "5" },
    { "JBSW\tY3D\x01P", "U+0001", "9" },
    { "JBSW\xc3\x28", "\\xC3", "5" },
    { "MZXW6===YTB", "“=”", "6" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *message = assert_refused (cases[i].text);

      g_test_message ("%s", message);
      g_assert_nonnull (strstr (message, cases[i].character));
      g_assert_nonnull (strstr (message, cases[i].position));
    }
}

static void
test_impossible (void)
{
  static const char * const cases[] = {
    /* 1, 3 and 6 significant characters end in a partial byte. */
    "M",
    "MZX",
    "MZXW6Y",
    "MZXW6YTBO",
    "MZXW6YTBOIM",
    "MZXW 6YTB O",
    /* Bits that an encoder would have written as zero. */
    "MZ",
    "MZXR",
    "MZXW7",
    "MZXW6YR",
    "MZXW6YTBOJ",
    /* Padding that does not fill the last group, or a whole group of it. */
    "MY=====",
    "MY=======",
    "MZXW6YTB========",
    "========",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *message = assert_refused (cases[i]);

      g_test_message ("%s: %s", cases[i], message);
    }
}

static void
test_round_trip (void)
{
  for (guint i = 0; i < 1000; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *encoded = NULL;
      g_autofree char *lower = NULL;
      guint8 data[64];
      gsize len = g_test_rand_int_range (0, sizeof data + 1);
      guint8 *decoded;
      gsize decoded_len = 0;

      for (gsize j = 0; j < len; j++)
        data[j] = g_test_rand_int_range (0, 256);

      encoded = vst_base32_encode (data, len);
      g_assert_cmpuint (strlen (encoded), ==, (len * 8 + 4) / 5);
      g_assert_null (strchr (encoded, '='));

      decoded = vst_base32_decode (encoded, &decoded_len, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (decoded, decoded_len, data, len);
      vst_base32_free (decoded, decoded_len);

      lower = g_ascii_strdown (encoded, -1);
      decoded = vst_base32_decode (lower, &decoded_len, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (decoded, decoded_len, data, len);
      vst_base32_free (decoded, decoded_len);
    }
}

static void
test_group (void)
{
  static const struct {
    const char *key;
    const char *grouped;
  } cases[] = {
    { "", "" },
    { "J", "J" },
    { "JBSW", "JBSW" },
    { "JBSWY", "JBSW Y" },
    { "JBSWY3DPEHPK3PXP", "JBSW Y3DP EHPK 3PXP" },
    { "JBSWY3DPEHPK3PX", "JBSW Y3DP EHPK 3PX" },
    /* Already grouped, or grouped otherwise. */
    { "JBSW Y3DP EHPK 3PXP", "JBSW Y3DP EHPK 3PXP" },
    { "JB-SWY3 DPEHPK3PXP", "JBSW Y3DP EHPK 3PXP" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *grouped = vst_base32_group (cases[i].key);
      g_assert_cmpstr (grouped, ==, cases[i].grouped);
    }

  vst_base32_free (NULL, 0);
}

int
main (int    argc,
      char **argv)
{
  /* Error messages must come out untranslated, whatever the environment. */
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/base32/rfc4648/encode", test_rfc4648_encode);
  g_test_add_func ("/core/base32/rfc4648/decode", test_rfc4648_decode);
  g_test_add_func ("/core/base32/tolerant", test_tolerant);
  g_test_add_func ("/core/base32/bad-characters", test_bad_characters);
  g_test_add_func ("/core/base32/impossible", test_impossible);
  g_test_add_func ("/core/base32/round-trip", test_round_trip);
  g_test_add_func ("/core/base32/group", test_group);

  return g_test_run ();
}
