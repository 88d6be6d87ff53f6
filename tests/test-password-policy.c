/* test-password-policy.c: the password policy, its JSON, checks and generator.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <vestibule.h>

static VstPasswordPolicy *
policy_from_json (const char *json)
{
  g_autoptr (GError) error = NULL;
  VstPasswordPolicy *policy = vst_password_policy_new_from_json (json, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (policy);
  return policy;
}

static VstPasswordPolicy *
preset (const char *name)
{
  g_autoptr (GError) error = NULL;
  VstPasswordPolicy *policy = vst_password_policy_new_preset (name, &error);

  g_assert_no_error (error);
  g_assert_nonnull (policy);
  return policy;
}

/* The ids of the check's rules, joined by spaces, for compact assertions. */
static char *
rule_ids (const VstPasswordCheck *check)
{
  g_autoptr (GString) ids = g_string_new (NULL);

  for (guint i = 0; i < vst_password_check_get_n_rules (check); i++)
    {
      if (i > 0)
        g_string_append_c (ids, ' ');
      g_string_append (ids, vst_password_check_get_rule_id (check, i));
    }

  return g_string_free (g_steal_pointer (&ids), FALSE);
}

static char *
violations (const VstPasswordPolicy   *policy,
            const char                *password,
            const VstPasswordContext  *context)
{
  g_autoptr (VstPasswordCheck) check = vst_password_policy_check (policy, password, context);
  g_auto (GStrv) ids = vst_password_check_dup_violations (check);

  g_assert_true (vst_password_check_is_ok (check) == (ids[0] == NULL));
  return g_strjoinv (" ", ids);
}

static void
assert_violations (const VstPasswordPolicy  *policy,
                   const char               *password,
                   const VstPasswordContext *context,
                   const char               *expected)
{
  g_autofree char *ids = violations (policy, password, context);

  g_assert_cmpstr (ids, ==, expected);
}

static gboolean
holds (const VstPasswordPolicy  *policy,
       const char               *password,
       const VstPasswordContext *context,
       const char               *rule)
{
  g_autoptr (VstPasswordCheck) check = vst_password_policy_check (policy, password, context);

  return vst_password_check_rule_holds (check, rule);
}

static guint
score (const char *password)
{
  g_autoptr (VstPasswordPolicy) policy = preset ("default");
  g_autoptr (VstPasswordCheck) check = vst_password_policy_check (policy, password, NULL);

  return vst_password_check_get_score (check);
}

static double
entropy (const char *password)
{
  g_autoptr (VstPasswordPolicy) policy = preset ("default");
  g_autoptr (VstPasswordCheck) check = vst_password_policy_check (policy, password, NULL);

  return vst_password_check_get_entropy (check);
}

static void
test_presets (void)
{
  g_autoptr (VstPasswordPolicy) def = preset ("default");
  g_autoptr (VstPasswordPolicy) eu = preset ("eu-login");
  g_autoptr (VstPasswordPolicy) none = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (vst_password_policy_get_min_length (def), ==, 10);
  g_assert_cmpuint (vst_password_policy_get_max_length (def), ==, 128);
  g_assert_cmpuint (vst_password_policy_get_min_classes (def), ==, 3);
  g_assert_cmpuint (vst_password_policy_get_required_classes (def), ==, 0);

  g_assert_cmpuint (vst_password_policy_get_min_length (eu), ==, 8);
  g_assert_cmpuint (vst_password_policy_get_max_length (eu), ==, 128);
  g_assert_cmpuint (vst_password_policy_get_min_classes (eu), ==, 3);
  g_assert_cmpuint (vst_password_policy_get_required_classes (eu), ==, 0);

  none = vst_password_policy_new_preset ("lax", &error);
  g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_POLICY);
  g_assert_null (none);
  g_assert_nonnull (strstr (error->message, "lax"));
}

static void
test_ref (void)
{
  VstPasswordPolicy *policy = preset ("default");

  g_assert_true (vst_password_policy_ref (policy) == policy);
  vst_password_policy_unref (policy);
  g_assert_cmpuint (vst_password_policy_get_min_length (policy), ==, 10);
  vst_password_policy_unref (policy);
}

static void
assert_text (const VstPasswordCheck *check,
             guint                   i,
             const char             *text)
{
  g_assert_cmpstr (vst_password_check_get_rule_text (check, i), ==, text);
}

