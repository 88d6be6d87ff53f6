/* vst-otpauth.c: otpauth://totp/ URIs, Google's "Key Uri Format"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>
#include <string.h>

#include "vst-base32.h"
#include "vst-error.h"
#include "vst-otp.h"
#include "vst-otpauth.h"

#define VST_OTPAUTH_MAX_PERIOD 3600

/* Besides RFC 3986's unreserved characters, '@' is left as it is: it is
 * legal in both the path and the query, and e-mail addresses as account
 * names stay readable. Everything else, ':' included, is escaped, so that
 * the one literal ':' of the label is the issuer separator. */
static char *
percent_encode (const char *text)
{
  return g_uri_escape_string (text, "@", FALSE);
}

char *
vst_otpauth_build (const char      *issuer,
                   const char      *account,
                   const VstOtpKey *key)
{
  g_autofree char *escaped_issuer = NULL;
  g_autofree char *escaped_account = NULL;
  char *secret;
  GString *uri;
  gsize size;
  VstOtpAlgorithm algorithm;
  guint digits;
  guint period;

  g_return_val_if_fail (account != NULL && *account != '\0', NULL);
  g_return_val_if_fail (g_utf8_validate (account, -1, NULL), NULL);
  g_return_val_if_fail (issuer == NULL || g_utf8_validate (issuer, -1, NULL), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (issuer != NULL && *issuer == '\0')
    issuer = NULL;

  algorithm = vst_otp_key_get_algorithm (key);
  digits = vst_otp_key_get_digits (key);
  period = vst_otp_key_get_period (key);

  escaped_account = percent_encode (account);
  if (issuer != NULL)
    escaped_issuer = percent_encode (issuer);
  secret = vst_otp_key_dup_base32 (key);

  /* Sized for the longest result up front, so that the GString is never
   * reallocated and no copy of the secret is left in freed memory. */
  size = strlen ("otpauth://totp/:?secret=&issuer=&algorithm=SHA512&digits=8&period=3600")
         + strlen (escaped_account) + strlen (secret)
         + (escaped_issuer != NULL ? 2 * strlen (escaped_issuer) : 0) + 1;
  uri = g_string_sized_new (size);

  g_string_append (uri, "otpauth://totp/");
  if (escaped_issuer != NULL)
    {
      g_string_append (uri, escaped_issuer);
      g_string_append_c (uri, ':');
    }
  g_string_append (uri, escaped_account);

  g_string_append (uri, "?secret=");
  g_string_append (uri, secret);
  vst_secure_free (secret);

  /* The label prefix is what old apps read, the parameter what new ones
   * read; Google's format asks for both. */
  if (escaped_issuer != NULL)
    {
      g_string_append (uri, "&issuer=");
      g_string_append (uri, escaped_issuer);
    }

  /* Some apps ignore these parameters, or choke on them, so they are only
   * written when they differ from the defaults every app assumes. */
  if (algorithm != VST_OTP_DEFAULT_ALGORITHM)
    g_string_append_printf (uri, "&algorithm=%s", vst_otp_algorithm_to_string (algorithm));
  if (digits != VST_OTP_DEFAULT_DIGITS)
    g_string_append_printf (uri, "&digits=%u", digits);
  if (period != VST_OTP_DEFAULT_PERIOD)
    g_string_append_printf (uri, "&period=%u", period);

  g_assert (uri->len < size);

  return g_string_free (uri, FALSE);
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Decodes the @len bytes at @text, a component of the URI named @part in
 * error messages. The result is a NUL-terminated UTF-8 string; when it is
 * the secret, the caller frees it with vst_secure_free(). */
static char *
percent_decode (const char  *text,
                gsize        len,
                const char  *part,
                GError     **error)
{
  char *out = g_malloc (len + 1);
  gsize o = 0;

  for (gsize i = 0; i < len; i++)
    {
      guchar c = text[i];

      /* A URI carries no spaces or control characters: they have to be
       * escaped, and finding one means the text was mangled. */
      if (c <= 0x20 || c == 0x7f)
        {
          g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_URI,
                       /* Translators: %s is the name of a part of an
                        * otpauth:// address, such as “label” or “issuer”;
                        * it is not translated. */
                       _("The “%s” part of the address contains a space or a "
                         "control character."),
                       part);
          goto fail;
        }

      if (c == '%')
        {
          int high = i + 2 < len ? hex_value (text[i + 1]) : -1;
          int low = i + 2 < len ? hex_value (text[i + 2]) : -1;

          if (high < 0 || low < 0)
            {
              g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_URI,
                           /* Translators: %s is the name of a part of an
                            * otpauth:// address, such as “label” or “issuer”;
                            * it is not translated. A percent escape is a “%”
                            * followed by two hexadecimal digits. */
                           _("The “%s” part of the address has an invalid "
                             "percent escape."),
                           part);
              goto fail;
            }

          c = (guchar) (high << 4 | low);
          if (c == '\0')
            {
              g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_URI,
                           /* Translators: %s is the name of a part of an
                            * otpauth:// address, such as “label” or “issuer”;
                            * it is not translated. */
                           _("The “%s” part of the address contains a null "
                             "character (%%00)."),
                           part);
              goto fail;
            }
          i += 2;
        }

      out[o++] = c;
    }
  out[o] = '\0';

  if (!g_utf8_validate (out, o, NULL))
    {
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_URI,
                   /* Translators: %s is the name of a part of an otpauth://
                    * address, such as “label” or “issuer”; it is not
                    * translated. */
                   _("The “%s” part of the address is not valid UTF-8 text."),
                   part);
      goto fail;
    }

  return out;

