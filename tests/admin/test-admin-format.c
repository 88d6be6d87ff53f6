/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "test-admin-format"

#include "config.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <string.h>

#include "vst-admin-format.h"

/* 2025-11-23 14:05:00 UTC, a Sunday; TZ is UTC for the whole run. */
#define NOW ((gint64) 1763906700)

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Splits @text into lines, without the empty string after the last "\n". */
static GStrv
split_lines (const char *text)
{
  g_auto(GStrv) lines = NULL;
  guint n;

  g_assert_true (g_str_has_suffix (text, "\n"));
  lines = g_strsplit (text, "\n", -1);
  n = g_strv_length (lines);
  g_assert_cmpstr (lines[n - 1], ==, "");
  g_clear_pointer (&lines[n - 1], g_free);

  return g_steal_pointer (&lines);
}

/* The display column at which @needle starts in @line. */
static gsize
column_of (const char *line,
           const char *needle)
{
  const char *found = strstr (line, needle);
  g_autofree char *prefix = NULL;

  g_assert_nonnull (found);
  prefix = g_strndup (line, found - line);

  return vst_admin_display_width (prefix);
}

static void
test_display_width (void)
{
  /* "Élodie Müller" precomposed (NFC) and decomposed (NFD): 13 columns
   * both, though 15 and 17 bytes. */
  const char *nfc = "\xc3\x89lodie M\xc3\xbcller";
  const char *nfd = "E\xcc\x81lodie Mu\xcc\x88ller";

  g_assert_cmpuint (vst_admin_display_width (""), ==, 0);
  g_assert_cmpuint (vst_admin_display_width (NULL), ==, 0);
  g_assert_cmpuint (vst_admin_display_width ("jdupont"), ==, 7);
  g_assert_cmpuint (strlen (nfc), ==, 15);
  g_assert_cmpuint (vst_admin_display_width (nfc), ==, 13);
  g_assert_cmpuint (strlen (nfd), ==, 17);
  g_assert_cmpuint (vst_admin_display_width (nfd), ==, 13);
  /* East Asian wide characters take two columns: 山田太郎. */
  g_assert_cmpuint (vst_admin_display_width ("\xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e"),
                    ==, 8);
  g_assert_cmpuint (vst_admin_display_width ("—"), ==, 1);
  /* A stray byte is one column, as a terminal shows it. */
  g_assert_cmpuint (vst_admin_display_width ("a\xffz"), ==, 3);
}

static void
test_sanitize (void)
{
  g_autofree char *empty = vst_admin_sanitize_text (NULL);
  g_autofree char *plain = vst_admin_sanitize_text ("Élodie Müller");
  g_autofree char *escape = vst_admin_sanitize_text ("Eve\x1b[31m\nRed");
  g_autofree char *bidi = vst_admin_sanitize_text ("a\xe2\x80\xae" "b");
  g_autofree char *invalid = vst_admin_sanitize_text ("a\xff" "b");

  g_assert_cmpstr (empty, ==, "");
  g_assert_cmpstr (plain, ==, "Élodie Müller");
  /* The escape and the newline can neither recolour nor break the table. */
  g_assert_cmpstr (escape, ==, "Eve\xef\xbf\xbd[31m\xef\xbf\xbdRed");
  g_assert_cmpstr (bidi, ==, "a\xef\xbf\xbd" "b");
  g_assert_true (g_utf8_validate (invalid, -1, NULL));
  g_assert_cmpuint (vst_admin_display_width (invalid), ==, 3);
}

static void
test_table_alignment (void)
{
  const char *headers[] = { "LOGIN", "NAME", "E-MAIL", NULL };
  const char *row1[] = { "emuller", "\xc3\x89lodie M\xc3\xbcller", "elodie@example.org", NULL };
  const char *row2[] = { "ab", "E\xcc\x81lodie Mu\xcc\x88ller-Schmidt", "a@b.c", NULL };
  const char *row3[] = { "yamada", "\xe5\xb1\xb1\xe7\x94\xb0", "", NULL };
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autofree char *table = NULL;
  g_auto(GStrv) lines = NULL;
  gsize name_column, email_column;
  guint i;

  g_ptr_array_add (rows, (gpointer) row1);
  g_ptr_array_add (rows, (gpointer) row2);
  g_ptr_array_add (rows, (gpointer) row3);
  table = vst_admin_format_table (headers, 3, rows);
  lines = split_lines (table);

  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_true (g_str_has_prefix (lines[0], "LOGIN    NAME"));

  /* Every row's columns start where the header's do, counted in display
   * columns, whatever the bytes. */
  name_column = column_of (lines[0], "NAME");
  email_column = column_of (lines[0], "E-MAIL");
  g_assert_cmpuint (name_column, ==, strlen ("emuller") + 2);
  g_assert_cmpuint (email_column, ==, name_column + strlen ("Elodie Muller-Schmidt") + 2);
  g_assert_cmpuint (column_of (lines[1], "\xc3\x89lodie"), ==, name_column);
  g_assert_cmpuint (column_of (lines[1], "elodie@"), ==, email_column);
  g_assert_cmpuint (column_of (lines[2], "E\xcc\x81lodie"), ==, name_column);
  g_assert_cmpuint (column_of (lines[2], "a@b.c"), ==, email_column);
  g_assert_cmpuint (column_of (lines[3], "\xe5\xb1\xb1"), ==, name_column);

  /* No trailing blanks, even after an empty last cell. */
  for (i = 0; lines[i] != NULL; i++)
    g_assert_false (g_str_has_suffix (lines[i], " "));
  g_assert_cmpstr (lines[3], ==, "yamada   \xe5\xb1\xb1\xe7\x94\xb0");
}