static void
test_describe (void)
{
  g_autoptr (VstPasswordPolicy) def = preset ("default");
  g_autoptr (VstPasswordPolicy) eu = preset ("eu-login");
  g_autoptr (VstPasswordPolicy) all =
    policy_from_json ("{\"required_classes\": [\"other\", \"digit\", \"lower\", \"upper\"],"
                      " \"max_repeat\": 1}");
  g_autoptr (VstPasswordPolicy) bare =
    policy_from_json ("{\"min_classes\": 0, \"forbid_login\": false, \"forbid_names\": false,"
                      " \"forbid_common\": false, \"max_repeat\": 0}");
  g_autoptr (VstPasswordCheck) described = vst_password_policy_describe (def);
  g_autoptr (VstPasswordCheck) checked = vst_password_policy_check (def, "x", NULL);
  g_autoptr (VstPasswordCheck) eu_described = vst_password_policy_describe (eu);
  g_autoptr (VstPasswordCheck) all_described = vst_password_policy_describe (all);
  g_autoptr (VstPasswordCheck) bare_described = vst_password_policy_describe (bare);
  g_autofree char *ids = rule_ids (described);
  g_autofree char *checked_ids = rule_ids (checked);
  g_autofree char *eu_ids = rule_ids (eu_described);
  g_autofree char *all_ids = rule_ids (all_described);
  g_autofree char *bare_ids = rule_ids (bare_described);

  /* The header's order, and only the rules the policy has. */
  g_assert_cmpstr (ids, ==, "min-length max-length classes no-login no-name not-common max-repeat");
  g_assert_cmpstr (checked_ids, ==, ids);
  g_assert_cmpstr (eu_ids, ==, "min-length max-length classes no-login");
  g_assert_cmpstr (all_ids, ==,
                   "min-length max-length classes require-upper require-lower require-digit "
                   "require-other no-login no-name not-common max-repeat");
  g_assert_cmpstr (bare_ids, ==, "min-length max-length");

  for (guint i = 0; i < vst_password_check_get_n_rules (described); i++)
    {
      g_assert_false (vst_password_check_get_rule_ok (described, i));
      g_assert_cmpstr (vst_password_check_get_rule_text (described, i), ==,
                       vst_password_check_get_rule_text (checked, i));
    }
  g_assert_false (vst_password_check_is_ok (described));
  g_assert_cmpfloat (vst_password_check_get_entropy (described), ==, 0.0);
  g_assert_cmpuint (vst_password_check_get_score (described), ==, 0);

  assert_text (described, 0, "At least 10 characters");
  assert_text (described, 1, "At most 128 characters");
  assert_text (described, 2, "Characters from at least 3 of these groups: "
                             "upper case, lower case, digits, symbols");
  assert_text (described, 3, "Does not contain your login");
  assert_text (described, 4, "Does not contain your name or e-mail address");
  assert_text (described, 5, "Not a commonly used password");
  assert_text (described, 6, "No character more than 3 times in a row");

  assert_text (all_described, 3, "At least one upper-case letter");
  assert_text (all_described, 4, "At least one lower-case letter");
  assert_text (all_described, 5, "At least one digit");
  assert_text (all_described, 6, "At least one symbol or space");
  assert_text (all_described, 10, "No character twice in a row");
}

static void
test_length (void)
{
  g_autoptr (VstPasswordPolicy) policy =
    policy_from_json ("{\"min_length\": 10, \"max_length\": 12}");

  g_assert_false (holds (policy, "", NULL, VST_RULE_MIN_LENGTH));
  g_assert_false (holds (policy, "Abcdefgh9", NULL, VST_RULE_MIN_LENGTH));
  g_assert_true (holds (policy, "Abcdefgh9j", NULL, VST_RULE_MIN_LENGTH));
  g_assert_true (holds (policy, "Abcdefgh9jkm", NULL, VST_RULE_MAX_LENGTH));
  g_assert_false (holds (policy, "Abcdefgh9jkmn", NULL, VST_RULE_MAX_LENGTH));
  g_assert_true (holds (policy, "Abcdefgh9jkmn", NULL, VST_RULE_MIN_LENGTH));
}