fail:
  OPENSSL_cleanse (out, len + 1);
  g_free (out);
  return NULL;
}

/* A decimal number in [@min, @max], without sign, spaces or unit. */
static gboolean
parse_number (const char *text,
              guint       min,
              guint       max,
              guint      *out_value)
{
  guint64 value = 0;

  if (*text == '\0')
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      value = value * 10 + (guint64) (*p - '0');
      if (value > max)
        return FALSE;
    }

  if (value < min)
    return FALSE;

  *out_value = (guint) value;
  return TRUE;
}

typedef enum {
  PARAM_SECRET,
  PARAM_ISSUER,
  PARAM_ALGORITHM,
  PARAM_DIGITS,
  PARAM_PERIOD,
  N_PARAMS
} Param;

static const char * const param_names[N_PARAMS] = {
  [PARAM_SECRET] = "secret",
  [PARAM_ISSUER] = "issuer",
  [PARAM_ALGORITHM] = "algorithm",
  [PARAM_DIGITS] = "digits",
  [PARAM_PERIOD] = "period",
};

typedef struct {
  const char *value;  /* Raw, still percent-encoded; NULL when absent. */
  gsize       len;
} ParamValue;

/* Finds the known parameters in @query (@len bytes), refusing any that
 * appears twice: which of the two an app would use is anyone's guess. */
static gboolean
split_query (const char  *query,
             gsize        len,
             ParamValue  *values,
             GError     **error)
{
  const char *end = query + len;
  const char *p = query;

  while (p < end)
    {
      const char *amp = memchr (p, '&', end - p);
      const char *seg_end = amp != NULL ? amp : end;
      const char *eq = memchr (p, '=', seg_end - p);
      const char *name_end = eq != NULL ? eq : seg_end;
      gsize name_len = name_end - p;

      for (guint i = 0; i < N_PARAMS; i++)
        {
          if (name_len != strlen (param_names[i]) ||
              g_ascii_strncasecmp (p, param_names[i], name_len) != 0)
            continue;

          if (values[i].value != NULL)
            {
              g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_URI,
                           /* Translators: %s is the name of a parameter of an
                            * otpauth:// address, such as “secret”; it is not
                            * translated. */
                           _("The address has the “%s” parameter more than once."),
                           param_names[i]);
              return FALSE;
            }

          values[i].value = eq != NULL ? eq + 1 : seg_end;
          values[i].len = seg_end - values[i].value;
        }

      /* Unknown parameters, such as "image" or "color", are for apps. */
      p = amp != NULL ? amp + 1 : end;
    }

  return TRUE;
}

/* Decodes a parameter; absent is NULL without error. */
static gboolean
decode_param (const ParamValue  *values,
              Param              param,
              char             **out_value,
              GError           **error)
{
  *out_value = NULL;
  if (values[param].value == NULL)
    return TRUE;

  *out_value = percent_decode (values[param].value, values[param].len,
                               param_names[param], error);
  return *out_value != NULL;
}

