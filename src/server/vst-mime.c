/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "vestibule-server"

#include "config.h"

#include <string.h>

#include "vst-mime.h"

gboolean
vst_mime_parse_address (const char  *spec,
                        char       **out_name,
                        char       **out_address)
{
  g_autofree char *name = NULL;
  g_autofree char *address = NULL;
  const char *lt = strchr (spec, '<');

  if (lt != NULL)
    {
      const char *gt = strchr (lt, '>');

      if (gt == NULL)
        return FALSE;
      address = g_strstrip (g_strndup (lt + 1, gt - lt - 1));
      name = g_strstrip (g_strndup (spec, lt - spec));
      /* Drop the quotes of "Name" <addr>. */
      if (name[0] == '"' && strlen (name) >= 2 && name[strlen (name) - 1] == '"')
        {
          char *unquoted = g_strndup (name + 1, strlen (name) - 2);

          g_free (name);
          name = unquoted;
        }
      if (*name == '\0')
        g_clear_pointer (&name, g_free);
    }
  else
    address = g_strstrip (g_strdup (spec));

  if (*address == '\0' || strchr (address, '@') == NULL ||
      strpbrk (address, " \t\r\n<>\",") != NULL)
    return FALSE;
  if (out_name != NULL)
    *out_name = g_steal_pointer (&name);
  if (out_address != NULL)
    *out_address = g_steal_pointer (&address);
  return TRUE;
}

static gboolean
is_plain_ascii (const char *value)
{
  for (const char *p = value; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || (guchar) *p > 0x7e)
      return FALSE;
  return TRUE;
}

char *
vst_mime_encode_header (const char *value)
{
  GString *out;
  const char *p = value;

  if (is_plain_ascii (value) && strstr (value, "=?") == NULL)
    return g_strdup (value);

  /* "=?UTF-8?B?" + "?=" is 12 characters, leaving 63 for base64, which is
   * 45 bytes of text; words are cut between characters, never inside one. */
  out = g_string_new (NULL);
  while (*p != '\0')
    {
      const char *end = p;
      g_autofree char *b64 = NULL;

      while (*end != '\0')
        {
          const char *next = g_utf8_next_char (end);

          if (next - p > 45)
            break;
          end = next;
        }
      b64 = g_base64_encode ((const guchar *) p, end - p);
      if (out->len > 0)
        g_string_append (out, "\r\n ");
      g_string_append_printf (out, "=?UTF-8?B?%s?=", b64);
      p = end;
    }
  return g_string_free (out, FALSE);
}

char *
vst_mime_format_date (gint64 unix_time)
{
  static const char * const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char * const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_time);

  return g_strdup_printf ("%s, %02d %s %04d %02d:%02d:%02d +0000",
                          days[g_date_time_get_day_of_week (dt) - 1],
                          g_date_time_get_day_of_month (dt),
                          months[g_date_time_get_month (dt) - 1],
                          g_date_time_get_year (dt),
                          g_date_time_get_hour (dt),
                          g_date_time_get_minute (dt),
                          g_date_time_get_second (dt));
}

static char *
format_address (const char *name,
                const char *address)
{
  g_autofree char *encoded = NULL;

  if (name == NULL || *name == '\0')
    return g_strdup_printf ("<%s>", address);
  if (is_plain_ascii (name))
    {
      g_autoptr(GString) quoted = g_string_new ("\"");

      for (const char *p = name; *p != '\0'; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (quoted, '\\');
          g_string_append_c (quoted, *p);
        }
      g_string_append_c (quoted, '"');
      return g_strdup_printf ("%s <%s>", quoted->str, address);
    }
  encoded = vst_mime_encode_header (name);
  return g_strdup_printf ("%s <%s>", encoded, address);
}

/* Base64 in lines of 76 characters, as RFC 2045 wants. */
static void
append_base64_body (GString    *out,
                    const char *text)
{
  g_autoptr(GString) crlf = g_string_new (NULL);
  g_autofree char *b64 = NULL;
  gsize len;

  /* Text parts have CRLF line ends once decoded, too. */
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\n' && (p == text || p[-1] != '\r'))
        g_string_append_c (crlf, '\r');
      g_string_append_c (crlf, *p);
    }
  b64 = g_base64_encode ((const guchar *) crlf->str, crlf->len);
  len = strlen (b64);
  for (gsize i = 0; i < len; i += 76)
    {
      g_string_append_len (out, b64 + i, MIN (76, len - i));
      g_string_append (out, "\r\n");
    }
}

static char *
random_hex (guint bytes)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < bytes; i++)
    g_string_append_printf (out, "%02x", g_random_int_range (0, 256));
  return g_string_free (out, FALSE);
}

GBytes *
vst_mime_build_message (const char *from,
                        const char *to_name,
                        const char *to_address,
                        const char *subject,
                        const char *text,
                        const char *html,
                        gint64      date)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *from_name = NULL;
  g_autofree char *from_address = NULL;
  g_autofree char *from_header = NULL;
  g_autofree char *to_header = NULL;
  g_autofree char *subject_header = NULL;
  g_autofree char *date_header = NULL;
  g_autofree char *boundary_id = random_hex (16);
  g_autofree char *message_id = random_hex (16);
  g_autofree char *boundary = NULL;
  const char *domain;

  g_return_val_if_fail (from != NULL && to_address != NULL, NULL);

  if (!vst_mime_parse_address (from, &from_name, &from_address))
    from_address = g_strdup (from);
  domain = strchr (from_address, '@');
  domain = domain != NULL ? domain + 1 : "localhost";

  from_header = format_address (from_name, from_address);
  to_header = format_address (to_name, to_address);
  subject_header = vst_mime_encode_header (subject);
  date_header = vst_mime_format_date (date);
  /* Base64 never holds "=_", so the boundary cannot occur in a body. */
  boundary = g_strdup_printf ("=_vestibule_%s", boundary_id);

  g_string_append_printf (out, "From: %s\r\n", from_header);
  g_string_append_printf (out, "To: %s\r\n", to_header);
  g_string_append_printf (out, "Subject: %s\r\n", subject_header);
  g_string_append_printf (out, "Date: %s\r\n", date_header);
  g_string_append_printf (out, "Message-ID: <%s.%" G_GINT64_FORMAT "@%s>\r\n", message_id, date, domain);
  g_string_append (out, "MIME-Version: 1.0\r\n");
  g_string_append (out, "Auto-Submitted: auto-generated\r\n");
  g_string_append_printf (out, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n", boundary);
  g_string_append (out, "\r\n");
  g_string_append (out, "This is a multi-part message in MIME format.\r\n");

  g_string_append_printf (out, "\r\n--%s\r\n", boundary);
  g_string_append (out, "Content-Type: text/plain; charset=UTF-8\r\n");
  g_string_append (out, "Content-Transfer-Encoding: base64\r\n\r\n");
  append_base64_body (out, text);

  g_string_append_printf (out, "\r\n--%s\r\n", boundary);
  g_string_append (out, "Content-Type: text/html; charset=UTF-8\r\n");
  g_string_append (out, "Content-Transfer-Encoding: base64\r\n\r\n");
  append_base64_body (out, html);

  g_string_append_printf (out, "\r\n--%s--\r\n", boundary);

  return g_string_free_to_bytes (g_steal_pointer (&out));
}
