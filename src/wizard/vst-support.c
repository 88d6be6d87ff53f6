/* vst-support.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "vst-support.h"
#include "vst-util.h"

char *
vst_support_summary_build (VstSession *session,
                           guint       step,
                           const char *page_id)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char *login;
  const char *last_error;

  g_return_val_if_fail (VST_IS_SESSION (session), NULL);

  login = vst_session_get_login (session);
  last_error = vst_session_get_last_error (session);

  g_string_append_printf (text, "Vestibule %s\n", PACKAGE_VERSION);
  g_string_append_printf (text, _("Login: %s\n"), login != NULL ? login : _("not given yet"));

  if (step == 0)
    g_string_append_printf (text, _("Step: welcome (%s)\n"), page_id);
  else
    /* Translators: %u are numbers, %s is the page's id (not translated). */
    g_string_append_printf (text, _("Step: %u of 3 (%s)\n"), step, page_id);

  g_string_append_printf (text, _("Server: %s\n"), vst_session_get_server_url (session));

  if (vst_session_has_clock_offset (session))
    {
      gint64 offset = vst_session_get_clock_offset (session);

      /* Translators: the difference between the server's clock and this
       * computer's, in seconds ("+3 s": the server is 3 seconds ahead). */
      g_string_append_printf (text, _("Clock offset (server − this computer): %+d s\n"),
                              (int) CLAMP (offset, G_MININT, G_MAXINT));
    }
  else
    g_string_append (text, _("Clock offset (server − this computer): unknown\n"));

  g_string_append_printf (text, _("Two-factor authentication: %s\n"),
                          (const char *[]) { "unknown", "none", "pending", "active" }[vst_session_get_totp_state (session)]);
  g_string_append_printf (text, _("Last error: %s\n"), last_error != NULL ? last_error : _("none"));
  g_string_append_printf (text, _("Language: %s\n"), vst_language_get ());

  return g_string_free (g_steal_pointer (&text), FALSE);
}