static void
test_utf8 (void)
{
  g_autoptr (VstPasswordPolicy) policy =
    policy_from_json ("{\"min_length\": 10, \"max_length\": 10}");
  g_autoptr (VstPasswordCheck) invalid = NULL;
  g_autofree char *decomposed = NULL;
  g_autofree char *ids = NULL;
  g_auto (GStrv) invalid_violations = NULL;

  /* Ten characters, thirteen bytes: é counts once. */
  g_assert_cmpuint (strlen ("Éléphant-é"), ==, 13);
  assert_violations (policy, "Éléphant-é", NULL, "");
  assert_violations (policy, "éèêëàâäôöû", NULL, "classes");
  g_assert_true (holds (policy, "éèêëàâäôöû", NULL, VST_RULE_MIN_LENGTH));
  g_assert_false (holds (policy, "éèêëàâäôöûù", NULL, VST_RULE_MAX_LENGTH));
  g_assert_false (holds (policy, "éèêëàâäôö", NULL, VST_RULE_MIN_LENGTH));

  /* The same letters typed as a base and a combining accent are the same
   * ten characters, and the accent is not a symbol. */
  decomposed = g_strdup ("E\xcc\x81" "te\xcc\x81" "te\xcc\x81" "rne\xcc\x81" "l7");
  g_assert_cmpuint (g_utf8_strlen (decomposed, -1), ==, 14);
  assert_violations (policy, decomposed, NULL, "");
  decomposed[strlen (decomposed) - 1] = 'x';
  assert_violations (policy, decomposed, NULL, "classes");

  /* Letters of other alphabets have cases too. */
  assert_violations (policy, "Ωμέγα12345", NULL, "");

  /* Not UTF-8: not a password at all, so every rule fails. */
  invalid = vst_password_policy_check (policy, "Abcdefgh9\xff", NULL);
  invalid_violations = vst_password_check_dup_violations (invalid);
  ids = g_strjoinv (" ", invalid_violations);
  g_assert_cmpstr (ids, ==, "min-length max-length classes no-login no-name not-common max-repeat");
  g_assert_false (vst_password_check_is_ok (invalid));
  g_assert_cmpfloat (vst_password_check_get_entropy (invalid), ==, 0.0);
  g_assert_cmpuint (vst_password_check_get_score (invalid), ==, 0);
  g_assert_false (vst_password_is_common ("password\xff"));
}

static void
test_classes (void)
{
  g_autoptr (VstPasswordPolicy) three = policy_from_json ("{\"min_length\": 1}");
  g_autoptr (VstPasswordPolicy) four = policy_from_json ("{\"min_length\": 1, \"min_classes\": 4}");

  g_assert_false (holds (three, "abcdefgh", NULL, VST_RULE_CLASSES));
  g_assert_false (holds (three, "abcdEFGH", NULL, VST_RULE_CLASSES));
  g_assert_true (holds (three, "abcdEFG7", NULL, VST_RULE_CLASSES));
  g_assert_true (holds (three, "abcdEFG!", NULL, VST_RULE_CLASSES));
  g_assert_true (holds (three, "abcd12!!", NULL, VST_RULE_CLASSES));
  /* White space is a symbol, as for EU Login. */
  g_assert_true (holds (three, "abcd EFGH", NULL, VST_RULE_CLASSES));
  g_assert_false (holds (four, "abcd EFGH", NULL, VST_RULE_CLASSES));
  g_assert_true (holds (four, "abcd EFG5", NULL, VST_RULE_CLASSES));
}

static void
test_required_classes (void)
{
  g_autoptr (VstPasswordPolicy) policy =
    policy_from_json ("{\"min_length\": 1, \"min_classes\": 0,"
                      " \"required_classes\": [\"upper\", \"lower\", \"digit\", \"other\"]}");
  g_autoptr (VstPasswordPolicy) digit = policy_from_json ("{\"required_classes\": [\"digit\"]}");

  g_assert_cmpuint (vst_password_policy_get_required_classes (policy), ==,
                    VST_CHAR_CLASS_UPPER | VST_CHAR_CLASS_LOWER |
                    VST_CHAR_CLASS_DIGIT | VST_CHAR_CLASS_OTHER);
  g_assert_cmpuint (vst_password_policy_get_required_classes (digit), ==, VST_CHAR_CLASS_DIGIT);

  assert_violations (policy, "Zz9!", NULL, "");
  assert_violations (policy, "zz9!", NULL, "require-upper");
  assert_violations (policy, "ZZ9!", NULL, "require-lower");
  assert_violations (policy, "Zzz!", NULL, "require-digit");
  assert_violations (policy, "Zz99", NULL, "require-other");
  assert_violations (policy, "Zz9 ", NULL, "");
  assert_violations (policy, "", NULL,
                   "min-length require-upper require-lower require-digit require-other");

  /* A required class is its own rule, beside the count of classes. */
  g_assert_false (holds (digit, "Kestrel-Harbour-Violin", NULL, VST_RULE_REQUIRE_DIGIT));
  g_assert_true (holds (digit, "Kestrel-Harbour-Violin", NULL, VST_RULE_CLASSES));
  g_assert_true (holds (digit, "Kestrel-Harbour-Violin4", NULL, VST_RULE_REQUIRE_DIGIT));
}

static void
test_login (void)
{
  g_autoptr (VstPasswordPolicy) policy = preset ("default");
  VstPasswordContext context = { .login = "jdupont" };
  VstPasswordContext short_login = { .login = "jd" };
  VstPasswordContext three = { .login = "JDU" };

  g_assert_false (holds (policy, "xX-jdupont-42", &context, VST_RULE_NO_LOGIN));
  g_assert_false (holds (policy, "xX-JDuPoNt-42", &context, VST_RULE_NO_LOGIN));
  g_assert_true (holds (policy, "xX-jdupon-42", &context, VST_RULE_NO_LOGIN));
  g_assert_true (holds (policy, "xX-jdupont-42", NULL, VST_RULE_NO_LOGIN));
  /* Under three characters, a login is too likely inside any word. */
  g_assert_true (holds (policy, "Jdanger-Zone-7", &short_login, VST_RULE_NO_LOGIN));
  g_assert_false (holds (policy, "Ajdu-Zone-7", &three, VST_RULE_NO_LOGIN));
}

