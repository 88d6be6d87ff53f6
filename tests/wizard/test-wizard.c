/* test-wizard.c: the wizard's pure pieces and its pages' completeness.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>
#include <vestibule.h>

#include "vst-code-diagnosis.h"
#include "vst-link.h"
#include "vst-login-page.h"
#include "vst-password-page.h"
#include "vst-session.h"
#include "vst-signin-page.h"
#include "vst-support.h"
#include "vst-totp-verify-page.h"
#include "vst-inbox-page.h"
#include "vst-util.h"

#define SECRET "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
#define TOKEN  "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

static void
test_link_invite (void)
{
  g_autoptr(VstLink) link = NULL;
  g_autoptr(GError) error = NULL;

  link = vst_link_parse ("vestibule://invite?login=JDupont", &error);
  g_assert_no_error (error);
  g_assert_cmpint (link->kind, ==, VST_LINK_INVITE);
  g_assert_cmpstr (link->login, ==, "jdupont");
  g_assert_null (link->token);
}

static void
test_link_reset (void)
{
  g_autoptr(VstLink) link = NULL;
  g_autoptr(GError) error = NULL;

  link = vst_link_parse ("vestibule://reset?login=jdupont&token=abcd-efgh%20ijklmnopqrstuvwxyz", &error);
  g_assert_no_error (error);
  g_assert_cmpint (link->kind, ==, VST_LINK_RESET);
  g_assert_cmpstr (link->login, ==, "jdupont");
  g_assert_cmpstr (link->token, ==, TOKEN);
}

static void
test_link_invalid (void)
{
  static const char *bad[] = {
    "https://example.org/reset?login=jdupont&token=" TOKEN,
    "vestibule://reset?login=jdupont",
    "vestibule://reset?token=" TOKEN,
    "vestibule://reset?login=jdupont&token=short",
    "vestibule://reset?login=j%20d&token=" TOKEN,
    "vestibule://other?login=jdupont",
    "vestibule:",
    "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(VstLink) link = NULL;
      g_autoptr(GError) error = NULL;

      link = vst_link_parse (bad[i], &error);
      g_assert_null (link);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
}

static void
test_link_pasted (void)
{
  g_autoptr(VstLink) code = NULL;
  g_autoptr(VstLink) link = NULL;
  g_autoptr(VstLink) invite = NULL;
  g_autoptr(VstLink) typo = NULL;
  g_autoptr(GError) error = NULL;

  code = vst_link_parse_pasted ("  abcd efgh-ijkl mnop qrst uvwx yz \n", &error);
  g_assert_no_error (error);
  g_assert_null (code->login);
  g_assert_cmpstr (code->token, ==, TOKEN);

  link = vst_link_parse_pasted ("vestibule://reset?login=jdupont&token=" TOKEN, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (link->login, ==, "jdupont");

  invite = vst_link_parse_pasted ("vestibule://invite?login=jdupont", &error);
  g_assert_null (invite);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* 0, 1, 8 and 9 are not base32: a mistyped code. */
  typo = vst_link_parse_pasted ("ABCDEFGHIJKLMNOPQRSTUVWX01", &error);
  g_assert_null (typo);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
test_login_valid (void)
{
  g_assert_true (vst_login_is_valid ("jdupont"));
  g_assert_true (vst_login_is_valid ("j.dupont-2_x"));
  g_assert_false (vst_login_is_valid ("j"));
  g_assert_false (vst_login_is_valid ("jean@example.org"));
  g_assert_false (vst_login_is_valid ("jean dupont"));
  g_assert_false (vst_login_is_valid (NULL));
}

static VstSession *
new_session (void)
{
  g_autoptr(VstApiClient) client = vst_api_client_new ("http://127.0.0.1:9/");

  return vst_session_new (client);
}

static void
load_info (VstSession *session)
{
  g_autoptr(VstPasswordPolicy) policy = vst_password_policy_new_preset ("default", NULL);
  g_autofree char *policy_json = vst_password_policy_to_json (policy);
  g_autofree char *json = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json = g_strdup_printf ("{\"organisation\": \"Council of Europe\", \"server_time\": %" G_GINT64_FORMAT ","
                          " \"password_policy\": %s, \"password_lifetime_days\": 183}",
                          g_get_real_time () / G_USEC_PER_SEC + 7, policy_json);
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_true (vst_session_load_info (session, json_node_get_object (json_parser_get_root (parser)), &error));
  g_assert_no_error (error);
}

