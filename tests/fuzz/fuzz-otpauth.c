/* SPDX-License-Identifier: GPL-3.0-or-later */

/* vst_otpauth_parse() on any URI, as a QR code or a paste gives it; what
 * parses turns into a key whose URI parses back to the same values. */

#include "config.h"

#include <vestibule.h>

#include "fuzz-common.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *uri = fuzz_strndup (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(VstOtpauth) parsed = NULL;
  g_autoptr(VstOtpauth) again = NULL;
  g_autoptr(VstOtpKey) key = NULL;
  g_autofree char *built = NULL;

  parsed = vst_otpauth_parse (uri, &error);
  if (parsed == NULL)
    {
      fuzz_assert (error != NULL && error->domain == VST_CORE_ERROR);
      return 0;
    }
  fuzz_assert (parsed->account != NULL && parsed->secret != NULL);
  fuzz_assert (g_utf8_validate (parsed->account, -1, NULL));
  fuzz_assert (parsed->issuer == NULL || g_utf8_validate (parsed->issuer, -1, NULL));
  fuzz_assert (parsed->digits >= 6 && parsed->digits <= 8);
  fuzz_assert (parsed->period >= 1 && parsed->period <= 3600);

  key = vst_otpauth_to_key (parsed, &error);
  fuzz_assert (key != NULL);

  /* What we write we read back, the same. */
  built = vst_otpauth_build (parsed->issuer, parsed->account, key);
  again = vst_otpauth_parse (built, &error);
  if (again == NULL)
    {
      g_printerr ("%s does not parse back: %s\n", built, error->message);
      abort ();
    }
  fuzz_assert (g_strcmp0 (again->issuer, parsed->issuer) == 0);
  fuzz_assert (strcmp (again->account, parsed->account) == 0);
  fuzz_assert (strcmp (again->secret, parsed->secret) == 0);
  fuzz_assert (again->algorithm == parsed->algorithm);
  fuzz_assert (again->digits == parsed->digits && again->period == parsed->period);
  return 0;
}