static void
test_names (void)
{
  g_autoptr (VstPasswordPolicy) policy = preset ("default");
  VstPasswordContext email = { .email = "Jean.Dupont@example.org" };
  VstPasswordContext name = { .display_name = "Jean-Luc O'Neil" };
  VstPasswordContext accents = { .display_name = "Hélène Lé Núñez" };
  VstPasswordContext both = { .login = "jdupont", .email = "jd@example.org",
                              .display_name = "Li Wu" };

  g_assert_false (holds (policy, "Tulip-JEAN-4820", &email, VST_RULE_NO_NAME));
  g_assert_false (holds (policy, "Tulip-dupont-4820", &email, VST_RULE_NO_NAME));
  g_assert_false (holds (policy, "Tulip-Jean.Dupont", &email, VST_RULE_NO_NAME));
  /* The domain is not the person's. */
  g_assert_true (holds (policy, "Tulip-Example-4820", &email, VST_RULE_NO_NAME));

  g_assert_false (holds (policy, "Tulip-LUC-4820", &name, VST_RULE_NO_NAME));
  g_assert_false (holds (policy, "Tulip-neil-4820", &name, VST_RULE_NO_NAME));
  g_assert_false (holds (policy, "Tulip-jean-4820", &name, VST_RULE_NO_NAME));
  /* "O" is one character: ignored. */
  g_assert_true (holds (policy, "Tulip-O-4820", &name, VST_RULE_NO_NAME));

  /* Case and accents do not matter, parts of two characters do not count. */
  g_assert_false (holds (policy, "Tulip-HELENE-4820", &accents, VST_RULE_NO_NAME));
  g_assert_false (holds (policy, "Tulip-nunez-4820", &accents, VST_RULE_NO_NAME));
  g_assert_false (holds (policy, "Tulip-NÚÑEZ-4820", &accents, VST_RULE_NO_NAME));
  g_assert_true (holds (policy, "Tulip-le-4820", &accents, VST_RULE_NO_NAME));

  /* Short name and e-mail parts are ignored, and the login is its own rule. */
  g_assert_true (holds (policy, "Jd-Li-Wu-jdupont-4820", &both, VST_RULE_NO_NAME));
  g_assert_false (holds (policy, "Jd-Li-Wu-jdupont-4820", &both, VST_RULE_NO_LOGIN));

  /* A policy without the rule has no such rule, and it holds. */
  {
    g_autoptr (VstPasswordPolicy) eu = preset ("eu-login");
    g_autoptr (VstPasswordCheck) check = vst_password_policy_check (eu, "Tulip-JEAN-4820", &email);

    g_assert_true (vst_password_check_rule_holds (check, VST_RULE_NO_NAME));
    g_assert_true (vst_password_check_is_ok (check));
  }
}

static void
test_is_common (void)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) error = NULL;
  guint n = 0;

  g_assert_true (vst_password_is_common ("password"));
  g_assert_true (vst_password_is_common ("PassWord"));
  g_assert_true (vst_password_is_common ("Dragon"));
  g_assert_true (vst_password_is_common ("123456"));
  g_assert_true (vst_password_is_common ("qwerty"));
  g_assert_true (vst_password_is_common ("p@ssw0rd"));
  /* The last entry of the list. */
  g_assert_true (vst_password_is_common ("geekboy"));
  /* Full-width letters are the same letters. */
  g_assert_true (vst_password_is_common ("ＰＡＳＳＷＯＲＤ"));

  g_assert_false (vst_password_is_common (""));
  g_assert_false (vst_password_is_common ("password123!"));
  g_assert_false (vst_password_is_common ("kX7#pQ2m!vR9zW4t"));
  g_assert_false (vst_password_is_common ("kestrelharbour"));
  g_assert_false (vst_password_is_common ("passwordd"));

  /* Every entry of the list, as given, is found. */
  path = g_test_build_filename (G_TEST_DIST, "..", "data", "common-passwords.txt", NULL);
  if (!g_file_get_contents (path, &contents, NULL, &error))
    {
      g_test_skip (error->message);
      return;
    }

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '\0')
        continue;
      if (!vst_password_is_common (lines[i]))
        g_error ("“%s” is in the list but not found", lines[i]);
      n++;
    }
  g_assert_cmpuint (n, ==, 30000);
}

