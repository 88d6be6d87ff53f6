/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "vestibule-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "vst-admin-format.h"

#define SECONDS_PER_MINUTE 60
#define SECONDS_PER_HOUR   (60 * SECONDS_PER_MINUTE)
#define SECONDS_PER_DAY    (24 * SECONDS_PER_HOUR)

/* Shown where a value is absent, so that an empty cell never reads as
 * "the column was cut off". */
#define NO_VALUE "—"

/* JSON accessors that accept anything: an older or newer server may leave a
 * member out, send null, or change a type, and the agent should still see
 * the rest. The json_object_get_*_member () family would warn instead. */

static JsonNode *
member_value (JsonObject *object,
              const char *name,
              GType       type)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;

  node = json_object_get_member (object, name);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (json_node_get_value_type (node) != type)
    return NULL;

  return node;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = member_value (object, name, G_TYPE_STRING);
  const char *value;

  if (node == NULL)
    return NULL;

  value = json_node_get_string (node);
  return (value != NULL && *value != '\0') ? value : NULL;
}

static gboolean
member_time (JsonObject *object,
             const char *name,
             gint64     *out_time)
{
  JsonNode *node;

  if ((node = member_value (object, name, G_TYPE_INT64)) != NULL)
    {
      *out_time = json_node_get_int (node);
      return TRUE;
    }

  /* A server written in a language without integers may send 1.7e9. */
  if ((node = member_value (object, name, G_TYPE_DOUBLE)) != NULL)
    {
      double value = json_node_get_double (node);

      if (value >= (double) G_MININT64 && value <= (double) G_MAXINT64)
        {
          *out_time = (gint64) value;
          return TRUE;
        }
    }

  return FALSE;
}

static gboolean
member_boolean (JsonObject *object,
                const char *name,
                gboolean   *out_value)
{
  JsonNode *node = member_value (object, name, G_TYPE_BOOLEAN);

  if (node == NULL)
    return FALSE;

  *out_value = json_node_get_boolean (node);
  return TRUE;
}

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;

  node = json_object_get_member (object, name);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

static gboolean
is_unsafe_character (gunichar c)
{
  /* Control characters, line and paragraph separators, and the bidi
   * embeddings and isolates that can reorder what follows them on the line. */
  return g_unichar_iscntrl (c)
         || c == 0x2028 || c == 0x2029
         || (c >= 0x202A && c <= 0x202E)
         || (c >= 0x2066 && c <= 0x2069);
}

char *
vst_admin_sanitize_text (const char *text)
{
  g_autofree char *valid = NULL;
  GString *out;
  const char *p;

  if (text == NULL)
    return g_strdup ("");

  valid = g_utf8_make_valid (text, -1);
  out = g_string_sized_new (strlen (valid));

  for (p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_string_append_unichar (out, is_unsafe_character (c) ? 0xFFFD : c);
    }

  return g_string_free (out, FALSE);
}

gsize
vst_admin_display_width (const char *text)
{
  const char *p = text;
  const char *end;
  gsize width = 0;

  if (text == NULL)
    return 0;

  end = text + strlen (text);
  while (p < end)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          /* One column per stray byte, as a terminal shows a replacement
           * character for each. */
          width++;
          p++;
          continue;
        }

      if (!g_unichar_iszerowidth (c))
        width += g_unichar_iswide (c) ? 2 : 1;
      p = g_utf8_next_char (p);
    }

  return width;
}

static void
append_padded (GString    *out,
               const char *text,
               gsize       width)
{
  gsize text_width = vst_admin_display_width (text);

  g_string_append (out, text);
  for (; text_width < width; text_width++)
    g_string_append_c (out, ' ');
}

static void
strip_trailing_blanks (GString *line)
{
  while (line->len > 0 && line->str[line->len - 1] == ' ')
    g_string_truncate (line, line->len - 1);
}

