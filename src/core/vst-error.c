/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>
#include <string.h>

#include "vst-error.h"

G_DEFINE_QUARK (vst-core-error-quark, vst_core_error)

void
vst_core_init_i18n (const char *localedir)
{
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
}

gboolean
vst_secure_equal (const void *a,
                  const void *b,
                  gsize       len)
{
  return CRYPTO_memcmp (a, b, len) == 0;
}

void
vst_secure_free (char *secret)
{
  if (secret == NULL)
    return;
  OPENSSL_cleanse (secret, strlen (secret));
  g_free (secret);
}
