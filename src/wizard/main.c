/* main.c: vestibule, the onboarding wizard.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <vestibule.h>

#include "vst-application.h"
#include "vst-util.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(VstApplication) app = NULL;
  const char *localedir = g_getenv ("VESTIBULE_LOCALEDIR");
  const char *locale = setlocale (LC_ALL, "");

  /* gettext ignores LANGUAGE in the plain "C" locale, and the language
   * switch relies on it. */
  if (locale == NULL || g_str_equal (locale, "C") || g_str_equal (locale, "POSIX"))
    setlocale (LC_ALL, "C.UTF-8");

  if (localedir == NULL || *localedir == '\0')
    localedir = LOCALEDIR;
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  vst_core_init_i18n (localedir);

  vst_language_set (vst_language_from_system ());

  g_set_application_name (_("Vestibule"));
  app = vst_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