char *
vst_admin_format_table (const char *const *headers,
                        guint              n_columns,
                        GPtrArray         *rows)
{
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autofree gsize *widths = NULL;
  GString *out;
  guint r, c;

  g_return_val_if_fail (headers != NULL, NULL);
  g_return_val_if_fail (n_columns > 0, NULL);

  /* Sanitize every cell once, header row first, and measure it as it will
   * be printed. */
  widths = g_new0 (gsize, n_columns);
  for (r = 0; r < (rows != NULL ? rows->len : 0) + 1; r++)
    {
      const char *const *source = (r == 0) ? headers
                                           : (const char *const *) g_ptr_array_index (rows, r - 1);
      char **row = g_new0 (char *, n_columns + 1);
      gboolean ended = (source == NULL);

      for (c = 0; c < n_columns; c++)
        {
          /* A short row is padded with empty cells rather than read past. */
          if (!ended && source[c] == NULL)
            ended = TRUE;
          row[c] = vst_admin_sanitize_text (ended ? NULL : source[c]);
          widths[c] = MAX (widths[c], vst_admin_display_width (row[c]));
        }
      g_ptr_array_add (cells, row);
    }

  out = g_string_new (NULL);
  for (r = 0; r < cells->len; r++)
    {
      char **row = g_ptr_array_index (cells, r);
      g_autoptr(GString) line = g_string_new (NULL);

      for (c = 0; c < n_columns; c++)
        {
          if (c + 1 < n_columns)
            {
              append_padded (line, row[c], widths[c]);
              g_string_append (line, "  ");
            }
          else
            {
              g_string_append (line, row[c]);
            }
        }
      strip_trailing_blanks (line);
      g_string_append_len (out, line->str, line->len);
      g_string_append_c (out, '\n');
    }

  return g_string_free (out, FALSE);
}

char *
vst_admin_format_key_values (const char *const *pairs)
{
  gsize key_width = 0;
  GString *out;
  guint i;

  g_return_val_if_fail (pairs != NULL, NULL);

  for (i = 0; pairs[i] != NULL && pairs[i + 1] != NULL; i += 2)
    key_width = MAX (key_width, vst_admin_display_width (pairs[i]));

  out = g_string_new (NULL);
  for (i = 0; pairs[i] != NULL && pairs[i + 1] != NULL; i += 2)
    {
      g_autofree char *key = vst_admin_sanitize_text (pairs[i]);
      g_autofree char *value = vst_admin_sanitize_text (pairs[i + 1]);
      g_autoptr(GString) line = g_string_new (NULL);

      append_padded (line, key, key_width);
      g_string_append_c (line, ' ');
      g_string_append (line, *value != '\0' ? value : NO_VALUE);
      strip_trailing_blanks (line);
      g_string_append_len (out, line->str, line->len);
      g_string_append_c (out, '\n');
    }

  return g_string_free (out, FALSE);
}

char *
vst_admin_format_relative_time (gint64 then,
                                gint64 now)
{
  gboolean future = then > now;
  guint64 span;
  gulong n;

  /* Unsigned arithmetic: the difference of two extreme gint64 overflows. */
  span = future ? (guint64) then - (guint64) now : (guint64) now - (guint64) then;

  /* Clocks a few seconds apart should not read as "in 12 seconds". */
  if (span < SECONDS_PER_MINUTE)
    return g_strdup (_("just now"));

  if (span < SECONDS_PER_HOUR)
    {
      n = span / SECONDS_PER_MINUTE;
      if (future)
        return g_strdup_printf (ngettext ("in %lu minute", "in %lu minutes", n), n);
      return g_strdup_printf (ngettext ("%lu minute ago", "%lu minutes ago", n), n);
    }

  if (span < SECONDS_PER_DAY)
    {
      n = span / SECONDS_PER_HOUR;
      if (future)
        return g_strdup_printf (ngettext ("in %lu hour", "in %lu hours", n), n);
      return g_strdup_printf (ngettext ("%lu hour ago", "%lu hours ago", n), n);
    }

  /* Days even for long spans: "400 days ago" is exact where "1 year ago" is
   * not, and the full date is shown next to it where it matters. */
  n = (gulong) MIN (span / SECONDS_PER_DAY, (guint64) G_MAXULONG);
  if (future)
    return g_strdup_printf (ngettext ("in %lu day", "in %lu days", n), n);
  return g_strdup_printf (ngettext ("%lu day ago", "%lu days ago", n), n);
}

