/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "vestibule-server"

#include "config.h"

#include <string.h>

#include "vst-api-request.h"
#include "vst-mime.h"

G_DEFINE_QUARK (vst-api-request-error-quark, vst_api_request_error)

char *
vst_api_normalize_login (const char *login)
{
  g_return_val_if_fail (login != NULL, NULL);

  return g_strstrip (g_ascii_strdown (login, -1));
}

static gboolean
login_is_valid (const char *login)
{
  gsize len = strlen (login);

  if (len < 2 || len > 64)
    return FALSE;
  for (const char *p = login; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

static gboolean
email_is_valid (const char *email)
{
  const char *at = strchr (email, '@');
  g_autofree char *address = NULL;

  if (strlen (email) > 254 || at == NULL || at == email || at[1] == '\0' ||
      strchr (at + 1, '@') != NULL || strchr (at + 1, '.') == NULL ||
      !vst_mime_parse_address (email, NULL, &address) || strcmp (address, email) != 0)
    return FALSE;
  for (const char *p = email; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || *p == 0x7f || *p == '(' || *p == ')' || *p == ';' || *p == '\\')
      return FALSE;
  return TRUE;
}

static gboolean
text_is_valid (const char *text,
               gsize       max)
{
  if (*text == '\0' || strlen (text) > max)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return FALSE;
  return TRUE;
}

/* A string member, or NULL when it is missing (and @optional) or null.
 * Sets @error and returns FALSE when it is required and missing, or not a
 * string. Does nothing once @error is set, so that the first bad member is
 * the one reported. */
static gboolean
get_string_member (JsonObject   *object,
                   const char   *name,
                   gboolean      optional,
                   const char  **out_value,
                   GError      **error)
{
  JsonNode *node;

  *out_value = NULL;
  if (error != NULL && *error != NULL)
    return FALSE;
  node = json_object_get_member (object, name);
  if ((node == NULL || JSON_NODE_HOLDS_NULL (node)) && optional)
    return TRUE;
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error_literal (error, VST_API_REQUEST_ERROR, VST_API_REQUEST_ERROR_BAD_MEMBER, name);
      return FALSE;
    }
  *out_value = json_node_get_string (node);
  /* The syntax check should make this impossible; the database, the log
   * and the e-mails only ever get UTF-8. */
  if (!g_utf8_validate (*out_value, -1, NULL))
    {
      *out_value = NULL;
      g_set_error_literal (error, VST_API_REQUEST_ERROR, VST_API_REQUEST_ERROR_BAD_MEMBER, name);
      return FALSE;
    }
  return TRUE;
}

/* The members of @request->kind; the first missing one fails. */
static gboolean
get_members (VstApiRequest  *request,
             GError        **error)
{
  JsonObject *object = json_node_get_object (request->root);
  g_autoptr(GError) local_error = NULL;
  const char *login = NULL;

  switch (request->kind)
    {
    case VST_API_BODY_PASSWORD_RESET:
      get_string_member (object, "login", FALSE, &login, &local_error);
      break;
    case VST_API_BODY_PASSWORD:
      get_string_member (object, "login", FALSE, &login, &local_error);
      get_string_member (object, "token", FALSE, &request->token, &local_error);
      get_string_member (object, "password", FALSE, &request->password, &local_error);
      break;
    case VST_API_BODY_SESSION:
      get_string_member (object, "login", FALSE, &login, &local_error);
      get_string_member (object, "password", FALSE, &request->password, &local_error);
      break;
    case VST_API_BODY_TOTP_CODE:
      get_string_member (object, "code", FALSE, &request->code, &local_error);
      /* Needed to activate a key with a directory store (docs/api.md). */
      get_string_member (object, "password", TRUE, &request->password, &local_error);
      break;
    case VST_API_BODY_ACCOUNT:
      get_string_member (object, "login", FALSE, &login, &local_error);
      get_string_member (object, "email", FALSE, &request->email, &local_error);
      get_string_member (object, "display_name", FALSE, &request->display_name, &local_error);
      get_string_member (object, "language", FALSE, &request->language, &local_error);
      get_string_member (object, "space_name", TRUE, &request->space_name, &local_error);
      get_string_member (object, "space_url", TRUE, &request->space_url, &local_error);
      break;
    case VST_API_N_BODIES:
    default:
      g_assert_not_reached ();
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (login != NULL)
    request->login = vst_api_normalize_login (login);
  return TRUE;
}

/* What the helpdesk sends to create an account. */
static gboolean
validate_account (VstApiRequest  *request,
                  GError        **error)
{
  if (!login_is_valid (request->login))
    {
      g_set_error_literal (error, VST_API_REQUEST_ERROR, VST_API_REQUEST_ERROR_BAD_LOGIN,
                           "invalid login");
      return FALSE;
    }
  if (!email_is_valid (request->email))
    {
      g_set_error_literal (error, VST_API_REQUEST_ERROR, VST_API_REQUEST_ERROR_BAD_EMAIL,
                           "invalid e-mail address");
      return FALSE;
    }
  if (!text_is_valid (request->display_name, 200))
    {
      g_set_error_literal (error, VST_API_REQUEST_ERROR, VST_API_REQUEST_ERROR_BAD_NAME,
                           "invalid display name");
      return FALSE;
    }
  if (strcmp (request->language, "en") != 0 && strcmp (request->language, "fr") != 0)
    {
      g_set_error_literal (error, VST_API_REQUEST_ERROR, VST_API_REQUEST_ERROR_BAD_LANGUAGE,
                           "invalid language");
      return FALSE;
    }
  if ((request->space_name != NULL && !text_is_valid (request->space_name, 200)) ||
      (request->space_url != NULL && (!text_is_valid (request->space_url, 2000) ||
                                      (!g_str_has_prefix (request->space_url, "https://") &&
                                       !g_str_has_prefix (request->space_url, "http://")))))
    {
      g_set_error_literal (error, VST_API_REQUEST_ERROR, VST_API_REQUEST_ERROR_BAD_SPACE,
                           "invalid space");
      return FALSE;
    }
  return TRUE;
}

/* Request bodies are flat objects; deeper is no request of ours. */
#define MAX_DEPTH 32

static const char *
skip_blanks (const char *p,
             const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
    p++;
  return p;
}

/* The code unit of the escape \uXXXX at @p (at the 'u'), or -1. */
static int
unicode_escape (const char *p,
                const char *end)
{
  int unit = 0;

  if (end - p < 5 || *p != 'u')
    return -1;
  for (int i = 1; i <= 4; i++)
    {
      if (!g_ascii_isxdigit (p[i]))
        return -1;
      unit = unit * 16 + g_ascii_xdigit_value (p[i]);
    }
  return unit;
}

/* A string from its opening quote; NULL if it is not one. Two escapes are
 * refused: \u0000, because json-glib would cut the string there, so that
 * "secret\u0000more" would be read as "secret"; and a surrogate that is not
 * half of a pair, which json-glib turns into bytes that are not UTF-8
 * (found by fuzz-api-bodies). */
static const char *
skip_string (const char *p,
             const char *end)
{
  g_assert (*p == '"');

  for (p++; p < end; p++)
    {
      int unit;

      if (*p == '"')
        return p + 1;
      if ((guchar) *p < 0x20)
        return NULL;
      if (*p != '\\')
        continue;
      if (++p == end)
        return NULL;
      if (*p != 'u')
        {
          if (strchr ("\"\\/bfnrt", *p) == NULL || *p == '\0')
            return NULL;
          continue;
        }
      unit = unicode_escape (p, end);
      if (unit <= 0 || (unit >= 0xdc00 && unit <= 0xdfff))
        return NULL;
      p += 4;
      if (unit >= 0xd800 && unit <= 0xdbff)
        {
          int low = end - p > 2 && p[1] == '\\' ? unicode_escape (p + 2, end) : -1;

          if (low < 0xdc00 || low > 0xdfff)
            return NULL;
          p += 6;
        }
    }
  return NULL;
}

static const char *
skip_digits (const char *p,
             const char *end)
{
  const char *start = p;

  while (p < end && g_ascii_isdigit (*p))
    p++;
  return p > start ? p : NULL;
}

/* A number, true, false or null; NULL if it is none of them. */
static const char *
skip_scalar (const char *p,
             const char *end)
{
  static const char * const literals[] = { "true", "false", "null" };

  for (guint i = 0; i < G_N_ELEMENTS (literals); i++)
    {
      gsize len = strlen (literals[i]);

      if ((gsize) (end - p) >= len && memcmp (p, literals[i], len) == 0)
        return p + len;
    }

  if (p < end && *p == '-')
    p++;
  if (p < end && *p == '0')
    p++;
  else if ((p = skip_digits (p, end)) == NULL)
    return NULL;
  if (p < end && *p == '.' && (p = skip_digits (p + 1, end)) == NULL)
    return NULL;
  if (p < end && (*p == 'e' || *p == 'E'))
    {
      p++;
      if (p < end && (*p == '+' || *p == '-'))
        p++;
      if ((p = skip_digits (p, end)) == NULL)
        return NULL;
    }
  return p;
}

/* Whether @data is one JSON text as RFC 8259 has it. json-glib 1.6 is
 * lenient: it also takes single quotes, several documents in a row and
 * more that is not JSON (found by test_bad_input.py). */
static gboolean
is_strict_json (const char *p,
                gsize       size)
{
  const char *end = p + size;
  char stack[MAX_DEPTH];
  guint depth = 0;
  enum { VALUE, VALUE_OR_CLOSE, KEY, KEY_OR_CLOSE, COLON, AFTER_VALUE } state = VALUE;

  for (;;)
    {
      p = skip_blanks (p, end);
      if (p == end)
        return state == AFTER_VALUE && depth == 0;

      switch (state)
        {
        case VALUE_OR_CLOSE:
          if (*p == ']')
            {
              p++;
              depth--;
              state = AFTER_VALUE;
              break;
            }
          G_GNUC_FALLTHROUGH;
        case VALUE:
          if (*p == '{' || *p == '[')
            {
              if (depth == MAX_DEPTH)
                return FALSE;
              stack[depth++] = *p;
              state = *p == '{' ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
              p++;
              break;
            }
          p = *p == '"' ? skip_string (p, end) : skip_scalar (p, end);
          if (p == NULL)
            return FALSE;
          state = AFTER_VALUE;
          break;
        case KEY_OR_CLOSE:
          if (*p == '}')
            {
              p++;
              depth--;
              state = AFTER_VALUE;
              break;
            }
          G_GNUC_FALLTHROUGH;
        case KEY:
          if (*p != '"' || (p = skip_string (p, end)) == NULL)
            return FALSE;
          state = COLON;
          break;
        case COLON:
          if (*p != ':')
            return FALSE;
          p++;
          state = VALUE;
          break;
        case AFTER_VALUE:
          /* Anything after the document is not JSON. */
          if (depth == 0)
            return FALSE;
          if (*p == ',')
            {
              p++;
              state = stack[depth - 1] == '{' ? KEY : VALUE;
            }
          else if (*p == (stack[depth - 1] == '{' ? '}' : ']'))
            {
              p++;
              depth--;
            }
          else
            return FALSE;
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

VstApiRequest *
vst_api_request_parse (VstApiBodyKind   kind,
                       const char      *data,
                       gsize            size,
                       GError         **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(VstApiRequest) request = NULL;

  g_return_val_if_fail (kind < VST_API_N_BODIES, NULL);
  g_return_val_if_fail (data != NULL || size == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  parser = json_parser_new_immutable ();
  /* Blanks alone parse, to no root at all: that is no JSON either. No
   * member may hold a NUL, escaped or not. */
  if (size == 0 || size > G_MAXSSIZE || !g_utf8_validate (data, size, NULL) ||
      !is_strict_json (data, size) ||
      !json_parser_load_from_data (parser, data, size, NULL) ||
      json_parser_get_root (parser) == NULL)
    {
      g_set_error_literal (error, VST_API_REQUEST_ERROR, VST_API_REQUEST_ERROR_NOT_JSON,
                           "not valid JSON");
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error_literal (error, VST_API_REQUEST_ERROR, VST_API_REQUEST_ERROR_NOT_OBJECT,
                           "not a JSON object");
      return NULL;
    }

  request = g_new0 (VstApiRequest, 1);
  request->kind = kind;
  request->root = json_parser_steal_root (parser);
  if (!get_members (request, error))
    return NULL;
  if (kind == VST_API_BODY_ACCOUNT && !validate_account (request, error))
    return NULL;
  return g_steal_pointer (&request);
}

void
vst_api_request_free (VstApiRequest *request)
{
  if (request == NULL)
    return;
  g_clear_pointer (&request->root, json_node_unref);
  g_free (request->login);
  g_free (request);
}