static void
test_support_summary (void)
{
  g_autoptr(VstSession) session = new_session ();
  g_autofree char *summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  VstOtpauth *pairing;
  const char *forbidden[] = { SECRET, "JBSW Y3DP", TOKEN, "s3cret-Passw0rd", "token=", "secret=" };

  load_info (session);
  vst_session_set_login (session, "JDupont");
  vst_session_set_reset_token (session, TOKEN);
  vst_api_client_set_session_token (vst_session_get_client (session), "s3cret-Passw0rd");
  vst_session_set_last_error (session, "invalid_code");
  uri = g_strdup ("otpauth://totp/Council%20of%20Europe:jdupont?secret=" SECRET "&issuer=Council%20of%20Europe");
  pairing = vst_otpauth_parse (uri, &error);
  g_assert_no_error (error);
  vst_session_set_pairing (session, pairing);

  summary = vst_support_summary_build (session, 2, "totp-verify");

  g_assert_nonnull (strstr (summary, "jdupont"));
  g_assert_nonnull (strstr (summary, "2 of 3"));
  g_assert_nonnull (strstr (summary, "totp-verify"));
  g_assert_nonnull (strstr (summary, "http://127.0.0.1:9"));
  g_assert_nonnull (strstr (summary, PACKAGE_VERSION));
  g_assert_nonnull (strstr (summary, "invalid_code"));
  /* The server is 7 s ahead of this computer (give or take a second). */
  g_assert_true (strstr (summary, "+7 s") != NULL || strstr (summary, "+6 s") != NULL ||
                 strstr (summary, "+8 s") != NULL);

  for (guint i = 0; i < G_N_ELEMENTS (forbidden); i++)
    g_assert_null (strstr (summary, forbidden[i]));
}

static void
test_code_diagnosis (void)
{
  g_autoptr(VstOtpKey) key = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) near = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 now = 1795430400 + 12;
  gint64 skew = 0;
  char code[VST_OTP_MAX_DIGITS + 1];
  char wrong[VST_OTP_MAX_DIGITS + 1];

  key = vst_otp_key_new_from_base32 (SECRET, VST_OTP_ALGORITHM_SHA1, 6, 30, &error);
  g_assert_no_error (error);

  vst_otp_key_totp (key, now, code);
  g_assert_cmpint (vst_code_diagnose (key, code, now, &skew), ==, VST_CODE_OK);

  /* One step back is fine, as on the server. */
  vst_otp_key_totp (key, now - 30, code);
  g_assert_cmpint (vst_code_diagnose (key, code, now, &skew), ==, VST_CODE_OK);

  g_assert_cmpint (vst_code_diagnose (key, "12345", now, NULL), ==, VST_CODE_TYPO);
  g_assert_cmpint (vst_code_diagnose (key, "12345a", now, NULL), ==, VST_CODE_TYPO);
  g_assert_cmpint (vst_code_diagnose (key, "1234567", now, NULL), ==, VST_CODE_TYPO);

  /* A phone six minutes ahead. */
  vst_otp_key_totp (key, now + 360, code);
  g_assert_cmpint (vst_code_diagnose (key, code, now, &skew), ==, VST_CODE_CLOCK_SKEW);
  g_assert_cmpint (skew, ==, 360);

  /* A phone four minutes behind. */
  vst_otp_key_totp (key, now - 240, code);
  g_assert_cmpint (vst_code_diagnose (key, code, now, &skew), ==, VST_CODE_CLOCK_SKEW);
  g_assert_cmpint (skew, ==, -240);

  /* A code that matches no step of the wide window. */
  for (gint64 step = -VST_CODE_WIDE_WINDOW; step <= VST_CODE_WIDE_WINDOW; step++)
    {
      vst_otp_key_totp (key, now + step * 30, code);
      g_hash_table_add (near, g_strdup (code));
    }
  for (guint n = 0; ; n++)
    {
      g_snprintf (wrong, sizeof wrong, "%06u", n);
      if (!g_hash_table_contains (near, wrong))
        break;
    }
  g_assert_cmpint (vst_code_diagnose (key, wrong, now, &skew), ==, VST_CODE_WRONG);
}