static void
test_not_common (void)
{
  g_autoptr (VstPasswordPolicy) policy = preset ("default");

  g_assert_false (holds (policy, "password", NULL, VST_RULE_NOT_COMMON));
  g_assert_false (holds (policy, "Dragon", NULL, VST_RULE_NOT_COMMON));
  /* A common password with digits and symbols after it. */
  g_assert_false (holds (policy, "Password123!", NULL, VST_RULE_NOT_COMMON));
  g_assert_false (holds (policy, "Dragon2024!", NULL, VST_RULE_NOT_COMMON));
  g_assert_false (holds (policy, "qwerty 99", NULL, VST_RULE_NOT_COMMON));
  g_assert_false (holds (policy, "123456!", NULL, VST_RULE_NOT_COMMON));
  g_assert_false (holds (policy, "abc123!!", NULL, VST_RULE_NOT_COMMON));

  /* Letters after it, or before it, make it another password. */
  g_assert_true (holds (policy, "Passwordless-Kestrel", NULL, VST_RULE_NOT_COMMON));
  g_assert_true (holds (policy, "kX7#pQ2m!vR9zW4t", NULL, VST_RULE_NOT_COMMON));
  g_assert_true (holds (policy, "Xpassword123!", NULL, VST_RULE_NOT_COMMON));
  /* A run of digits is not cut: 1234 is common, this number is not. */
  g_assert_true (vst_password_is_common ("1234"));
  g_assert_true (holds (policy, "1234907315", NULL, VST_RULE_NOT_COMMON));
}

static void
test_max_repeat (void)
{
  g_autoptr (VstPasswordPolicy) policy =
    policy_from_json ("{\"min_length\": 1, \"max_repeat\": 3}");
  g_autoptr (VstPasswordPolicy) off = policy_from_json ("{\"min_length\": 1, \"max_repeat\": 0}");

  g_assert_true (holds (policy, "Baaa-Kestrel", NULL, VST_RULE_MAX_REPEAT));
  g_assert_false (holds (policy, "Baaaa-Kestrel", NULL, VST_RULE_MAX_REPEAT));
  g_assert_false (holds (policy, "Kestrel-éééé", NULL, VST_RULE_MAX_REPEAT));
  g_assert_false (holds (policy, "Kestrel-4444", NULL, VST_RULE_MAX_REPEAT));
  /* Case makes another character. */
  g_assert_true (holds (policy, "Kestrel-aAaA", NULL, VST_RULE_MAX_REPEAT));
  g_assert_true (holds (policy, "abababab", NULL, VST_RULE_MAX_REPEAT));

  g_assert_true (holds (off, "Baaaaaaaaaa", NULL, VST_RULE_MAX_REPEAT));
}

static void
test_eu_login_samples (void)
{
  g_autoptr (VstPasswordPolicy) eu = preset ("eu-login");
  g_autoptr (VstPasswordPolicy) def = preset ("default");
  VstPasswordContext context = { .login = "nbeaumont", .email = "nadia.beaumont@example.org",
                                 .display_name = "Nadia Beaumont" };
  const char *samples[] = { "SENSRbaW", "GwOzMgom", "U(nuCuwh" };

  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      g_autofree char *def_violations = violations (def, samples[i], &context);

      /* Eight characters: too short for the default policy. */
      g_assert_nonnull (strstr (def_violations, "min-length"));
      g_assert_true (holds (eu, samples[i], &context, VST_RULE_MIN_LENGTH));
      g_assert_true (holds (eu, samples[i], &context, VST_RULE_NO_LOGIN));
    }

  /* Three groups: upper case, lower case and a symbol. */
  {
    g_autofree char *eu_violations = violations (eu, "U(nuCuwh", &context);
    g_autofree char *def_violations = violations (def, "U(nuCuwh", &context);

    g_assert_cmpstr (eu_violations, ==, "");
    g_assert_cmpstr (def_violations, ==, "min-length");
  }

  /* These two hold upper and lower case only: two groups of the three that
   * the eu-login preset asks for. */
  {
    g_autofree char *a = violations (eu, "SENSRbaW", &context);
    g_autofree char *b = violations (eu, "GwOzMgom", &context);
    g_autofree char *c = violations (def, "SENSRbaW", &context);

    g_assert_cmpstr (a, ==, "classes");
    g_assert_cmpstr (b, ==, "classes");
    g_assert_cmpstr (c, ==, "min-length classes");
  }
}

