/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The password policy JSON of a server configuration, and the password
 * check, on anything. A policy that loads writes itself back as JSON that
 * loads to the same policy; a password, valid UTF-8 or not, gets a verdict
 * for every rule without a crash. */

#include "config.h"

#include <vestibule.h>

#include "fuzz-common.h"

static VstPasswordPolicy *default_policy;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  default_policy = vst_password_policy_new_preset ("default", NULL);
  g_assert (default_policy != NULL);
  return 0;
}

static void
check_password (const VstPasswordPolicy *policy,
                const char              *password)
{
  const VstPasswordContext context = {
    .login = "jdupont",
    .email = "jean.dupont@example.org",
    .display_name = "Jean Dupönt",
  };
  g_autoptr(VstPasswordCheck) check = vst_password_policy_check (policy, password, &context);
  g_autoptr(VstPasswordCheck) described = vst_password_policy_describe (policy);
  g_auto(GStrv) violations = NULL;
  guint n_failed = 0;

  fuzz_assert (check != NULL && described != NULL);
  fuzz_assert (vst_password_check_get_n_rules (check) == vst_password_check_get_n_rules (described));
  for (guint i = 0; i < vst_password_check_get_n_rules (check); i++)
    {
      fuzz_assert (strcmp (vst_password_check_get_rule_id (check, i),
                           vst_password_check_get_rule_id (described, i)) == 0);
      fuzz_assert (vst_password_check_get_rule_text (check, i) != NULL);
      if (!vst_password_check_get_rule_ok (check, i))
        n_failed++;
    }
  violations = vst_password_check_dup_violations (check);
  fuzz_assert (violations != NULL && g_strv_length (violations) == n_failed);
  fuzz_assert (vst_password_check_is_ok (check) == (n_failed == 0));
  fuzz_assert (vst_password_check_get_score (check) <= 4);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = fuzz_strndup (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(VstPasswordPolicy) policy = NULL;
  g_autoptr(VstPasswordPolicy) again = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_again = NULL;

  /* The input as a password, for the policy the server uses by default. */
  check_password (default_policy, text);

  /* The input as a policy: the whole bytes, with an explicit length. */
  policy = vst_password_policy_new_from_json ((const char *) data, size, &error);
  if (policy == NULL)
    {
      fuzz_assert (error != NULL && error->domain == VST_CORE_ERROR);
      return 0;
    }
  fuzz_assert (vst_password_policy_get_min_length (policy) <= vst_password_policy_get_max_length (policy));

  json = vst_password_policy_to_json (policy);
  again = vst_password_policy_new_from_json (json, -1, &error);
  if (again == NULL)
    {
      g_printerr ("%s does not load back: %s\n", json, error->message);
      abort ();
    }
  json_again = vst_password_policy_to_json (again);
  fuzz_assert (strcmp (json, json_again) == 0);

  check_password (policy, "Velo-Rouge-Montagne-42");
  return 0;
}
