/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Every request body of docs/api.md through the server's own parsing and
 * validation (vst_api_request_parse()), then through what the handler does
 * next with the members that need no database: the token's base32, the
 * password check, the TOTP code check. The first byte of the input picks
 * the endpoint; the rest is the body. */

#include "config.h"

#include <vestibule.h>

#include "vst-api-request.h"
#include "fuzz-common.h"

static VstPasswordPolicy *policy;
static VstOtpKey *key;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  policy = vst_password_policy_new_preset ("default", NULL);
  key = vst_otp_key_new_from_base32 ("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", VST_OTP_ALGORITHM_SHA1,
                                     VST_OTP_DEFAULT_DIGITS, VST_OTP_DEFAULT_PERIOD, NULL);
  g_assert (policy != NULL && key != NULL);
  return 0;
}

static gboolean
is_member_name (const char *name)
{
  static const char * const names[] = {
    "login", "token", "password", "code", "email", "display_name", "language",
    "space_name", "space_url", NULL
  };

  return g_strv_contains (names, name);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VstApiRequest) request = NULL;
  VstApiBodyKind kind;

  if (size < 1)
    return 0;
  kind = data[0] % VST_API_N_BODIES;
  request = vst_api_request_parse (kind, (const char *) data + 1, size - 1, &error);
  if (request == NULL)
    {
      fuzz_assert (error != NULL && error->domain == VST_API_REQUEST_ERROR);
      if (error->code == VST_API_REQUEST_ERROR_BAD_MEMBER)
        fuzz_assert (is_member_name (error->message));
      return 0;
    }
  fuzz_assert (error == NULL && request->kind == kind);
  fuzz_assert (JSON_NODE_HOLDS_OBJECT (request->root));
  fuzz_assert ((request->login != NULL) == (kind != VST_API_BODY_TOTP_CODE));
  if (request->login != NULL)
    fuzz_assert (g_utf8_validate (request->login, -1, NULL));

  switch (kind)
    {
    case VST_API_BODY_PASSWORD:
      {
        g_autoptr(VstPasswordCheck) check = NULL;
        const VstPasswordContext context = { .login = request->login };
        gsize len = 0;
        guint8 *bytes;

        fuzz_assert (request->token != NULL && request->password != NULL);
        bytes = vst_base32_decode (request->token, &len, NULL);
        vst_base32_free (bytes, len);
        check = vst_password_policy_check (policy, request->password, &context);
        fuzz_assert (check != NULL);
      }
      break;
    case VST_API_BODY_SESSION:
      fuzz_assert (request->password != NULL);
      break;
    case VST_API_BODY_TOTP_CODE:
      {
        g_autoptr(GError) code_error = NULL;
        gint64 step = -1;

        fuzz_assert (request->code != NULL);
        if (!vst_otp_key_verify_totp (key, request->code, 1700000000, VST_TOTP_WINDOW_BACK,
                                      VST_TOTP_WINDOW_AHEAD, -1, &step, &code_error))
          fuzz_assert (code_error != NULL && code_error->domain == VST_CORE_ERROR);
      }
      break;
    case VST_API_BODY_ACCOUNT:
      {
        gsize len = strlen (request->login);

        /* Validated: what goes into the database and the e-mails. */
        fuzz_assert (len >= 2 && len <= 64);
        fuzz_assert (request->email != NULL && strchr (request->email, '@') != NULL);
        fuzz_assert (request->display_name != NULL && *request->display_name != '\0');
        fuzz_assert (strchr (request->display_name, '\n') == NULL);
        fuzz_assert (g_strcmp0 (request->language, "en") == 0 || g_strcmp0 (request->language, "fr") == 0);
        fuzz_assert (request->space_url == NULL || g_str_has_prefix (request->space_url, "http"));
      }
      break;
    case VST_API_BODY_PASSWORD_RESET:
    case VST_API_N_BODIES:
    default:
      break;
    }
  return 0;
}
