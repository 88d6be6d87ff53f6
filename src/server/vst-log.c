/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "vestibule-server"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vst-log.h"

static const char *
level_name (GLogLevelFlags level)
{
  if (level & G_LOG_LEVEL_ERROR)
    return "ERROR";
  if (level & G_LOG_LEVEL_CRITICAL)
    return "CRITICAL";
  if (level & G_LOG_LEVEL_WARNING)
    return "WARNING";
  if (level & G_LOG_LEVEL_MESSAGE)
    return "MESSAGE";
  if (level & G_LOG_LEVEL_INFO)
    return "INFO";
  return "DEBUG";
}

static GLogWriterOutput
writer (GLogLevelFlags   log_level,
        const GLogField *fields,
        gsize            n_fields,
        gpointer         user_data)
{
  g_autoptr(GString) line = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *stamp = NULL;
  const char *domain = NULL;
  const char *message = NULL;

  if (g_log_writer_is_journald (fileno (stderr)))
    return g_log_writer_journald (log_level, fields, n_fields, user_data);

  for (gsize i = 0; i < n_fields; i++)
    {
      if (strcmp (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (strcmp (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
    }

  if ((log_level & G_LOG_LEVEL_DEBUG) && g_log_writer_default_would_drop (log_level, domain))
    return G_LOG_WRITER_HANDLED;
  /* Other libraries' info records are chatter unless asked for. */
  if ((log_level & G_LOG_LEVEL_INFO) && g_strcmp0 (domain, G_LOG_DOMAIN) != 0 &&
      g_log_writer_default_would_drop (log_level, domain))
    return G_LOG_WRITER_HANDLED;

  now = g_date_time_new_now_utc ();
  stamp = g_date_time_format_iso8601 (now);
  line = g_string_new (NULL);
  g_string_append_printf (line, "%s %s %s: %s", stamp, level_name (log_level),
                          domain != NULL ? domain : "-", message != NULL ? message : "");
  for (gsize i = 0; i < n_fields; i++)
    {
      if (!g_str_has_prefix (fields[i].key, "VST_") || fields[i].length != -1)
        continue;
      g_string_append_printf (line, " %s=", fields[i].key + 4);
      if (strpbrk (fields[i].value, " \"") != NULL || *(const char *) fields[i].value == '\0')
        {
          g_autofree char *escaped = g_strescape (fields[i].value, NULL);

          g_string_append_printf (line, "\"%s\"", escaped);
        }
      else
        g_string_append (line, fields[i].value);
    }
  g_string_append_c (line, '\n');
  fputs (line->str, stderr);
  fflush (stderr);
  return G_LOG_WRITER_HANDLED;
}

void
vst_log_install_writer (void)
{
  g_log_set_writer_func (writer, NULL, NULL);
}
