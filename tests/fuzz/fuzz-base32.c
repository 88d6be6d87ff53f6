/* SPDX-License-Identifier: GPL-3.0-or-later */

/* vst_base32_decode() on anything a person may type, and the promises
 * around it: what decodes encodes back to something that decodes to the
 * same bytes, and grouping for display changes nothing. */

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
  g_autofree char *text = fuzz_strndup (data, size);
  g_autoptr(GError) error = NULL;
  g_autofree char *grouped = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *regrouped = NULL;
  guint8 *bytes, *again;
  gsize len = 0, again_len = 0;

  bytes = vst_base32_decode (text, &len, &error);
  grouped = vst_base32_group (text);
  if (bytes == NULL)
    {
      fuzz_assert (error != NULL && error->domain == VST_CORE_ERROR);
      fuzz_assert (error->message != NULL && *error->message != '\0');
      return 0;
    }
  fuzz_assert (error == NULL);
  fuzz_assert (bytes[len] == 0);

  /* Grouping only moves separators: the key stays the same. */
  again = vst_base32_decode (grouped, &again_len, NULL);
  fuzz_assert (again != NULL && again_len == len && memcmp (again, bytes, len) == 0);
  vst_base32_free (again, again_len);

  /* Canonical form round trip. */
  encoded = vst_base32_encode (bytes, len);
  fuzz_assert (strlen (encoded) == (len * 8 + 4) / 5);
  regrouped = vst_base32_group (encoded);
  again = vst_base32_decode (regrouped, &again_len, NULL);
  fuzz_assert (again != NULL && again_len == len && memcmp (again, bytes, len) == 0);
  vst_base32_free (again, again_len);

  vst_base32_free (bytes, len);
  return 0;
}