static void
test_table_short_rows (void)
{
  const char *headers[] = { "A", "B", "C", NULL };
  const char *row[] = { "x", NULL };
  const char *hostile[] = { "a\tb", "line\nbreak", "z", NULL };
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autofree char *table = NULL;

  g_ptr_array_add (rows, (gpointer) row);
  g_ptr_array_add (rows, (gpointer) hostile);
  table = vst_admin_format_table (headers, 3, rows);

  /* A short row gets empty cells; a tab or newline in a cell cannot add a
   * line or a column. */
  g_assert_cmpstr (table, ==,
                   "A    B           C\n"
                   "x\n"
                   "a\xef\xbf\xbd" "b  line\xef\xbf\xbd" "break  z\n");
}

static void
test_relative_time (void)
{
  const struct {
    gint64      delta;
    const char *expected;
  } cases[] = {
    { 0, "just now" },
    { -59, "just now" },
    { 59, "just now" },
    { -60, "1 minute ago" },
    { -119, "1 minute ago" },
    { -120, "2 minutes ago" },
    { -3599, "59 minutes ago" },
    { -3600, "1 hour ago" },
    { -7200, "2 hours ago" },
    { -86399, "23 hours ago" },
    { -86400, "1 day ago" },
    { -3 * 86400 - 5, "3 days ago" },
    { -400 * 86400, "400 days ago" },
    { 60, "in 1 minute" },
    { 12 * 60 + 30, "in 12 minutes" },
    { 3600, "in 1 hour" },
    { 182 * 86400 + 3600, "in 182 days" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = vst_admin_format_relative_time (NOW + cases[i].delta, NOW);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

static void
test_relative_time_extremes (void)
{
  g_autofree char *past = vst_admin_format_relative_time (G_MININT64, G_MAXINT64);
  g_autofree char *future = vst_admin_format_relative_time (G_MAXINT64, G_MININT64);

  /* No overflow, no crash: just a very large number of days. */
  g_assert_true (g_str_has_suffix (past, " days ago"));
  g_assert_true (g_str_has_prefix (future, "in "));
}

static void
test_date_time (void)
{
  g_autofree char *date = vst_admin_format_date_time (NOW);
  g_autofree char *out_of_range = vst_admin_format_date_time (G_MAXINT64);

  g_assert_cmpstr (date, ==, "2025-11-23 14:05");
  g_assert_cmpstr (out_of_range, ==, "@9223372036854775807");
}

static void
test_password_state (void)
{
  g_autoptr(JsonObject) not_set = parse_object ("{\"password_set\": false}");
  g_autoptr(JsonObject) set = parse_object ("{\"password_set\": true, "
                                            "\"password_expired\": false}");
  g_autoptr(JsonObject) expired = parse_object ("{\"password_set\": true, "
                                                "\"password_expired\": true}");
  g_autoptr(JsonObject) missing = parse_object ("{}");
  g_autoptr(JsonObject) wrong_type = parse_object ("{\"password_set\": \"yes\"}");
  g_autofree char *a = vst_admin_format_password (not_set);
  g_autofree char *b = vst_admin_format_password (set);
  g_autofree char *c = vst_admin_format_password (expired);
  g_autofree char *d = vst_admin_format_password (missing);
  g_autofree char *e = vst_admin_format_password (wrong_type);

  g_assert_cmpstr (a, ==, "not set");
  g_assert_cmpstr (b, ==, "set");
  g_assert_cmpstr (c, ==, "expired");
  g_assert_cmpstr (d, ==, "not set");
  g_assert_cmpstr (e, ==, "not set");
}

static void
test_totp_state (void)
{
  g_assert_cmpstr (vst_admin_format_totp ("none"), ==, "none");
  g_assert_cmpstr (vst_admin_format_totp ("pending"), ==, "pending");
  g_assert_cmpstr (vst_admin_format_totp ("active"), ==, "active");
  g_assert_cmpstr (vst_admin_format_totp ("webauthn"), ==, "webauthn");
  g_assert_cmpstr (vst_admin_format_totp (NULL), ==, "—");
}

static void
test_locked (void)
{
  g_autoptr(JsonObject) unlocked = parse_object ("{\"locked_until\": null}");
  g_autoptr(JsonObject) missing = parse_object ("{}");
  g_autoptr(JsonObject) ended = parse_object ("{\"locked_until\": 1763906000}");
  g_autoptr(JsonObject) today = parse_object ("{\"locked_until\": 1763907420}");
  g_autoptr(JsonObject) tomorrow = parse_object ("{\"locked_until\": 1763950000}");
  g_autoptr(JsonObject) as_double = parse_object ("{\"locked_until\": 1763907420.0}");
  g_autofree char *a = vst_admin_format_locked (unlocked, NOW);
  g_autofree char *b = vst_admin_format_locked (missing, NOW);
  g_autofree char *c = vst_admin_format_locked (ended, NOW);
  g_autofree char *d = vst_admin_format_locked (today, NOW);
  g_autofree char *e = vst_admin_format_locked (tomorrow, NOW);
  g_autofree char *f = vst_admin_format_locked (as_double, NOW);

  g_assert_cmpstr (a, ==, "no");
  g_assert_cmpstr (b, ==, "no");
  /* A lock in the past is no lock. */
  g_assert_cmpstr (c, ==, "no");
  g_assert_cmpstr (d, ==, "until 14:17");
  /* A lock that ends on another day names the day. */
  g_assert_cmpstr (e, ==, "until 2025-11-24 02:06");
  g_assert_cmpstr (f, ==, "until 14:17");
}

static void
test_last_email (void)
{
  g_autoptr(JsonObject) none = parse_object ("{\"last_email\": null}");
  g_autoptr(JsonObject) sent = parse_object ("{\"last_email\": {\"kind\": \"invitation\", "
                                             "\"status\": \"sent\", \"at\": 1763906400}}");
  g_autoptr(JsonObject) failed = parse_object ("{\"last_email\": {\"kind\": \"reset\", "
                                               "\"status\": \"failed\", \"at\": 1763647500}}");
  g_autoptr(JsonObject) queued = parse_object ("{\"last_email\": {\"kind\": \"invitation\", "
                                               "\"status\": \"pending\", \"at\": 1763906690}}");
  g_autoptr(JsonObject) notice = parse_object ("{\"last_email\": {\"kind\": \"password-set\", "
                                              "\"status\": \"sent\", \"at\": 1763906400}}");
  g_autoptr(JsonObject) unknown = parse_object ("{\"last_email\": {\"kind\": \"welcome\", "
                                                "\"status\": \"bounced\"}}");
  g_autoptr(JsonObject) no_status = parse_object ("{\"last_email\": {\"kind\": \"invitation\", "
                                                  "\"at\": 1763906400}}");
  g_autoptr(JsonObject) wrong_type = parse_object ("{\"last_email\": [1, 2]}");
  g_autofree char *a = vst_admin_format_last_email (none, NOW);
  g_autofree char *b = vst_admin_format_last_email (sent, NOW);
  g_autofree char *c = vst_admin_format_last_email (failed, NOW);
  g_autofree char *d = vst_admin_format_last_email (queued, NOW);
  g_autofree char *e = vst_admin_format_last_email (unknown, NOW);
  g_autofree char *f = vst_admin_format_last_email (no_status, NOW);
  g_autofree char *g = vst_admin_format_last_email (wrong_type, NOW);
  g_autofree char *h = vst_admin_format_last_email (notice, NOW);

  g_assert_cmpstr (a, ==, "none");
  g_assert_cmpstr (b, ==, "invitation sent, 5 minutes ago");
  g_assert_cmpstr (c, ==, "password reset failed, 3 days ago");
  g_assert_cmpstr (d, ==, "invitation queued, just now");
  g_assert_cmpstr (e, ==, "welcome bounced");
  g_assert_cmpstr (f, ==, "invitation, 5 minutes ago");
  g_assert_cmpstr (g, ==, "none");
  g_assert_cmpstr (h, ==, "password-set notice sent, 5 minutes ago");
}

static const char accounts_json[] =
  "{\"accounts\": ["
  " {\"login\": \"jdupont\", \"email\": \"jean@example.org\", \"display_name\": \"Jean Dupont\","
  "  \"language\": \"fr\", \"space\": {\"name\": \"Expert group on AI\","
  "  \"url\": \"https://spaces.example.org/ai\"}, \"created_at\": 1763647500,"
  "  \"password_set\": true, \"password_expires_at\": 1779459900, \"password_expired\": false,"
  "  \"totp\": \"active\", \"locked_until\": 1763907420,"
  "  \"last_email\": {\"kind\": \"invitation\", \"status\": \"sent\", \"at\": 1763647500}},"
  " {\"login\": \"emuller\", \"email\": \"elodie@example.org\","
  "  \"display_name\": \"\xc3\x89lodie M\xc3\xbcller\", \"language\": \"en\", \"space\": null,"
  "  \"created_at\": 1763906400, \"password_set\": false, \"password_expires_at\": null,"
  "  \"password_expired\": false, \"totp\": \"none\", \"locked_until\": null,"
  "  \"last_email\": {\"kind\": \"invitation\", \"status\": \"sent\", \"at\": 1763906400}},"
  " 42,"
  " {\"login\": \"old\", \"email\": \"old@example.org\", \"display_name\": \"Old Timer\","
  "  \"password_set\": true, \"password_expired\": true, \"totp\": \"pending\"}"
  "]}";

static void
test_account_table (void)
{
  g_autoptr(JsonObject) root = parse_object (accounts_json);
  JsonArray *accounts = json_object_get_array_member (root, "accounts");
  g_autofree char *table = vst_admin_format_account_table (accounts, NOW);
  g_auto(GStrv) lines = split_lines (table);
  const char *columns[] = { "NAME", "E-MAIL", "PASSWORD", "2FA", "LOCKED", "LAST E-MAIL" };
  guint i;

  /* Header, then the three objects sorted by login; the number is skipped. */
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_true (g_str_has_prefix (lines[0], "LOGIN "));
  g_assert_true (g_str_has_prefix (lines[1], "emuller "));
  g_assert_true (g_str_has_prefix (lines[2], "jdupont "));
  g_assert_true (g_str_has_prefix (lines[3], "old "));

  /* Each cell sits under its header. */
  g_assert_cmpuint (column_of (lines[1], "\xc3\x89lodie M\xc3\xbcller"), ==,
                    column_of (lines[0], "NAME"));
  g_assert_cmpuint (column_of (lines[2], "Jean Dupont"), ==, column_of (lines[0], "NAME"));
  g_assert_cmpuint (column_of (lines[1], "elodie@"), ==, column_of (lines[0], "E-MAIL"));
  g_assert_cmpuint (column_of (lines[1], "not set"), ==, column_of (lines[0], "PASSWORD"));
  g_assert_cmpuint (column_of (lines[2], " set ") + 1, ==, column_of (lines[0], "PASSWORD"));
  g_assert_cmpuint (column_of (lines[3], "expired"), ==, column_of (lines[0], "PASSWORD"));
  g_assert_cmpuint (column_of (lines[1], "none"), ==, column_of (lines[0], "2FA"));
  g_assert_cmpuint (column_of (lines[2], "active"), ==, column_of (lines[0], "2FA"));
  g_assert_cmpuint (column_of (lines[3], "pending"), ==, column_of (lines[0], "2FA"));
  g_assert_cmpuint (column_of (lines[2], "until 14:17"), ==, column_of (lines[0], "LOCKED"));
  g_assert_cmpuint (column_of (lines[1], "invitation sent, 5 minutes ago"), ==,
                    column_of (lines[0], "LAST E-MAIL"));
  g_assert_cmpuint (column_of (lines[2], "invitation sent, 3 days ago"), ==,
                    column_of (lines[0], "LAST E-MAIL"));
  /* Absent values read as a dash, never as an empty cell. */
  g_assert_cmpuint (column_of (lines[3], "none"), ==, column_of (lines[0], "LAST E-MAIL"));

  /* The header names every column, in order. */
  for (i = 1; i < G_N_ELEMENTS (columns); i++)
    g_assert_cmpuint (column_of (lines[0], columns[i - 1]), <, column_of (lines[0], columns[i]));
}

static void
test_account_details (void)
{
  g_autoptr(JsonObject) root = parse_object (accounts_json);
  JsonArray *accounts = json_object_get_array_member (root, "accounts");
  JsonObject *jdupont = json_array_get_object_element (accounts, 0);
  JsonObject *emuller = json_array_get_object_element (accounts, 1);
  g_autofree char *details = vst_admin_format_account_details (jdupont, NOW);
  g_autofree char *bare = vst_admin_format_account_details (emuller, NOW);

  g_assert_cmpstr (details, ==,
                   "Login:       jdupont\n"
                   "Name:        Jean Dupont\n"
                   "E-mail:      jean@example.org\n"
                   "Language:    French\n"
                   "Space:       Expert group on AI\n"
                   "Space URL:   https://spaces.example.org/ai\n"
                   "Created:     2025-11-20 14:05 (3 days ago)\n"
                   "Password:    set, expires 2026-05-22 14:25 (in 180 days)\n"
                   "2FA:         active\n"
                   "Locked:      until 2025-11-23 14:17 (in 12 minutes)\n"
                   "Last e-mail: invitation sent, 2025-11-20 14:05 (3 days ago)\n");

  g_assert_cmpstr (bare, ==,
                   "Login:       emuller\n"
                   "Name:        \xc3\x89lodie M\xc3\xbcller\n"
                   "E-mail:      elodie@example.org\n"
                   "Language:    English\n"
                   "Space:       —\n"
                   "Space URL:   —\n"
                   "Created:     2025-11-23 14:00 (5 minutes ago)\n"
                   "Password:    not set\n"
                   "2FA:         none\n"
                   "Locked:      no\n"
                   "Last e-mail: invitation sent, 2025-11-23 14:00 (5 minutes ago)\n");
}

static void
test_account_details_expired_and_empty (void)
{
  g_autoptr(JsonObject) expired = parse_object ("{\"login\": \"old\", \"password_set\": true,"
                                                " \"password_expired\": true,"
                                                " \"password_expires_at\": 1763647500}");
  g_autoptr(JsonObject) empty = parse_object ("{}");
  g_autofree char *a = vst_admin_format_account_details (expired, NOW);
  g_autofree char *b = vst_admin_format_account_details (empty, NOW);

  g_assert_nonnull (strstr (a, "Password:    expired since 2025-11-20 14:05 (3 days ago)\n"));
  /* Every line is there, with a dash for what the server left out. */
  g_assert_nonnull (strstr (b, "Login:       —\n"));
  g_assert_nonnull (strstr (b, "Created:     —\n"));
  g_assert_nonnull (strstr (b, "Last e-mail: none\n"));
}

static void
test_key_values (void)
{
  const char *pairs[] = { "Nom :", "Élodie", "E-mail :", "", "2FA :", "active", NULL, NULL };
  g_autofree char *text = vst_admin_format_key_values (pairs);

  /* Keys are padded by display width: "Nom :" is 5 columns, 6 bytes. */
  g_assert_cmpstr (text, ==,
                   "Nom :    Élodie\n"
                   "E-mail : —\n"
                   "2FA :    active\n");
}

static void
test_json (void)
{
  g_autoptr(JsonNode) node = json_from_string ("{\"login\":\"jdupont\",\"totp\":\"none\"}",
                                               NULL);
  g_autofree char *text = vst_admin_format_json (node);

  g_assert_cmpstr (text, ==,
                   "{\n"
                   "  \"login\" : \"jdupont\",\n"
                   "  \"totp\" : \"none\"\n"
                   "}\n");
}

int
main (int    argc,
      char **argv)
{
  /* Dates are checked in UTC and strings in English, whoever runs this. */
  g_setenv ("TZ", "UTC", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "");

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/admin/format/display-width", test_display_width);
  g_test_add_func ("/admin/format/sanitize", test_sanitize);
  g_test_add_func ("/admin/format/table/alignment", test_table_alignment);
  g_test_add_func ("/admin/format/table/short-rows", test_table_short_rows);
  g_test_add_func ("/admin/format/relative-time", test_relative_time);
  g_test_add_func ("/admin/format/relative-time/extremes", test_relative_time_extremes);
  g_test_add_func ("/admin/format/date-time", test_date_time);
  g_test_add_func ("/admin/format/password", test_password_state);
  g_test_add_func ("/admin/format/totp", test_totp_state);
  g_test_add_func ("/admin/format/locked", test_locked);
  g_test_add_func ("/admin/format/last-email", test_last_email);
  g_test_add_func ("/admin/format/account-table", test_account_table);
  g_test_add_func ("/admin/format/account-details", test_account_details);
  g_test_add_func ("/admin/format/account-details/sparse", test_account_details_expired_and_empty);
  g_test_add_func ("/admin/format/key-values", test_key_values);
  g_test_add_func ("/admin/format/json", test_json);

  return g_test_run ();
}
