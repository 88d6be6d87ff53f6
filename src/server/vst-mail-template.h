/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VST_MAIL_TEMPLATE_ERROR (vst_mail_template_error_quark ())

typedef enum {
  VST_MAIL_TEMPLATE_ERROR_MALFORMED,
} VstMailTemplateError;

GQuark vst_mail_template_error_quark (void);

/**
 * vst_mail_template_render:
 * @datadir: where the mail/ folder is
 * @kind: "invitation", "reset", "password-set"
 * @language: "en" or "fr"
 * @vars: placeholder name -> value
 *
 * Reads mail/@kind.@language.txt, whose first line is "Subject: ...", and
 * mail/@kind.@language.html, and replaces each {{name}} with its value,
 * escaped for HTML in the HTML part. A placeholder without a value is an
 * error, so that a typo in a template does not go out.
 */
gboolean vst_mail_template_render (const char  *datadir,
                                   const char  *kind,
                                   const char  *language,
                                   GHashTable  *vars,
                                   char       **out_subject,
                                   char       **out_text,
                                   char       **out_html,
                                   GError     **error);

G_END_DECLS