static void
test_violations (void)
{
  g_autoptr (VstPasswordPolicy) policy = preset ("default");
  VstPasswordContext context = { .login = "gwen", .display_name = "Gwen Stacy" };
  g_autoptr (VstPasswordCheck) check = vst_password_policy_check (policy, "password", &context);
  g_auto (GStrv) ids = vst_password_check_dup_violations (check);
  const char * const expected[] = { "min-length", "classes", "not-common", NULL };
  g_autofree char *everything = violations (policy, "gwenstacyyyy", &context);
  g_autofree char *nothing = violations (policy, "Kestrel-Harbour-Violin4", &context);

  g_assert_cmpstrv (ids, expected);
  g_assert_false (vst_password_check_is_ok (check));
  g_assert_false (vst_password_check_rule_holds (check, VST_RULE_MIN_LENGTH));
  g_assert_true (vst_password_check_rule_holds (check, VST_RULE_MAX_LENGTH));
  g_assert_true (vst_password_check_rule_holds (check, VST_RULE_NO_LOGIN));
  /* Not a rule of this policy. */
  g_assert_true (vst_password_check_rule_holds (check, VST_RULE_REQUIRE_DIGIT));
  g_assert_true (vst_password_check_rule_holds (check, "no-such-rule"));

  g_assert_cmpstr (everything, ==, "classes no-login no-name max-repeat");
  g_assert_cmpstr (nothing, ==, "");
}

