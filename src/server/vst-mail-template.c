/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "vestibule-server"

#include "config.h"

#include <string.h>

#include "vst-mail-template.h"

G_DEFINE_QUARK (vst-mail-template-error-quark, vst_mail_template_error)

static char *
substitute (const char  *template,
            GHashTable  *vars,
            gboolean     html,
            const char  *path,
            GError     **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = template;

  for (;;)
    {
      const char *open = strstr (p, "{{");
      const char *close;
      g_autofree char *name = NULL;
      const char *value;

      if (open == NULL)
        break;
      close = strstr (open, "}}");
      if (close == NULL)
        {
          g_set_error (error, VST_MAIL_TEMPLATE_ERROR, VST_MAIL_TEMPLATE_ERROR_MALFORMED,
                       "%s: “{{” without “}}”", path);
          return NULL;
        }
      g_string_append_len (out, p, open - p);
      name = g_strstrip (g_strndup (open + 2, close - open - 2));
      value = g_hash_table_lookup (vars, name);
      if (value == NULL)
        {
          g_set_error (error, VST_MAIL_TEMPLATE_ERROR, VST_MAIL_TEMPLATE_ERROR_MALFORMED,
                       "%s: unknown placeholder “%s”", path, name);
          return NULL;
        }
      if (html)
        {
          g_autofree char *escaped = g_markup_escape_text (value, -1);

          g_string_append (out, escaped);
        }
      else
        g_string_append (out, value);
      p = close + 2;
    }
  g_string_append (out, p);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
vst_mail_template_render (const char  *datadir,
                          const char  *kind,
                          const char  *language,
                          GHashTable  *vars,
                          char       **out_subject,
                          char       **out_text,
                          char       **out_html,
                          GError     **error)
{
  g_autofree char *text_name = g_strdup_printf ("%s.%s.txt", kind, language);
  g_autofree char *html_name = g_strdup_printf ("%s.%s.html", kind, language);
  g_autofree char *text_path = g_build_filename (datadir, "mail", text_name, NULL);
  g_autofree char *html_path = g_build_filename (datadir, "mail", html_name, NULL);
  g_autofree char *text_template = NULL;
  g_autofree char *html_template = NULL;
  g_autofree char *subject_line = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *text = NULL;
  g_autofree char *html = NULL;
  const char *body;
  const char *newline;

  if (!g_file_get_contents (text_path, &text_template, NULL, error) ||
      !g_file_get_contents (html_path, &html_template, NULL, error))
    return FALSE;
  if (!g_utf8_validate (text_template, -1, NULL) || !g_utf8_validate (html_template, -1, NULL))
    {
      g_set_error (error, VST_MAIL_TEMPLATE_ERROR, VST_MAIL_TEMPLATE_ERROR_MALFORMED,
                   "%s: not UTF-8", text_path);
      return FALSE;
    }

  newline = strchr (text_template, '\n');
  if (!g_str_has_prefix (text_template, "Subject:") || newline == NULL)
    {
      g_set_error (error, VST_MAIL_TEMPLATE_ERROR, VST_MAIL_TEMPLATE_ERROR_MALFORMED,
                   "%s: the first line must be “Subject: …”", text_path);
      return FALSE;
    }
  subject_line = g_strstrip (g_strndup (text_template + strlen ("Subject:"),
                                        newline - text_template - strlen ("Subject:")));
  body = newline + 1;
  /* One blank line separates the subject from the body. */
  if (*body == '\n')
    body++;

  subject = substitute (subject_line, vars, FALSE, text_path, error);
  if (subject == NULL)
    return FALSE;
  text = substitute (body, vars, FALSE, text_path, error);
  if (text == NULL)
    return FALSE;
  html = substitute (html_template, vars, TRUE, html_path, error);
  if (html == NULL)
    return FALSE;

  /* A subject is one line whatever a value held. */
  g_strdelimit (subject, "\r\n", ' ');
  *out_subject = g_steal_pointer (&subject);
  *out_text = g_steal_pointer (&text);
  *out_html = g_steal_pointer (&html);
  return TRUE;
}