static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
set_text (GtkWidget  *page,
          const char *name,
          const char *text)
{
  GtkWidget *row = find_named (page, name);

  g_assert_nonnull (row);
  g_assert_true (GTK_IS_EDITABLE (row));
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static VstPage *
new_page (GType       type,
          VstSession *session)
{
  VstPage *page = g_object_new (type, "session", session, NULL);

  g_object_ref_sink (page);
  return page;
}

static void
test_page_login (void)
{
  g_autoptr(VstSession) session = new_session ();
  g_autoptr(VstPage) page = new_page (VST_TYPE_LOGIN_PAGE, session);

  g_assert_false (vst_page_get_complete (page));
  set_text (GTK_WIDGET (page), "login", "jdupont");
  g_assert_true (vst_page_get_complete (page));
  set_text (GTK_WIDGET (page), "login", "jean@example.org");
  g_assert_false (vst_page_get_complete (page));
  set_text (GTK_WIDGET (page), "login", "  JDupont ");
  g_assert_true (vst_page_get_complete (page));
  g_assert_nonnull (vst_page_get_next_label (page));
}

static void
test_page_signin (void)
{
  g_autoptr(VstSession) session = new_session ();
  g_autoptr(VstPage) page = new_page (VST_TYPE_SIGNIN_PAGE, session);

  set_text (GTK_WIDGET (page), "signin-login", "jdupont");
  g_assert_false (vst_page_get_complete (page));
  set_text (GTK_WIDGET (page), "signin-password", "anything");
  g_assert_true (vst_page_get_complete (page));
}

static void
test_page_inbox (void)
{
  g_autoptr(VstSession) session = new_session ();
  g_autoptr(VstPage) page = new_page (VST_TYPE_INBOX_PAGE, session);

  set_text (GTK_WIDGET (page), "reset-code", "ABCD");
  g_assert_false (vst_page_get_complete (page));
  set_text (GTK_WIDGET (page), "reset-code", "vestibule://reset?login=jdupont&token=" TOKEN);
  g_assert_true (vst_page_get_complete (page));
  set_text (GTK_WIDGET (page), "reset-code", "abcd efgh ijkl mnop qrst uvwx yz");
  g_assert_true (vst_page_get_complete (page));
}

static void
test_page_password (void)
{
  g_autoptr(VstSession) session = new_session ();
  g_autoptr(VstPage) page = NULL;
  GtkWidget *mismatch;

  vst_session_set_login (session, "jdupont");
  page = new_page (VST_TYPE_PASSWORD_PAGE, session);

  /* No policy yet: nothing can be complete. */
  set_text (GTK_WIDGET (page), "new-password", "Blue-Harbour-Lantern-42");
  set_text (GTK_WIDGET (page), "confirm-password", "Blue-Harbour-Lantern-42");
  g_assert_false (vst_page_get_complete (page));

  /* The policy arrives: the rules appear and are checked. */
  load_info (session);
  g_assert_nonnull (find_named (GTK_WIDGET (page), VST_RULE_MIN_LENGTH));
  g_assert_true (vst_page_get_complete (page));

  set_text (GTK_WIDGET (page), "confirm-password", "Blue-Harbour-Lantern-43");
  g_assert_false (vst_page_get_complete (page));
  mismatch = find_named (GTK_WIDGET (page), "mismatch");
  g_assert_true (gtk_widget_get_visible (mismatch));

  set_text (GTK_WIDGET (page), "new-password", "jdupont-Harbour-42");
  set_text (GTK_WIDGET (page), "confirm-password", "jdupont-Harbour-42");
  g_assert_false (vst_page_get_complete (page));

  set_text (GTK_WIDGET (page), "new-password", "short1A");
  set_text (GTK_WIDGET (page), "confirm-password", "short1A");
  g_assert_false (vst_page_get_complete (page));
}

static void
test_page_totp_verify (void)
{
  g_autoptr(VstSession) session = new_session ();
  g_autoptr(VstPage) page = new_page (VST_TYPE_TOTP_VERIFY_PAGE, session);

  g_assert_false (vst_page_get_complete (page));
  set_text (GTK_WIDGET (page), "totp-code", "123 456");
  g_assert_true (vst_page_get_complete (page));
  set_text (GTK_WIDGET (page), "totp-code", "  ");
  g_assert_false (vst_page_get_complete (page));
}

static void
test_format_date (void)
{
  g_autofree char *date = NULL;

  vst_language_set ("en");
  /* Noon UTC, so that the day is the same in every time zone but the
   * farthest ones. */
  date = vst_format_date (1811073600);
  g_assert_nonnull (strstr (date, "2027"));
  g_assert_nonnull (strstr (date, "May"));
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LANGUAGE", "en", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/Vestibule/Wizard/Link/invite", test_link_invite);
  g_test_add_func ("/Vestibule/Wizard/Link/reset", test_link_reset);
  g_test_add_func ("/Vestibule/Wizard/Link/invalid", test_link_invalid);
  g_test_add_func ("/Vestibule/Wizard/Link/pasted", test_link_pasted);
  g_test_add_func ("/Vestibule/Wizard/Link/login", test_login_valid);
  g_test_add_func ("/Vestibule/Wizard/Support/no-secret", test_support_summary);
  g_test_add_func ("/Vestibule/Wizard/Code/diagnosis", test_code_diagnosis);
  g_test_add_func ("/Vestibule/Wizard/Page/login", test_page_login);
  g_test_add_func ("/Vestibule/Wizard/Page/signin", test_page_signin);
  g_test_add_func ("/Vestibule/Wizard/Page/inbox", test_page_inbox);
  g_test_add_func ("/Vestibule/Wizard/Page/password", test_page_password);
  g_test_add_func ("/Vestibule/Wizard/Page/totp-verify", test_page_totp_verify);
  g_test_add_func ("/Vestibule/Wizard/Util/date", test_format_date);

  return g_test_run ();
}
