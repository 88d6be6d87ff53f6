/* vst-base32.c: RFC 4648 base32, the way TOTP keys are written
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>
#include <string.h>

#include "vst-base32.h"
#include "vst-error.h"

static const char base32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

char *
vst_base32_encode (const guint8 *data,
                   gsize         len)
{
  char *out;
  gsize out_len;
  gsize o = 0;
  guint32 buffer = 0;
  guint bits = 0;

  g_return_val_if_fail (data != NULL || len == 0, g_strdup (""));
  g_return_val_if_fail (len <= (G_MAXSIZE - 5) / 8, g_strdup (""));

  out_len = (len * 8 + 4) / 5;
  out = g_malloc (out_len + 1);

  for (gsize i = 0; i < len; i++)
    {
      buffer = (buffer << 8) | data[i];
      bits += 8;
      while (bits >= 5)
        {
          bits -= 5;
          out[o++] = base32_alphabet[(buffer >> bits) & 0x1f];
        }
    }

  /* The last group is padded with zero bits on the right (RFC 4648 §6). */
  if (bits > 0)
    out[o++] = base32_alphabet[(buffer << (5 - bits)) & 0x1f];

  g_assert (o == out_len);
  out[o] = '\0';

  /* The accumulator held bits of what may be a secret key. */
  OPENSSL_cleanse (&buffer, sizeof buffer);

  return out;
}

static int
base32_value (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a';
  if (c >= '2' && c <= '7')
    return c - '2' + 26;
  return -1;
}

/* Separators people type or paste between groups of a key. */
static gboolean
is_separator (char c)
{
  return c == '-' || g_ascii_isspace (c);
}

/* Describes the character at @p for an error message: the character itself
 * when it can be shown, its code point when it cannot, and the raw byte when
 * the text is not even UTF-8. */
static char *
describe_character (const char *p)
{
  gunichar c;

  if ((guchar) *p < 0x80)
    c = (guchar) *p;
  else
    c = g_utf8_get_char_validated (p, -1);

  if (c == (gunichar) -1 || c == (gunichar) -2)
    return g_strdup_printf ("\\x%02X", (guchar) *p);

  if (g_unichar_isgraph (c))
    {
      char utf8[7] = { 0 };

      g_unichar_to_utf8 (c, utf8);
      return g_strdup (utf8);
    }

  return g_strdup_printf ("U+%04X", c);
}

guint8 *
vst_base32_decode (const char  *text,
                   gsize       *out_len,
                   GError     **error)
{
  g_autofree guint8 *out = NULL;
  gsize text_len;
  gsize o = 0;
  gsize n_data = 0;
  gsize n_padding = 0;
  gsize padding_position = 0;
  guint32 buffer = 0;
  guint bits = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (out_len != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  *out_len = 0;
  text_len = strlen (text);

  /* Every significant character gives 5 bits, so this is never too small. */
  out = g_malloc (text_len * 5 / 8 + 1);

  for (gsize i = 0; i < text_len; i++)
    {
      char c = text[i];
      int value;

      if (is_separator (c))
        continue;

      if (c == '=')
        {
          if (n_padding == 0)
            padding_position = i;
          n_padding++;
          continue;
        }

      value = base32_value (c);
      if (value < 0)
        {
          g_autofree char *described = describe_character (&text[i]);

          /* Every character before this one was ASCII, so the byte offset
           * is also the character position that the user sees. */
          g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_BASE32,
                       /* Translators: %s is a character, such as 0 or !, or a
                        * code such as U+0009 when it cannot be shown; %zu is
                        * its position in the key, counted from 1. */
                       _("The key cannot contain “%s” (position %zu): it may only "
                         "use the letters A to Z and the digits 2 to 7."),
                       described, i + 1);
          goto out;
        }

      if (n_padding > 0)
        {
          g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_BASE32,
                       /* Translators: %zu is a position in the key, counted
                        * from 1. */
                       _("The key has “=” at position %zu: “=” may only come "
                         "at the end."),
                       padding_position + 1);
          goto out;
        }

      buffer = (buffer << 5) | (guint32) value;
      bits += 5;
      n_data++;
      if (bits >= 8)
        {
          bits -= 8;
          out[o++] = (buffer >> bits) & 0xff;
        }
    }

  /* Eight characters carry five bytes; a last group of 1, 3 or 6 characters
   * would leave a partial byte that no encoder writes, so it means a
   * character was lost or added. */
  switch (n_data % 8)
    {
    case 1:
    case 3:
    case 6:
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_BASE32,
                   ngettext ("The key has %zu character, which is not a possible "
                             "length: a character is missing or extra.",
                             "The key has %zu characters, which is not a possible "
                             "length: a character is missing or extra.",
                             n_data),
                   n_data);
      goto out;

    default:
      break;
    }

  /* The bits left over pad the last character; an encoder always writes
   * zeros there (RFC 4648 §3.5), so anything else is a typo in the last
   * character. */
  if ((buffer & ((1u << bits) - 1)) != 0)
    {
      g_set_error_literal (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_BASE32,
                           _("The last character of the key is not possible "
                             "there: check it for a typo."));
      goto out;
    }

  /* Padding is optional, but when present it must fill the last group of
   * eight characters exactly. */
  if (n_padding > 0 && (n_padding >= 8 || (n_data + n_padding) % 8 != 0))
    {
      g_set_error_literal (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_BASE32,
                           _("The key ends with the wrong number of “=”."));
      goto out;
    }

  out[o] = '\0';
  *out_len = o;
  ok = TRUE;

out:
  OPENSSL_cleanse (&buffer, sizeof buffer);
  if (!ok)
    {
      OPENSSL_cleanse (out, text_len * 5 / 8 + 1);
      return NULL;
    }
  return g_steal_pointer (&out);
}

void
vst_base32_free (guint8 *data,
                 gsize   len)
{
  if (data == NULL)
    return;
  OPENSSL_cleanse (data, len);
  g_free (data);
}

char *
vst_base32_group (const char *key)
{
  char *out;
  gsize n = 0;
  gsize o = 0;

  g_return_val_if_fail (key != NULL, NULL);

  /* The result is sized up front rather than grown in a GString, so that no
   * copy of the key is left behind in a reallocated buffer. */
  for (const char *p = key; *p != '\0'; p++)
    if (!is_separator (*p))
      n++;

  out = g_malloc (n + (n > 0 ? (n - 1) / 4 : 0) + 1);

  n = 0;
  for (const char *p = key; *p != '\0'; p++)
    {
      if (is_separator (*p))
        continue;
      if (n > 0 && n % 4 == 0)
        out[o++] = ' ';
      out[o++] = *p;
      n++;
    }
  out[o] = '\0';

  return out;
}
