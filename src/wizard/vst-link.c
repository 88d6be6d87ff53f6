/* vst-link.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>
#include <vestibule.h>

#include "vst-link.h"

void
vst_link_free (VstLink *link)
{
  if (link == NULL)
    return;

  g_free (link->login);
  vst_secure_free (link->token);
  g_free (link);
}

gboolean
vst_login_is_valid (const char *login)
{
  gsize len;

  if (login == NULL)
    return FALSE;

  len = strlen (login);
  if (len < 2 || len > 64)
    return FALSE;

  for (const char *p = login; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
        return FALSE;
    }

  return TRUE;
}

char *
vst_reset_token_normalize (const char *text)
{
  g_autoptr(GString) token = NULL;

  if (text == NULL)
    return NULL;

  token = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; p++)
    {
      char c = g_ascii_toupper (*p);

      if (g_ascii_isspace (c) || c == '-')
        continue;
      if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7')))
        return NULL;
      g_string_append_c (token, c);
    }

  if (token->len < 16 || token->len > 64)
    return NULL;

  return g_string_free (g_steal_pointer (&token), FALSE);
}

static GError *
invalid_link_error (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                              _("This link is not a Vestibule link. Copy the whole link "
                                "from the e-mail, or only the code."));
}

VstLink *
vst_link_parse (const char  *uri,
                GError     **error)
{
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(VstLink) link = NULL;
  const char *host;
  const char *login;
  const char *token;

  g_return_val_if_fail (uri != NULL, NULL);

  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY, NULL);
  if (parsed == NULL ||
      g_ascii_strcasecmp (g_uri_get_scheme (parsed), "vestibule") != 0 ||
      (host = g_uri_get_host (parsed)) == NULL)
    {
      g_propagate_error (error, invalid_link_error ());
      return NULL;
    }

  if (g_uri_get_query (parsed) != NULL)
    params = g_uri_parse_params (g_uri_get_query (parsed), -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params == NULL)
    params = g_hash_table_new (g_str_hash, g_str_equal);

  link = g_new0 (VstLink, 1);
  login = g_hash_table_lookup (params, "login");
  token = g_hash_table_lookup (params, "token");

  if (login != NULL)
    {
      link->login = g_ascii_strdown (login, -1);
      g_strstrip (link->login);
      if (!vst_login_is_valid (link->login))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("The login in this link is not valid. Copy the whole link from the e-mail."));
          return NULL;
        }
    }

  if (g_ascii_strcasecmp (host, "invite") == 0)
    {
      link->kind = VST_LINK_INVITE;
      return g_steal_pointer (&link);
    }

  if (g_ascii_strcasecmp (host, "reset") == 0)
    {
      link->kind = VST_LINK_RESET;
      link->token = vst_reset_token_normalize (token);
      if (link->token == NULL || link->login == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("This reset link is incomplete. Copy the whole link from the e-mail, "
                         "or only the code."));
          return NULL;
        }
      return g_steal_pointer (&link);
    }

  g_propagate_error (error, invalid_link_error ());
  return NULL;
}

VstLink *
vst_link_parse_pasted (const char  *text,
                       GError     **error)
{
  g_autofree char *trimmed = NULL;
  VstLink *link;

  g_return_val_if_fail (text != NULL, NULL);

  trimmed = g_strstrip (g_strdup (text));

  if (strstr (trimmed, "://") != NULL)
    {
      link = vst_link_parse (trimmed, error);
      if (link != NULL && link->kind != VST_LINK_RESET)
        {
          vst_link_free (link);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("This is the invitation link. Paste the link from the e-mail about "
                         "your password instead."));
          return NULL;
        }
      return link;
    }

  link = g_new0 (VstLink, 1);
  link->kind = VST_LINK_RESET;
  link->token = vst_reset_token_normalize (trimmed);
  if (link->token == NULL)
    {
      vst_link_free (link);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("This code is not complete. Copy the whole code from the e-mail: it "
                     "has 26 letters and digits."));
      return NULL;
    }

  return link;
}
