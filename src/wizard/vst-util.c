/* vst-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "vst-resources.h"
#include "vst-util.h"

static char *current_language;

void
vst_ensure_resources (void)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered))
    {
      vst_register_resource ();
      g_once_init_leave (&registered, 1);
    }
}

const char *
vst_language_from_system (void)
{
  const char * const *names = g_get_language_names ();

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_str_has_prefix (names[i], "fr"))
        return "fr";
      if (g_str_has_prefix (names[i], "en"))
        return "en";
    }

  return "en";
}

const char *
vst_language_get (void)
{
  if (current_language == NULL)
    return vst_language_from_system ();

  return current_language;
}

void
vst_language_set (const char *language)
{
  g_return_if_fail (language != NULL);

  if (!g_str_equal (language, "fr"))
    language = "en";

  g_free (current_language);
  current_language = g_strdup (language);

  /* LANGUAGE takes precedence over LC_MESSAGES in gettext (unless the locale
   * is plain "C", which main() avoids); English is the untranslated text. */
  g_setenv ("LANGUAGE", language, TRUE);
}

char *
vst_format_date (gint64 unix_time)
{
  static const char *months[] = {
    NC_("month name in a date", "January"),
    NC_("month name in a date", "February"),
    NC_("month name in a date", "March"),
    NC_("month name in a date", "April"),
    NC_("month name in a date", "May"),
    NC_("month name in a date", "June"),
    NC_("month name in a date", "July"),
    NC_("month name in a date", "August"),
    NC_("month name in a date", "September"),
    NC_("month name in a date", "October"),
    NC_("month name in a date", "November"),
    NC_("month name in a date", "December"),
  };
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) local = NULL;
  const char *month;

  if (utc == NULL)
    return g_strdup ("");

  local = g_date_time_to_local (utc);
  month = g_dpgettext2 (NULL, "month name in a date",
                        months[g_date_time_get_month (local) - 1]);

  /* Translators: a date: %1$d is the day, %2$s the month's name, %3$d the
   * year; reorder them as your language writes a date ("5 mars 2027"). */
  return g_strdup_printf (_("%2$s %1$d, %3$d"),
                          g_date_time_get_day_of_month (local),
                          month,
                          g_date_time_get_year (local));
}

char *
vst_format_countdown (gint64 seconds)
{
  if (seconds < 0)
    seconds = 0;

  if (seconds < 60)
    /* Translators: a countdown in seconds ("45 s"). */
    return g_strdup_printf (_("%d s"), (int) seconds);

  /* Translators: a countdown in minutes and seconds ("2 min 5 s"). */
  return g_strdup_printf (_("%d min %d s"), (int) (seconds / 60), (int) (seconds % 60));
}
