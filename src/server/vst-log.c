/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "vestibule-server"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
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

/* Whether stderr is the journal's stream: asked once, in
 * vst_log_install_writer(), rather than with a getpeername() per record. */
static gboolean stderr_is_journald;

/* @now (microseconds since the epoch, UTC) as g_date_time_format_iso8601()
 * writes it ("2026-11-23T11:56:08.677350Z", without the fraction on a whole
 * second), into @buf; without its allocations, locale and GString. */
static void
format_stamp (gint64  now,
              char   *buf,
              gsize   size)
{
  time_t seconds = (time_t) (now / G_USEC_PER_SEC);
  int usec = (int) (now % G_USEC_PER_SEC);
  struct tm tm;

  gmtime_r (&seconds, &tm);
  if (usec != 0)
    g_snprintf (buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
  else
    g_snprintf (buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static GLogWriterOutput
writer (GLogLevelFlags   log_level,
        const GLogField *fields,
        gsize            n_fields,
        gpointer         user_data)
{
  g_autoptr(GString) line = NULL;
  char stamp[64];
  const char *domain = NULL;
  const char *message = NULL;

  if (stderr_is_journald)
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

  /* Built with appends into one buffer and written with one write(2): the
   * audit trail has a record per wrong code, so this runs at the rate of an
   * attack. */
  format_stamp (g_get_real_time (), stamp, sizeof stamp);
  line = g_string_sized_new (256);
  g_string_append (line, stamp);
  g_string_append_c (line, ' ');
  g_string_append (line, level_name (log_level));
  g_string_append_c (line, ' ');
  g_string_append (line, domain != NULL ? domain : "-");
  g_string_append (line, ": ");
  g_string_append (line, message != NULL ? message : "");
  for (gsize i = 0; i < n_fields; i++)
    {
      if (!g_str_has_prefix (fields[i].key, "VST_") || fields[i].length != -1)
        continue;
      g_string_append_c (line, ' ');
      g_string_append (line, fields[i].key + 4);
      g_string_append_c (line, '=');
      if (strpbrk (fields[i].value, " \"") != NULL || *(const char *) fields[i].value == '\0')
        {
          g_autofree char *escaped = g_strescape (fields[i].value, NULL);

          g_string_append_c (line, '"');
          g_string_append (line, escaped);
          g_string_append_c (line, '"');
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
  stderr_is_journald = g_log_writer_is_journald (fileno (stderr));
  g_log_set_writer_func (writer, NULL, NULL);
}
