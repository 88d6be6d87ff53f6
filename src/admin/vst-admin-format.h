/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * Formatting for vestibule-admin: pure functions from the server's JSON to
 * the text a helpdesk agent reads. Nothing here prints, reads the clock or
 * touches the network; "now" is always a parameter so that tests are exact.
 * Every function tolerates missing members and members of the wrong type:
 * the server may be newer or older than this tool.
 */

/* Returns @text as valid UTF-8 with control characters (escape sequences,
 * newlines, tabs) replaced by U+FFFD, so that a display name cannot move the
 * cursor or recolour the agent's terminal. NULL gives "". */
G_GNUC_WARN_UNUSED_RESULT
char       *vst_admin_sanitize_text          (const char        *text);

/* Columns that @text takes in a terminal: combining marks take none, East
 * Asian wide characters take two, everything else one. @text is UTF-8. */
gsize       vst_admin_display_width          (const char        *text);

/* Renders @rows (a GPtrArray of GStrv, each of @n_columns cells) under
 * @headers with the columns aligned by display width, two spaces between
 * columns and no trailing blanks. Cells are sanitized. */
G_GNUC_WARN_UNUSED_RESULT
char       *vst_admin_format_table           (const char *const *headers,
                                              guint              n_columns,
                                              GPtrArray         *rows);

/* Renders "key: value" lines with the values aligned; @pairs is a
 * NULL-terminated array of key, value, key, value… Values are sanitized. */
G_GNUC_WARN_UNUSED_RESULT
char       *vst_admin_format_key_values      (const char *const *pairs);

/* "just now", "5 minutes ago", "in 3 hours", "12 days ago". */
G_GNUC_WARN_UNUSED_RESULT
char       *vst_admin_format_relative_time   (gint64             then,
                                              gint64             now);

/* "2025-11-23 14:05" in the local time zone. */
G_GNUC_WARN_UNUSED_RESULT
char       *vst_admin_format_date_time       (gint64             unix_time);

/* "none", "pending", "active" (translated); an unknown state as it came. */
const char *vst_admin_format_totp            (const char        *state);

/* Short forms, for the table. */
G_GNUC_WARN_UNUSED_RESULT
char       *vst_admin_format_password        (JsonObject        *account);
G_GNUC_WARN_UNUSED_RESULT
char       *vst_admin_format_locked          (JsonObject        *account,
                                              gint64             now);
G_GNUC_WARN_UNUSED_RESULT
char       *vst_admin_format_last_email      (JsonObject        *account,
                                              gint64             now);

/* The `list` table: LOGIN, NAME, E-MAIL, PASSWORD, 2FA, LOCKED, LAST E-MAIL,
 * sorted by login. Elements of @accounts that are not objects are skipped. */
G_GNUC_WARN_UNUSED_RESULT
char       *vst_admin_format_account_table   (JsonArray         *accounts,
                                              gint64             now);

/* The `show` block: one "key: value" line per fact, dates in full. */
G_GNUC_WARN_UNUSED_RESULT
char       *vst_admin_format_account_details (JsonObject        *account,
                                              gint64             now);

/* @node as indented JSON, ending with a newline. */
G_GNUC_WARN_UNUSED_RESULT
char       *vst_admin_format_json            (JsonNode          *node);

G_END_DECLS