static gboolean
parse_secret (const ParamValue  *values,
              char             **out_secret,
              GError           **error)
{
  g_autoptr (GError) local_error = NULL;
  char *text = NULL;
  guint8 *bytes;
  gsize n_bytes = 0;

  if (!decode_param (values, PARAM_SECRET, &text, error))
    return FALSE;

  if (text == NULL || *text == '\0')
    {
      g_set_error_literal (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_URI,
                           _("The address has no secret key."));
      vst_secure_free (text);
      return FALSE;
    }

  bytes = vst_base32_decode (text, &n_bytes, &local_error);
  vst_secure_free (text);

  if (bytes == NULL)
    {
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_URI,
                   /* Translators: %s says what is wrong with the key. */
                   _("The secret key in the address is not valid: %s"),
                   local_error->message);
      return FALSE;
    }

  if (n_bytes < VST_OTP_MIN_SECRET_SIZE)
    {
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_URI,
                   /* Translators: %u is a number of bits, such as 80. */
                   _("The secret key in the address is too short: it must have "
                     "at least %u bits."),
                   (guint) VST_OTP_MIN_SECRET_SIZE * 8);
      vst_base32_free (bytes, n_bytes);
      return FALSE;
    }

  /* Stored the way we write keys, whatever way the address wrote it. */
  *out_secret = vst_base32_encode (bytes, n_bytes);
  vst_base32_free (bytes, n_bytes);

  return TRUE;
}

/* Splits the raw @label (@len bytes) into issuer and account; @param_issuer
 * is the decoded issuer parameter, or NULL. */
static gboolean
parse_label (const char  *label,
             gsize        len,
             const char  *param_issuer,
             char       **out_issuer,
             char       **out_account,
             GError     **error)
{
  g_autofree char *issuer = NULL;
  g_autofree char *account = NULL;
  const char *colon = memchr (label, ':', len);
  const char *start;

  if (colon != NULL)
    {
      if (memchr (colon + 1, ':', len - (colon + 1 - label)) != NULL)
        {
          g_set_error_literal (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_URI,
                               /* xgettext:no-c-format */
                               _("The label of the address has more than one "
                                 "“:”; a “:” inside the issuer or the account "
                                 "name must be written “%3A”."));
          return FALSE;
        }

      issuer = percent_decode (label, colon - label, "label", error);
      if (issuer == NULL)
        return FALSE;
      account = percent_decode (colon + 1, len - (colon + 1 - label), "label", error);
      if (account == NULL)
        return FALSE;
    }
  else
    {
      g_autofree char *decoded = percent_decode (label, len, "label", error);
      gsize issuer_len = param_issuer != NULL ? strlen (param_issuer) : 0;

      if (decoded == NULL)
        return FALSE;

      /* Google's format allows the separator to be written “%3A”. Only
       * when the issuer parameter says where the issuer ends is that
       * unambiguous. */
      if (issuer_len > 0 &&
          strncmp (decoded, param_issuer, issuer_len) == 0 &&
          decoded[issuer_len] == ':')
        {
          issuer = g_strndup (decoded, issuer_len);
          account = g_strdup (decoded + issuer_len + 1);
        }
      else
        {
          account = g_steal_pointer (&decoded);
        }
    }

  /* "Issuer: account" is allowed: spaces after the separator are not part
   * of the account name. Nor are they without an issuer in the label, or
   * vst_otpauth_build() would write an address that reads back without
   * them (found by fuzz-otpauth). */
  start = account;
  while (*start == ' ')
    start++;

  if (*start == '\0')
    {
      g_set_error_literal (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_URI,
                           _("The label of the address has no account name."));
      return FALSE;
    }

  if (issuer != NULL && *issuer == '\0')
    g_clear_pointer (&issuer, g_free);

  *out_issuer = g_steal_pointer (&issuer);
  *out_account = g_strdup (start);

  return TRUE;
}

