/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The request bodies of docs/api.md, one per kind of POST that has one. */
typedef enum {
  VST_API_BODY_PASSWORD_RESET,  /* POST /api/v1/password-resets */
  VST_API_BODY_PASSWORD,        /* POST /api/v1/password */
  VST_API_BODY_SESSION,         /* POST /api/v1/sessions */
  VST_API_BODY_TOTP_CODE,       /* POST /api/v1/totp/activate and /totp/verify */
  VST_API_BODY_ACCOUNT,         /* POST /api/v1/admin/accounts */
  VST_API_N_BODIES
} VstApiBodyKind;

#define VST_API_REQUEST_ERROR (vst_api_request_error_quark ())

/* Each is a 400 "bad_request" for the client. */
typedef enum {
  VST_API_REQUEST_ERROR_NOT_JSON,
  VST_API_REQUEST_ERROR_NOT_OBJECT,
  /* A member is missing or not a string; the message is its name. */
  VST_API_REQUEST_ERROR_BAD_MEMBER,
  VST_API_REQUEST_ERROR_BAD_LOGIN,
  VST_API_REQUEST_ERROR_BAD_EMAIL,
  VST_API_REQUEST_ERROR_BAD_NAME,
  VST_API_REQUEST_ERROR_BAD_LANGUAGE,
  VST_API_REQUEST_ERROR_BAD_SPACE,
} VstApiRequestError;

GQuark vst_api_request_error_quark (void);

/**
 * VstApiRequest:
 * @kind: which body it is
 * @root: the parsed JSON object, which owns the strings below
 * @login: the login, case-folded and trimmed (all but %VST_API_BODY_TOTP_CODE)
 * @token, @password, @code, @email, @display_name, @language: the members
 *   that @kind has, never NULL when it has them
 * @space_name, @space_url: optional members of %VST_API_BODY_ACCOUNT, or NULL
 *   (and @password is optional in %VST_API_BODY_TOTP_CODE)
 *
 * A request body that has the members its kind needs, with the right types.
 * An account body is also fully validated (login, e-mail, name, language,
 * space); the others leave to the handler what needs the store.
 */
typedef struct {
  VstApiBodyKind  kind;
  JsonNode       *root;
  char           *login;
  const char     *token;
  const char     *password;
  const char     *code;
  const char     *email;
  const char     *display_name;
  const char     *language;
  const char     *space_name;
  const char     *space_url;
} VstApiRequest;

/* Pure: no I/O, no state. @data need not be NUL-terminated nor valid UTF-8. */
VstApiRequest *vst_api_request_parse (VstApiBodyKind   kind,
                                      const char      *data,
                                      gsize            size,
                                      GError         **error) G_GNUC_WARN_UNUSED_RESULT;
void           vst_api_request_free  (VstApiRequest   *request);

/* Logins are compared case-folded: ASCII lower case, without surrounding
 * spaces. */
char          *vst_api_normalize_login (const char *login) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VstApiRequest, vst_api_request_free)

G_END_DECLS