static void
test_score (void)
{
  g_autoptr (VstPasswordPolicy) policy = preset ("default");
  g_autoptr (GError) error = NULL;
  VstPasswordContext context = { .login = "jdupont", .display_name = "Jean Dupont" };
  char *generated;

  g_assert_cmpuint (score ("123456"), ==, 0);
  g_assert_cmpuint (score ("password"), ==, 0);
  g_assert_cmpuint (score (""), ==, 0);
  g_assert_cmpfloat (entropy (""), ==, 0.0);

  g_assert_cmpfloat (entropy ("password"), <, entropy ("correcthorsebatterystaple"));
  g_assert_cmpfloat (entropy ("correcthorsebatterystaple"), <,
                     entropy ("correct horse battery staple"));
  g_assert_cmpuint (score ("password"), <, score ("correct horse battery staple"));
  g_assert_cmpuint (score ("correct horse battery staple"), ==, 4);

  /* The person's own name is a word an attacker tries first. */
  {
    g_autoptr (VstPasswordCheck) with =
      vst_password_policy_check (policy, "JeanDupont2024", &context);
    g_autoptr (VstPasswordCheck) without =
      vst_password_policy_check (policy, "JeanDupont2024", NULL);

    g_assert_cmpfloat (vst_password_check_get_entropy (with), <,
                       vst_password_check_get_entropy (without));
  }

  generated = vst_password_policy_generate (policy, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (score (generated), ==, 4);
  vst_secure_free (generated);
}

static void
assert_round_trip (VstPasswordPolicy *policy)
{
  g_autofree char *json = vst_password_policy_to_json (policy);
  g_autoptr (VstPasswordPolicy) again = policy_from_json (json);
  g_autofree char *json_again = vst_password_policy_to_json (again);

  g_assert_cmpstr (json, ==, json_again);
  g_assert_cmpuint (vst_password_policy_get_min_length (again), ==,
                    vst_password_policy_get_min_length (policy));
  g_assert_cmpuint (vst_password_policy_get_max_length (again), ==,
                    vst_password_policy_get_max_length (policy));
  g_assert_cmpuint (vst_password_policy_get_min_classes (again), ==,
                    vst_password_policy_get_min_classes (policy));
  g_assert_cmpuint (vst_password_policy_get_required_classes (again), ==,
                    vst_password_policy_get_required_classes (policy));
}

static JsonObject *
parse_object (const char *json)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_json_round_trip (void)
{
  g_autoptr (VstPasswordPolicy) def = preset ("default");
  g_autoptr (VstPasswordPolicy) eu = preset ("eu-login");
  g_autoptr (VstPasswordPolicy) custom =
    policy_from_json ("{\"max_repeat\": 2, \"required_classes\": [\"digit\", \"upper\"],"
                      " \"min_length\": 14, \"forbid_common\": false}");
  g_autoptr (VstPasswordPolicy) overridden =
    policy_from_json ("{\"min_length\": 12, \"preset\": \"eu-login\"}");
  g_autofree char *def_json = vst_password_policy_to_json (def);
  g_autofree char *eu_json = vst_password_policy_to_json (eu);
  g_autofree char *custom_json = vst_password_policy_to_json (custom);
  g_autoptr (JsonObject) def_object = parse_object (def_json);
  g_autoptr (JsonObject) eu_object = parse_object (eu_json);
  g_autoptr (JsonObject) custom_object = parse_object (custom_json);
  JsonArray *classes;

  assert_round_trip (def);
  assert_round_trip (eu);
  assert_round_trip (custom);
  assert_round_trip (overridden);

  /* Every member is written. */
  g_assert_cmpstr (json_object_get_string_member (def_object, "preset"), ==, "default");
  g_assert_cmpint (json_object_get_int_member (def_object, "min_length"), ==, 10);
  g_assert_cmpint (json_object_get_int_member (def_object, "max_length"), ==, 128);
  g_assert_cmpint (json_object_get_int_member (def_object, "min_classes"), ==, 3);
  classes = json_object_get_array_member (def_object, "required_classes");
  g_assert_cmpuint (json_array_get_length (classes), ==, 0);
  g_assert_true (json_object_get_boolean_member (def_object, "forbid_login"));
  g_assert_true (json_object_get_boolean_member (def_object, "forbid_names"));
  g_assert_true (json_object_get_boolean_member (def_object, "forbid_common"));
  g_assert_cmpint (json_object_get_int_member (def_object, "max_repeat"), ==, 3);
  g_assert_cmpuint (json_object_get_size (def_object), ==, 9);

  g_assert_cmpstr (json_object_get_string_member (eu_object, "preset"), ==, "eu-login");
  g_assert_cmpint (json_object_get_int_member (eu_object, "min_length"), ==, 8);
  g_assert_true (json_object_get_boolean_member (eu_object, "forbid_login"));
  g_assert_false (json_object_get_boolean_member (eu_object, "forbid_names"));
  g_assert_false (json_object_get_boolean_member (eu_object, "forbid_common"));
  g_assert_cmpint (json_object_get_int_member (eu_object, "max_repeat"), ==, 0);

  /* Without a preset, it starts from "default" and names none. */
  g_assert_false (json_object_has_member (custom_object, "preset"));
  g_assert_cmpint (json_object_get_int_member (custom_object, "min_length"), ==, 14);
  g_assert_cmpint (json_object_get_int_member (custom_object, "min_classes"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (custom_object, "max_repeat"), ==, 2);
  g_assert_true (json_object_get_boolean_member (custom_object, "forbid_names"));
  g_assert_false (json_object_get_boolean_member (custom_object, "forbid_common"));
  classes = json_object_get_array_member (custom_object, "required_classes");
  g_assert_cmpuint (json_array_get_length (classes), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (classes, 0), ==, "upper");
  g_assert_cmpstr (json_array_get_string_element (classes, 1), ==, "digit");

  /* Members override the preset, wherever it comes in the object. */
  g_assert_cmpuint (vst_password_policy_get_min_length (overridden), ==, 12);
  {
    g_autoptr (VstPasswordCheck) check = vst_password_policy_describe (overridden);
    g_autofree char *ids = rule_ids (check);

    g_assert_cmpstr (ids, ==, "min-length max-length classes no-login");
  }

  /* The preset's name alone is the preset. */
  {
    g_autoptr (VstPasswordPolicy) named = policy_from_json ("{\"preset\": \"eu-login\"}");
    g_autofree char *named_json = vst_password_policy_to_json (named);

    g_assert_cmpstr (named_json, ==, eu_json);
  }

  /* An explicit length is honoured. */
  {
    g_autoptr (GError) error = NULL;
    const char *json = "{\"min_length\": 11}garbage";
    g_autoptr (VstPasswordPolicy) sized =
      vst_password_policy_new_from_json (json, strchr (json, '}') + 1 - json, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (vst_password_policy_get_min_length (sized), ==, 11);
  }
}

static void
assert_json_error (const char *json,
                   const char *in_message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VstPasswordPolicy) policy = vst_password_policy_new_from_json (json, -1, &error);

  g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_POLICY);
  g_assert_null (policy);
  if (in_message != NULL && strstr (error->message, in_message) == NULL)
    g_error ("“%s”: the error “%s” does not name “%s”",
             json, error->message, in_message);
}

static void
test_json_errors (void)
{
  /* A typo must not leave the preset's value silently in place. */
  assert_json_error ("{\"min_lenght\": 12}", "min_lenght");
  assert_json_error ("{\"preset\": \"default\", \"colour\": \"blue\"}", "colour");

  /* Wrong types. */
  assert_json_error ("{\"min_length\": \"12\"}", "min_length");
  assert_json_error ("{\"min_length\": 12.5}", "min_length");
  assert_json_error ("{\"min_length\": null}", "min_length");
  assert_json_error ("{\"max_repeat\": true}", "max_repeat");
  assert_json_error ("{\"forbid_login\": 1}", "forbid_login");
  assert_json_error ("{\"forbid_common\": \"yes\"}", "forbid_common");
  assert_json_error ("{\"required_classes\": \"upper\"}", "required_classes");
  assert_json_error ("{\"required_classes\": [\"upper\", \"symbols\"]}", "required_classes");
  assert_json_error ("{\"required_classes\": [1]}", "required_classes");
  assert_json_error ("{\"preset\": 1}", "preset");
  assert_json_error ("{\"preset\": \"lax\"}", "lax");

  /* Out of range, or impossible. */
  assert_json_error ("{\"min_length\": 20, \"max_length\": 16}", "min_length");
  assert_json_error ("{\"min_length\": 0}", "min_length");
  assert_json_error ("{\"min_length\": -1}", "min_length");
  assert_json_error ("{\"max_length\": 5000}", "max_length");
  assert_json_error ("{\"min_classes\": 5}", "min_classes");
  assert_json_error ("{\"min_length\": 1, \"max_length\": 2, \"min_classes\": 3}", "max_length");
  assert_json_error ("{\"min_length\": 1, \"max_length\": 3, \"min_classes\": 0,"
                     " \"required_classes\": [\"upper\", \"lower\", \"digit\", \"other\"]}",
                     "max_length");

  /* Not a policy at all. */
  assert_json_error ("", NULL);
  assert_json_error ("{\"min_length\": 12", NULL);
  assert_json_error ("min_length = 12", NULL);
  assert_json_error ("[{\"min_length\": 12}]", NULL);
  assert_json_error ("12", NULL);
  assert_json_error ("null", NULL);
}

static const char ambiguous[] = "0O1lI";

static void
assert_generated (VstPasswordPolicy        *policy,
                  const VstPasswordContext *context,
                  guint                     length,
                  GHashTable               *seen)
{
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (VstPasswordCheck) check = NULL;
      char *password = vst_password_policy_generate (policy, context, &error);

      g_assert_no_error (error);
      g_assert_nonnull (password);
      g_assert_cmpuint (strlen (password), ==, length);
      g_assert_null (strpbrk (password, ambiguous));

      check = vst_password_policy_check (policy, password, context);
      if (!vst_password_check_is_ok (check) || vst_password_check_get_score (check) != 4)
        g_error ("generated password fails its policy (score %u)",
                 vst_password_check_get_score (check));

      /* Every one different from all the others. */
      g_assert_false (g_hash_table_contains (seen, password));
      g_hash_table_add (seen, password);
    }
}