VstOtpauth *
vst_otpauth_parse (const char  *uri,
                   GError     **error)
{
  static const char scheme[] = "otpauth://";
  g_autoptr (VstOtpauth) otpauth = NULL;
  g_autofree char *param_issuer = NULL;
  g_autofree char *label_issuer = NULL;
  g_autofree char *algorithm = NULL;
  g_autofree char *digits = NULL;
  g_autofree char *period = NULL;
  ParamValue values[N_PARAMS] = { { NULL, 0 } };
  const char *type;
  gsize type_len;
  const char *end;
  const char *label = NULL;
  gsize label_len = 0;
  const char *query = NULL;
  gsize query_len = 0;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Checked first so that pieces of the address can be quoted in the
   * messages below. */
  if (!g_utf8_validate (uri, -1, NULL))
    {
      g_set_error_literal (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_URI,
                           _("The address is not valid UTF-8 text."));
      return NULL;
    }

  if (g_ascii_strncasecmp (uri, scheme, strlen (scheme)) != 0)
    {
      g_set_error_literal (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_URI,
                           _("The address must start with “otpauth://”."));
      return NULL;
    }

  /* A fragment is not part of the query (RFC 3986 §3.5); apps put nothing
   * there, so it is left out. */
  end = strchr (uri, '#');
  if (end == NULL)
    end = uri + strlen (uri);

  type = uri + strlen (scheme);
  type_len = strcspn (type, "/?#");
  if (type + type_len > end)
    type_len = end - type;

  if (type_len == 4 && g_ascii_strncasecmp (type, "hotp", 4) == 0)
    {
      g_set_error_literal (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_URI,
                           _("This address is for counter-based codes (HOTP); only "
                             "time-based codes (TOTP) are supported."));
      return NULL;
    }
  if (type_len != 4 || g_ascii_strncasecmp (type, "totp", 4) != 0)
    {
      g_set_error_literal (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_URI,
                           _("The type of the address is not “totp”; only "
                             "time-based codes (TOTP) are supported."));
      return NULL;
    }

  if (type[type_len] == '/')
    {
      label = type + type_len + 1;
      label_len = strcspn (label, "?#");
    }
  if (label_len == 0)
    {
      g_set_error_literal (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_URI,
                           _("The address has no label (the account name)."));
      return NULL;
    }

  if (label[label_len] == '?')
    {
      query = label + label_len + 1;
      query_len = end - query;
    }

  if (query != NULL && !split_query (query, query_len, values, error))
    return NULL;

  otpauth = g_new0 (VstOtpauth, 1);

  if (!parse_secret (values, &otpauth->secret, error))
    return NULL;

  if (!decode_param (values, PARAM_ISSUER, &param_issuer, error))
    return NULL;
  /* Some generators write "issuer=" when there is none. */
  if (param_issuer != NULL && *param_issuer == '\0')
    g_clear_pointer (&param_issuer, g_free);

  if (!parse_label (label, label_len, param_issuer,
                    &label_issuer, &otpauth->account, error))
    return NULL;

  if (label_issuer != NULL && param_issuer != NULL &&
      strcmp (label_issuer, param_issuer) != 0)
    {
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_URI,
                   /* Translators: both %s are names of organisations. */
                   _("The issuer in the label (“%s”) and the “issuer” parameter "
                     "(“%s”) of the address differ."),
                   label_issuer, param_issuer);
      return NULL;
    }
  otpauth->issuer = label_issuer != NULL ? g_steal_pointer (&label_issuer)
                                         : g_steal_pointer (&param_issuer);

  otpauth->algorithm = VST_OTP_DEFAULT_ALGORITHM;
  if (!decode_param (values, PARAM_ALGORITHM, &algorithm, error))
    return NULL;
  if (algorithm != NULL &&
      !vst_otp_algorithm_from_string (algorithm, &otpauth->algorithm))
    {
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_URI,
                   /* Translators: %s is what the address gave as algorithm. */
                   _("The “algorithm” parameter of the address is “%s”; it must "
                     "be SHA1, SHA256 or SHA512."),
                   algorithm);
      return NULL;
    }

  otpauth->digits = VST_OTP_DEFAULT_DIGITS;
  if (!decode_param (values, PARAM_DIGITS, &digits, error))
    return NULL;
  if (digits != NULL &&
      !parse_number (digits, VST_OTP_MIN_DIGITS, VST_OTP_MAX_DIGITS, &otpauth->digits))
    {
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_URI,
                   /* Translators: the numbers are 6 and 8. */
                   _("The “digits” parameter of the address must be a number "
                     "from %u to %u."),
                   (guint) VST_OTP_MIN_DIGITS, (guint) VST_OTP_MAX_DIGITS);
      return NULL;
    }

  otpauth->period = VST_OTP_DEFAULT_PERIOD;
  if (!decode_param (values, PARAM_PERIOD, &period, error))
    return NULL;
  if (period != NULL &&
      !parse_number (period, 1, VST_OTPAUTH_MAX_PERIOD, &otpauth->period))
    {
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_URI,
                   /* Translators: %u is 3600. */
                   _("The “period” parameter of the address must be a number "
                     "of seconds from 1 to %u."),
                   (guint) VST_OTPAUTH_MAX_PERIOD);
      return NULL;
    }

  return g_steal_pointer (&otpauth);
}

void
vst_otpauth_free (VstOtpauth *otpauth)
{
  if (otpauth == NULL)
    return;

  vst_secure_free (otpauth->secret);
  g_free (otpauth->issuer);
  g_free (otpauth->account);
  g_free (otpauth);
}

VstOtpKey *
vst_otpauth_to_key (const VstOtpauth  *otpauth,
                    GError           **error)
{
  g_return_val_if_fail (otpauth != NULL, NULL);
  g_return_val_if_fail (otpauth->secret != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return vst_otp_key_new_from_base32 (otpauth->secret,
                                      otpauth->algorithm,
                                      otpauth->digits,
                                      otpauth->period,
                                      error);
}