char *
vst_admin_format_date_time (gint64 unix_time)
{
  g_autoptr(GDateTime) date_time = g_date_time_new_from_unix_local (unix_time);

  /* Out of GDateTime's range (years 1 to 9999): nothing sensible to show
   * but the number itself. */
  if (date_time == NULL)
    return g_strdup_printf ("@%" G_GINT64_FORMAT, unix_time);

  /* ISO order, unambiguous in every language. */
  return g_date_time_format (date_time, "%Y-%m-%d %H:%M");
}

/* "HH:MM" when @unix_time falls on the same local day as @now, else the
 * full date and time. */
static char *
format_time_of_day (gint64 unix_time,
                    gint64 now)
{
  g_autoptr(GDateTime) date_time = g_date_time_new_from_unix_local (unix_time);
  g_autoptr(GDateTime) today = g_date_time_new_from_unix_local (now);

  if (date_time == NULL || today == NULL)
    return vst_admin_format_date_time (unix_time);

  if (g_date_time_get_year (date_time) == g_date_time_get_year (today)
      && g_date_time_get_day_of_year (date_time) == g_date_time_get_day_of_year (today))
    return g_date_time_format (date_time, "%H:%M");

  return vst_admin_format_date_time (unix_time);
}

const char *
vst_admin_format_totp (const char *state)
{
  if (state == NULL)
    return NO_VALUE;
  if (g_str_equal (state, "none"))
    return C_("2FA state", "none");
  if (g_str_equal (state, "pending"))
    return C_("2FA state", "pending");
  if (g_str_equal (state, "active"))
    return C_("2FA state", "active");
  return state;
}

static const char *
format_language (const char *language)
{
  if (language == NULL)
    return NO_VALUE;
  if (g_str_equal (language, "en"))
    return _("English");
  if (g_str_equal (language, "fr"))
    return _("French");
  return language;
}

static const char *
format_email_kind (const char *kind)
{
  if (kind == NULL)
    return C_("e-mail kind", "e-mail");
  if (g_str_equal (kind, "invitation"))
    return C_("e-mail kind", "invitation");
  if (g_str_equal (kind, "reset"))
    return C_("e-mail kind", "password reset");
  /* The notice that the password was just set, sent in case it was not
   * the account's owner who set it. */
  if (g_str_equal (kind, "password-set"))
    return C_("e-mail kind", "password-set notice");
  return kind;
}

static const char *
format_email_status (const char *status)
{
  if (status == NULL)
    return NULL;
  if (g_str_equal (status, "sent"))
    return C_("e-mail status", "sent");
  /* "pending" covers the retries after a temporary failure too. */
  if (g_str_equal (status, "pending"))
    return C_("e-mail status", "queued");
  if (g_str_equal (status, "failed"))
    return C_("e-mail status", "failed");
  return status;
}

typedef enum {
  PASSWORD_NOT_SET,
  PASSWORD_SET,
  PASSWORD_EXPIRED,
} PasswordState;

static PasswordState
password_state (JsonObject *account)
{
  gboolean set = FALSE;
  gboolean expired = FALSE;

  if (!member_boolean (account, "password_set", &set) || !set)
    return PASSWORD_NOT_SET;

  /* The server decides expiry with its own clock; trust it. */
  if (member_boolean (account, "password_expired", &expired) && expired)
    return PASSWORD_EXPIRED;

  return PASSWORD_SET;
}

char *
vst_admin_format_password (JsonObject *account)
{
  switch (password_state (account))
    {
    case PASSWORD_NOT_SET:
      return g_strdup (C_("password state", "not set"));
    case PASSWORD_EXPIRED:
      return g_strdup (C_("password state", "expired"));
    case PASSWORD_SET:
      return g_strdup (C_("password state", "set"));
    default:
      g_assert_not_reached ();
    }
}