static void
test_generate (void)
{
  g_autoptr (VstPasswordPolicy) def = preset ("default");
  g_autoptr (VstPasswordPolicy) eu = preset ("eu-login");
  g_autoptr (VstPasswordPolicy) custom =
    policy_from_json ("{\"min_length\": 40, \"max_length\": 64, \"max_repeat\": 1,"
                      " \"required_classes\": [\"upper\", \"lower\", \"digit\", \"other\"]}");
  g_autoptr (VstPasswordPolicy) short_max =
    policy_from_json ("{\"min_length\": 8, \"max_length\": 12}");
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                       (GDestroyNotify) vst_secure_free, NULL);
  VstPasswordContext context = { .login = "jdupont", .email = "jean.dupont@example.org",
                                 .display_name = "Jean Dupont" };

  assert_generated (def, &context, 16, seen);
  assert_generated (eu, NULL, 16, seen);
  assert_generated (custom, &context, 40, seen);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 600);

  /* No longer than the policy allows. */
  {
    g_autoptr (GError) error = NULL;
    char *password = vst_password_policy_generate (short_max, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (strlen (password), ==, 12);
    vst_secure_free (password);
  }
}

static void
test_generate_impossible (void)
{
  /* Four characters can never reach a score of 4. */
  g_autoptr (VstPasswordPolicy) tiny =
    policy_from_json ("{\"min_length\": 1, \"max_length\": 4, \"min_classes\": 0}");
  g_autoptr (GError) error = NULL;
  char *password = vst_password_policy_generate (tiny, NULL, &error);

  g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_ARGUMENT);
  g_assert_null (password);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/password-policy/presets", test_presets);
  g_test_add_func ("/core/password-policy/ref", test_ref);
  g_test_add_func ("/core/password-policy/describe", test_describe);
  g_test_add_func ("/core/password-policy/length", test_length);
  g_test_add_func ("/core/password-policy/utf8", test_utf8);
  g_test_add_func ("/core/password-policy/classes", test_classes);
  g_test_add_func ("/core/password-policy/required-classes", test_required_classes);
  g_test_add_func ("/core/password-policy/login", test_login);
  g_test_add_func ("/core/password-policy/names", test_names);
  g_test_add_func ("/core/password-policy/is-common", test_is_common);
  g_test_add_func ("/core/password-policy/not-common", test_not_common);
  g_test_add_func ("/core/password-policy/max-repeat", test_max_repeat);
  g_test_add_func ("/core/password-policy/eu-login-samples", test_eu_login_samples);
  g_test_add_func ("/core/password-policy/violations", test_violations);
  g_test_add_func ("/core/password-policy/score", test_score);
  g_test_add_func ("/core/password-policy/json/round-trip", test_json_round_trip);
  g_test_add_func ("/core/password-policy/json/errors", test_json_errors);
  g_test_add_func ("/core/password-policy/generate/policies", test_generate);
  g_test_add_func ("/core/password-policy/generate/impossible", test_generate_impossible);

  return g_test_run ();
}
