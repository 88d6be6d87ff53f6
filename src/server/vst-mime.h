/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "Name <user@example.org>", "<user@example.org>" or "user@example.org":
 * the display name (NULL if none) and the bare address. FALSE when there
 * is no plausible address. */
gboolean  vst_mime_parse_address  (const char  *spec,
                                   char       **out_name,
                                   char       **out_address);

/* A header value as is when it is printable ASCII, else RFC 2047 encoded
 * words ("=?UTF-8?B?...?="), each within 75 characters. */
char     *vst_mime_encode_header  (const char  *value) G_GNUC_WARN_UNUSED_RESULT;

/* RFC 5322 date, always in English whatever the locale. */
char     *vst_mime_format_date    (gint64       unix_time) G_GNUC_WARN_UNUSED_RESULT;

/**
 * vst_mime_build_message:
 * @from: the From: header as configured ("Org <noreply@org>")
 * @to_name: (nullable): the recipient's name
 * @to_address: the recipient's address
 * @subject, @text, @html: UTF-8
 * @date: when, in Unix seconds
 *
 * A complete message: multipart/alternative with a text/plain and a
 * text/html part, both UTF-8 and base64, CRLF line ends, a Date and a
 * unique Message-ID.
 */
GBytes   *vst_mime_build_message  (const char  *from,
                                   const char  *to_name,
                                   const char  *to_address,
                                   const char  *subject,
                                   const char  *text,
                                   const char  *html,
                                   gint64       date) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