static gboolean
locked_until (JsonObject *account,
              gint64      now,
              gint64     *out_until)
{
  /* A lock that ended already is no lock, whatever the stored value. */
  return member_time (account, "locked_until", out_until) && *out_until > now;
}

char *
vst_admin_format_locked (JsonObject *account,
                         gint64      now)
{
  g_autofree char *when = NULL;
  gint64 until;

  if (!locked_until (account, now, &until))
    return g_strdup (C_("locked", "no"));

  when = format_time_of_day (until, now);
  /* Translators: in the LOCKED column; %s is "14:05", or a date and a time
   * when the lock ends on another day. */
  return g_strdup_printf (_("until %s"), when);
}

/* The last e-mail's kind, status and when, with @format_when writing the
 * "when": relative in the table, a full date in `show`. */
static char *
format_last_email (JsonObject *account,
                   gint64      now,
                   char     *(*format_when) (gint64 then, gint64 now))
{
  JsonObject *email = member_object (account, "last_email");
  const char *kind;
  const char *status;
  g_autofree char *when = NULL;
  gint64 at;

  if (email == NULL)
    return g_strdup (C_("last e-mail", "none"));

  kind = format_email_kind (member_string (email, "kind"));
  status = format_email_status (member_string (email, "status"));

  if (!member_time (email, "at", &at))
    return status != NULL ? g_strdup_printf ("%s %s", kind, status) : g_strdup (kind);

  when = format_when (at, now);
  if (status == NULL)
    /* Translators: the kind of the last e-mail and when it was sent, as in
     * "invitation, 5 minutes ago". */
    return g_strdup_printf (_("%s, %s"), kind, when);
  /* Translators: the last e-mail sent to an account: its kind, its status
   * and when, as in "invitation sent, 5 minutes ago" (in the LAST E-MAIL
   * column) or "invitation sent, 2025-11-23 14:05 (3 days ago)". Use %1$s,
   * %2$s and %3$s to change the order. */
  return g_strdup_printf (_("%s %s, %s"), kind, status, when);
}

char *
vst_admin_format_last_email (JsonObject *account,
                             gint64      now)
{
  return format_last_email (account, now, vst_admin_format_relative_time);
}

static int
compare_logins (gconstpointer a,
                gconstpointer b)
{
  JsonObject *account_a = *(JsonObject **) a;
  JsonObject *account_b = *(JsonObject **) b;

  return g_strcmp0 (member_string (account_a, "login"), member_string (account_b, "login"));
}

char *
vst_admin_format_account_table (JsonArray *accounts,
                                gint64     now)
{
  const char *headers[] = {
    C_("column", "LOGIN"),
    C_("column", "NAME"),
    C_("column", "E-MAIL"),
    C_("column", "PASSWORD"),
    C_("column", "2FA"),
    C_("column", "LOCKED"),
    C_("column", "LAST E-MAIL"),
    NULL,
  };
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  guint i;

  g_return_val_if_fail (accounts != NULL, NULL);

  for (i = 0; i < json_array_get_length (accounts); i++)
    {
      JsonNode *node = json_array_get_element (accounts, i);

      if (JSON_NODE_HOLDS_OBJECT (node))
        g_ptr_array_add (sorted, json_node_get_object (node));
    }
  g_ptr_array_sort (sorted, compare_logins);

  for (i = 0; i < sorted->len; i++)
    {
      JsonObject *account = g_ptr_array_index (sorted, i);
      const char *login = member_string (account, "login");
      const char *name = member_string (account, "display_name");
      const char *email = member_string (account, "email");
      char **row = g_new0 (char *, G_N_ELEMENTS (headers));

      row[0] = g_strdup (login != NULL ? login : NO_VALUE);
      row[1] = g_strdup (name != NULL ? name : NO_VALUE);
      row[2] = g_strdup (email != NULL ? email : NO_VALUE);
      row[3] = vst_admin_format_password (account);
      row[4] = g_strdup (vst_admin_format_totp (member_string (account, "totp")));
      row[5] = vst_admin_format_locked (account, now);
      row[6] = vst_admin_format_last_email (account, now);
      g_ptr_array_add (rows, row);
    }

  return vst_admin_format_table (headers, G_N_ELEMENTS (headers) - 1, rows);
}

