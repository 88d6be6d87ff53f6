/* vst-util.h: small helpers shared by the wizard's pages.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Registers the wizard's GResource once; every template user calls it. */
void        vst_ensure_resources     (void);

/* The user interface language: "en" or "fr". */
const char *vst_language_get         (void);
/* Switches gettext to @language ("en" or "fr") for every string translated
 * from now on; the caller rebuilds or re-labels what is on screen. */
void        vst_language_set         (const char *language);
/* "fr" when the system locale prefers French, "en" otherwise. */
const char *vst_language_from_system (void);

/* A date in the user interface language: "5 March 2027" / "5 mars 2027". */
char       *vst_format_date          (gint64 unix_time) G_GNUC_WARN_UNUSED_RESULT;

/* "45 s", "2 min 5 s": a short countdown. */
char       *vst_format_countdown     (gint64 seconds) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