/* "2025-11-23 14:05 (3 days ago)" */
static char *
format_moment (gint64 unix_time,
               gint64 now)
{
  g_autofree char *date = vst_admin_format_date_time (unix_time);
  g_autofree char *relative = vst_admin_format_relative_time (unix_time, now);

  /* Translators: a date and time, then how long ago or how soon it is, as
   * in "2025-11-23 14:05 (3 days ago)". */
  return g_strdup_printf (_("%s (%s)"), date, relative);
}

static char *
format_password_details (JsonObject *account,
                         gint64      now)
{
  g_autofree char *moment = NULL;
  gint64 expires_at;

  switch (password_state (account))
    {
    case PASSWORD_NOT_SET:
      return g_strdup (C_("password state", "not set"));

    case PASSWORD_EXPIRED:
      if (!member_time (account, "password_expires_at", &expires_at))
        return g_strdup (C_("password state", "expired"));
      moment = format_moment (expires_at, now);
      /* Translators: %s is a date, as in "2025-11-23 14:05 (3 days ago)". */
      return g_strdup_printf (_("expired since %s"), moment);

    case PASSWORD_SET:
      if (!member_time (account, "password_expires_at", &expires_at))
        return g_strdup (C_("password state", "set"));
      moment = format_moment (expires_at, now);
      /* Translators: %s is a date, as in "2026-05-24 14:05 (in 182 days)". */
      return g_strdup_printf (_("set, expires %s"), moment);

    default:
      g_assert_not_reached ();
    }
}

static char *
format_locked_details (JsonObject *account,
                       gint64      now)
{
  g_autofree char *moment = NULL;
  gint64 until;

  if (!locked_until (account, now, &until))
    return g_strdup (C_("locked", "no"));

  moment = format_moment (until, now);
  /* Translators: %s is a date, as in "2025-11-23 14:05 (in 12 minutes)". */
  return g_strdup_printf (_("until %s"), moment);
}

static char *
format_last_email_details (JsonObject *account,
                           gint64      now)
{
  return format_last_email (account, now, format_moment);
}

char *
vst_admin_format_account_details (JsonObject *account,
                                  gint64      now)
{
  JsonObject *space;
  g_autofree char *created = NULL;
  g_autofree char *password = NULL;
  g_autofree char *locked = NULL;
  g_autofree char *last_email = NULL;
  gint64 created_at;

  g_return_val_if_fail (account != NULL, NULL);

  space = member_object (account, "space");
  password = format_password_details (account, now);
  locked = format_locked_details (account, now);
  last_email = format_last_email_details (account, now);
  if (member_time (account, "created_at", &created_at))
    created = format_moment (created_at, now);

  {
    const char *pairs[] = {
      _("Login:"), member_string (account, "login"),
      _("Name:"), member_string (account, "display_name"),
      _("E-mail:"), member_string (account, "email"),
      _("Language:"), format_language (member_string (account, "language")),
      _("Space:"), member_string (space, "name"),
      _("Space URL:"), member_string (space, "url"),
      _("Created:"), created,
      _("Password:"), password,
      _("2FA:"), vst_admin_format_totp (member_string (account, "totp")),
      _("Locked:"), locked,
      _("Last e-mail:"), last_email,
      NULL, NULL,
    };
    guint i;

    /* An absent value must not end the list early: give it an empty string,
     * which the key-value block shows as a dash. */
    for (i = 1; i + 1 < G_N_ELEMENTS (pairs); i += 2)
      if (pairs[i] == NULL)
        pairs[i] = "";

    return vst_admin_format_key_values (pairs);
  }
}

char *
vst_admin_format_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  g_return_val_if_fail (node != NULL, NULL);

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, NULL);

  return g_strconcat (text, "\n", NULL);
}
