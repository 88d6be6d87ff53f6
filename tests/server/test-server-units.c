/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Unit tests of the server's pieces that need no network: the KDF, the
 * MIME builder, the templates, the catalogue reader, the SQLite store and
 * the parsing of request bodies. */

#define G_LOG_DOMAIN "test-server-units"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "vst-account-cache.h"
#include "vst-api-request.h"
#include "vst-catalog.h"
#include "vst-kdf.h"
#include "vst-mail-template.h"
#include "vst-mime.h"
#include "vst-sqlite-store.h"

static void
test_kdf_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = vst_kdf_hash ("correct horse", &error);
  g_autofree char *again = NULL;

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (hash, "$scrypt$ln=15,r=8,p=1$"));
  g_assert_true (vst_kdf_verify ("correct horse", hash, &error));
  g_assert_no_error (error);
  g_assert_false (vst_kdf_verify ("correct horsf", hash, &error));
  g_assert_error (error, VST_KDF_ERROR, VST_KDF_ERROR_FAILED);
  g_clear_error (&error);
  /* A fresh salt each time. */
  again = vst_kdf_hash ("correct horse", NULL);
  g_assert_cmpstr (hash, !=, again);
  /* No password: the dummy hash, which never matches. */
  g_assert_false (vst_kdf_verify ("", NULL, NULL));
  g_assert_false (vst_kdf_verify ("x", "$scrypt$ln=99,r=8,p=1$AA==$AA==", &error));
  g_assert_error (error, VST_KDF_ERROR, VST_KDF_ERROR_MALFORMED_HASH);
}

static void
test_mime_header (void)
{
  g_autofree char *plain = vst_mime_encode_header ("Hello");
  g_autofree char *french = vst_mime_encode_header ("Votre accès à l’espace « IA » du Conseil de l’Europe, enfin");
  g_autofree char *date = vst_mime_format_date (0);
  g_autofree char *name = NULL;
  g_autofree char *address = NULL;
  g_auto(GStrv) words = NULL;

  g_assert_cmpstr (plain, ==, "Hello");
  g_assert_true (g_str_has_prefix (french, "=?UTF-8?B?"));
  /* Long subjects are folded into several encoded words of 75 or less. */
  g_assert_nonnull (strstr (french, "?=\r\n =?UTF-8?B?"));
  words = g_strsplit (french, "\r\n ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    g_assert_cmpuint (strlen (words[i]), <=, 75);
  g_assert_cmpstr (date, ==, "Thu, 01 Jan 1970 00:00:00 +0000");

  g_assert_true (vst_mime_parse_address ("\"Conseil\" <a@b.org>", &name, &address));
  g_assert_cmpstr (name, ==, "Conseil");
  g_assert_cmpstr (address, ==, "a@b.org");
  g_assert_false (vst_mime_parse_address ("no address", NULL, NULL));
}

static void
test_mime_message (void)
{
  g_autoptr(GBytes) bytes = vst_mime_build_message ("Conseil de l’Europe <noreply@example.org>",
                                                    "Zoë", "zoe@example.org", "Objet é",
                                                    "texte\n", "<p>html</p>", 86400);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  g_assert_nonnull (strstr (text, "From: =?UTF-8?B?"));
  g_assert_nonnull (strstr (text, "<noreply@example.org>\r\n"));
  g_assert_nonnull (strstr (text, "Date: Fri, 02 Jan 1970 00:00:00 +0000\r\n"));
  g_assert_nonnull (strstr (text, "@example.org>\r\nMIME-Version: 1.0\r\n"));
  g_assert_nonnull (strstr (text, "Content-Type: multipart/alternative; boundary="));
  g_assert_nonnull (strstr (text, "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64"));
  g_assert_nonnull (strstr (text, "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64"));
  /* Every line ends in CRLF. */
  for (const char *p = strchr (text, '\n'); p != NULL; p = strchr (p + 1, '\n'))
    g_assert_cmpint (p[-1], ==, '\r');
}

static void
test_templates (void)
{
  g_autoptr(GHashTable) vars = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *text = NULL;
  g_autofree char *html = NULL;
  const char *datadir = g_getenv ("VESTIBULE_DATADIR");
  const char *kinds[] = { "invitation", "reset", "password-set" };
  const char *names[] = { "organisation", "display_name", "login", "space_name", "space_url",
                          "invite_link", "reset_link", "token", "hours", "expires_date" };

  g_assert_nonnull (datadir);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_hash_table_insert (vars, (gpointer) names[i], (gpointer) "<&>");
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (guint l = 0; l < 2; l++)
      {
        g_clear_pointer (&subject, g_free);
        g_clear_pointer (&text, g_free);
        g_clear_pointer (&html, g_free);
        g_assert_true (vst_mail_template_render (datadir, kinds[k], l == 0 ? "en" : "fr", vars,
                                                 &subject, &text, &html, &error));
        g_assert_no_error (error);
        g_assert_nonnull (strstr (text, "<&>"));
        g_assert_null (strstr (html, "<&>"));
        g_assert_nonnull (strstr (html, "&lt;&amp;&gt;"));
        g_assert_null (strstr (text, "{{"));
      }
  g_hash_table_remove (vars, "login");
  g_assert_false (vst_mail_template_render (datadir, "invitation", "en", vars, &subject, &text, &html, &error));
  g_assert_error (error, VST_MAIL_TEMPLATE_ERROR, VST_MAIL_TEMPLATE_ERROR_MALFORMED);
}

static void
test_catalog (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VstCatalog) fr = vst_catalog_new (g_getenv ("VESTIBULE_LOCALEDIR"), "vestibule", "fr", &error);
  g_autoptr(VstCatalog) none = vst_catalog_new ("/nonexistent", "vestibule", "fr", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (vst_catalog_lookup (fr, "The login or the password is wrong."), ==,
                   "L’identifiant ou le mot de passe est incorrect.");
  g_assert_cmpstr (vst_catalog_lookup (fr, "not in the catalogue"), ==, "not in the catalogue");
  g_assert_cmpuint (vst_catalog_get_size (none), ==, 0);
  g_assert_cmpstr (vst_catalog_lookup (none, "x"), ==, "x");
}

/* Removes a test's database, its WAL files and the directory made for it. */
static void
remove_database (const char *dir,
                 const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
  g_rmdir (dir);
}

static void
test_store (void)
{
  g_autofree char *dir = g_dir_make_tmp ("vst-store-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "test.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VstStore) store = vst_sqlite_store_new (path, &error);
  g_autoptr(VstAccount) account = vst_account_new ();
  g_autoptr(VstAccount) read = NULL;
  g_autoptr(VstMail) mail = vst_mail_new ("invitation", "a@b.org", "c@d.org", NULL);
  g_autoptr(VstMail) next = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("body", 4);
  guint8 token[VST_STORE_HASH_LEN] = { 1 };
  guint8 session[VST_STORE_HASH_LEN] = { 2 };
  g_auto(GStrv) history = NULL;
  GStatBuf st;
  gint64 due;

  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  mail->message = g_bytes_ref (body);
  account->login = g_strdup ("unit");
  account->email = g_strdup ("c@d.org");
  account->display_name = g_strdup ("Unit");
  account->language = g_strdup ("en");
  account->created_at = 1000;
  g_assert_true (vst_store_create_account (store, account, mail, &error));
  g_assert_no_error (error);
  g_assert_false (vst_store_create_account (store, account, NULL, &error));
  g_assert_error (error, VST_STORE_ERROR, VST_STORE_ERROR_EXISTS);
  g_clear_error (&error);

  read = vst_store_get_account (store, "unit", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (read->last_email_kind, ==, "invitation");
  g_assert_cmpstr (read->last_email_status, ==, "pending");
  g_assert_null (read->password_hash);

  /* Tokens: current, then spent by set_password, which refuses it again. */
  g_assert_true (vst_store_add_reset_token (store, read->id, token, 1000, 2000, NULL, &error));
  g_assert_true (vst_store_check_reset_token (store, read->id, token, 1500, &error));
  g_assert_false (vst_store_check_reset_token (store, read->id, token, 2000, &error));
  g_assert_error (error, VST_STORE_ERROR, VST_STORE_ERROR_INVALID_TOKEN);
  g_clear_error (&error);
  for (int i = 0; i < 7; i++)
    {
      g_autofree char *hash = g_strdup_printf ("hash-%d", i);

      g_assert_true (vst_store_set_password (store, read->id, i == 0 ? token : NULL, 1500 + i, hash,
                                             9999, 5, session, 3000, NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_false (vst_store_set_password (store, read->id, token, 1600, "x", 9999, 5, session, 3000,
                                          NULL, &error));
  g_assert_error (error, VST_STORE_ERROR, VST_STORE_ERROR_INVALID_TOKEN);
  g_clear_error (&error);
  history = vst_store_get_password_history (store, read->id, 10, &error);
  g_assert_cmpuint (g_strv_length (history), ==, 5);
  g_assert_cmpstr (history[0], ==, "hash-6");

  /* The outbox: due now, then scheduled later, then sent. */
  next = vst_store_outbox_next (store, 1000, &due, &error);
  g_assert_nonnull (next);
  g_assert_true (g_bytes_equal (next->message, body));
  g_assert_true (vst_store_outbox_mark_retry (store, next->id, 1, 1010, FALSE, "down", &error));
  g_assert_null (vst_store_outbox_next (store, 1005, &due, &error));
  g_assert_no_error (error);
  g_assert_cmpint (due, ==, 1010);
  g_assert_true (vst_store_outbox_mark_sent (store, next->id, 1011, &error));
  g_assert_null (vst_store_outbox_next (store, 5000, &due, &error));
  g_assert_cmpint (due, ==, 0);

  g_clear_object (&store);
  /* Reopening migrates nothing and finds everything. */
  store = vst_sqlite_store_new (path, &error);
  g_assert_no_error (error);
  g_clear_pointer (&read, vst_account_free);
  read = vst_store_get_account (store, "unit", &error);
  g_assert_cmpstr (read->password_hash, ==, "hash-6");
  g_assert_cmpstr (read->last_email_status, ==, "sent");
  g_clear_object (&store);

  remove_database (dir, path);
}

static VstAccount *
cache_account (gint64      id,
               const char *secret)
{
  VstAccount *account = vst_account_new ();

  account->id = id;
  account->login = g_strdup_printf ("user%" G_GINT64_FORMAT, id);
  account->totp_state = VST_TOTP_STATE_PENDING;
  account->totp_secret = g_strdup (secret);
  account->last_email_kind = g_strdup ("invitation");
  return account;
}

static void
test_account_cache (void)
{
  g_autoptr(VstAccountCache) cache = vst_account_cache_new (3);
  g_autoptr(VstAccount) one = cache_account (1, "AAAA");
  g_autoptr(VstAccount) two = cache_account (2, "BBBB");
  g_autoptr(VstAccount) got = NULL;
  guint8 s1[VST_STORE_HASH_LEN] = { 1 }, s1b[VST_STORE_HASH_LEN] = { 1, 1 };
  guint8 s2[VST_STORE_HASH_LEN] = { 2 }, s3[VST_STORE_HASH_LEN] = { 3 }, s4[VST_STORE_HASH_LEN] = { 4 };

  g_assert_null (vst_account_cache_lookup (cache, s1, 100));
  vst_account_cache_insert (cache, s1, 200, one);
  vst_account_cache_insert (cache, s1b, 300, one);
  vst_account_cache_insert (cache, s2, 200, two);

  /* A copy, without the outbox's members; changing it changes nothing. */
  got = vst_account_cache_lookup (cache, s1, 100);
  g_assert_cmpint (got->id, ==, 1);
  g_assert_cmpstr (got->totp_secret, ==, "AAAA");
  g_assert_null (got->last_email_kind);
  got->totp_failures = 7;
  g_clear_pointer (&got, vst_account_free);
  got = vst_account_cache_lookup (cache, s1b, 100);
  g_assert_cmpuint (got->totp_failures, ==, 0);
  g_clear_pointer (&got, vst_account_free);

  /* What the database took, both sessions of the account see. */
  one->totp_failures = 3;
  one->totp_locked_until = 500;
  g_free (one->totp_secret);
  one->totp_secret = g_strdup ("CCCC");
  vst_account_cache_update_totp (cache, one);
  got = vst_account_cache_lookup (cache, s1, 100);
  g_assert_cmpuint (got->totp_failures, ==, 3);
  g_assert_cmpint (got->totp_locked_until, ==, 500);
  g_assert_cmpstr (got->totp_secret, ==, "CCCC");
  g_clear_pointer (&got, vst_account_free);

  /* A session is known until its end, not at it. */
  g_assert_null (vst_account_cache_lookup (cache, s1, 200));
  g_assert_nonnull ((got = vst_account_cache_lookup (cache, s1b, 200)));
  g_clear_pointer (&got, vst_account_free);

  /* Forgetting an account forgets its sessions, not the others'. */
  vst_account_cache_forget (cache, 1);
  g_assert_null (vst_account_cache_lookup (cache, s1b, 100));
  got = vst_account_cache_lookup (cache, s2, 100);
  g_assert_cmpstr (got->totp_secret, ==, "BBBB");
  g_clear_pointer (&got, vst_account_free);
  g_assert_cmpuint (vst_account_cache_get_size (cache), ==, 1);

  /* Past its bound (3 sessions), the cache starts over. */
  vst_account_cache_insert (cache, s3, 900, one);
  vst_account_cache_insert (cache, s4, 900, one);
  g_assert_cmpuint (vst_account_cache_get_size (cache), ==, 3);
  vst_account_cache_insert (cache, s1, 900, one);
  g_assert_cmpuint (vst_account_cache_get_size (cache), ==, 1);
  g_assert_null (vst_account_cache_lookup (cache, s2, 100));
  g_assert_nonnull ((got = vst_account_cache_lookup (cache, s1, 100)));
}

/* The store's cache of session accounts answers as the database would:
 * after a wrong code, a new password (which closes the other sessions),
 * a session's end, and a write that fails. */
static void
test_store_session_cache (void)
{
  g_autofree char *dir = g_dir_make_tmp ("vst-store-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "test.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VstStore) store = vst_sqlite_store_new (path, &error);
  g_autoptr(VstStore) other = NULL;
  g_autoptr(VstAccount) account = vst_account_new ();
  g_autoptr(VstAccount) read = NULL;
  g_autoptr(VstAccount) ghost = NULL;
  guint8 first[VST_STORE_HASH_LEN] = { 7 };
  guint8 second[VST_STORE_HASH_LEN] = { 8 };

  g_assert_no_error (error);
  account->login = g_strdup ("cached");
  account->email = g_strdup ("c@d.org");
  account->display_name = g_strdup ("Cached");
  account->language = g_strdup ("en");
  account->created_at = 1000;
  g_assert_true (vst_store_create_account (store, account, NULL, &error));
  g_clear_pointer (&account, vst_account_free);
  account = vst_store_get_account (store, "cached", &error);
  g_assert_true (vst_store_set_password (store, account->id, NULL, 1000, "hash-1", 9999, 5,
                                         first, 5000, NULL, &error));
  g_assert_no_error (error);

  /* Read twice (the second from memory), a wrong code in between. */
  read = vst_store_get_session_account (store, first, 1100, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (read->password_hash, ==, "hash-1");
  read->totp_state = VST_TOTP_STATE_PENDING;
  read->totp_secret = g_strdup ("JBSWY3DPEHPK3PXP");
  g_assert_true (vst_store_update_account (store, read, &error));
  read->totp_failures = 4;
  g_assert_true (vst_store_record_code_failure (store, read, &error));
  g_clear_pointer (&read, vst_account_free);
  read = vst_store_get_session_account (store, first, 1101, &error);
  g_assert_cmpuint (read->totp_failures, ==, 4);
  g_assert_cmpstr (read->totp_secret, ==, "JBSWY3DPEHPK3PXP");

  /* The database has it too, for another connection. */
  other = vst_sqlite_store_new (path, &error);
  g_assert_no_error (error);
  g_clear_pointer (&read, vst_account_free);
  read = vst_store_get_session_account (other, first, 1102, &error);
  g_assert_cmpuint (read->totp_failures, ==, 4);
  g_clear_object (&other);

  /* A new password closes the first session, though it was in memory. */
  g_assert_true (vst_store_set_password (store, read->id, NULL, 1200, "hash-2", 9999, 5,
                                         second, 6000, NULL, &error));
  g_assert_null (vst_store_get_session_account (store, first, 1201, &error));
  g_assert_error (error, VST_STORE_ERROR, VST_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_pointer (&read, vst_account_free);
  read = vst_store_get_session_account (store, second, 1202, &error);
  g_assert_cmpstr (read->password_hash, ==, "hash-2");
  g_clear_pointer (&read, vst_account_free);
  read = vst_store_get_session_account (store, second, 1203, &error);
  g_assert_cmpstr (read->password_hash, ==, "hash-2");

  /* Its end ends it, in memory as on disk. */
  g_assert_null (vst_store_get_session_account (store, second, 6000, &error));
  g_assert_error (error, VST_STORE_ERROR, VST_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* An update the database refuses changes nothing in memory. */
  ghost = vst_account_copy (read);
  ghost->id = read->id + 100;
  ghost->totp_failures = 9;
  g_assert_false (vst_store_record_code_failure (store, ghost, &error));
  g_assert_error (error, VST_STORE_ERROR, VST_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_pointer (&read, vst_account_free);
  read = vst_store_get_session_account (store, second, 5999, &error);
  g_assert_cmpuint (read->totp_failures, ==, 4);

  g_clear_object (&store);
  remove_database (dir, path);
}

static VstApiRequest *
parse_request (VstApiBodyKind   kind,
               const char      *body,
               GError         **error)
{
  return vst_api_request_parse (kind, body, strlen (body), error);
}

static void
test_api_request (void)
{
  /* Blanks, which json-glib parses to no root: found by fuzz-api-bodies,
   * it logged a critical (tests/fuzz/corpus/fuzz-api-bodies/regression-*). */
  static const char * const not_strict[] = {
    "{'code': '1'}", "{\"code\": \"1\"} {\"code\": \"2\"}", "{\"code\": \"1\",}", "{code: \"1\"}",
    "{\"code\": \"1\"} x", "{\"code\": \"1\" /* c */}", "{\"code\": \"1\", \"n\": 01}",
    "{\"code\": \"1\", \"n\": 1.}", "{\"code\": \"1\", \"n\": .5}", "{\"code\": \"1\", \"n\": +1}",
    "{\"code\": \"1\", \"n\": NaN}", "{\"code\": \"1\", \"n\": -Infinity}", "{\"code\": \"1\", \"n\": 0x10}",
    "{\"code\": \"1\", \"s\": \"a\tb\"}", "{\"code\": \"1\", \"s\": \"\\x41\"}", "{\"code\": \"1\", \"s\": \"\\u12\"}",
    /* json-glib reads "\\377" as the byte 0xff: a login that is not UTF-8
     * (found by fuzz-api-bodies, corpus/fuzz-api-bodies/regression-octal-escape). */
    "{\"code\": \"1\", \"s\": \"\\377\"}", "{\"code\": \"\\61\"}",
    /* Lone surrogates, which json-glib turns into bytes that are not UTF-8
     * (found by fuzz-api-bodies, corpus/fuzz-api-bodies/regression-lone-surrogate). */
    "{\"code\": \"\\ud800(\"}", "{\"code\": \"\\udc00\"}", "{\"code\": \"\\ud800\\ud800\"}",
    "{\"code\": \"\\ud800\\u0041\"}", "{\"code\": \"\\ud800\"}",
    "{\"code\": \"1\", \"n\": tru}", "{\"code\": \"1\", \"n\": True}", "{\"code\" \"1\"}", "{\"code\": \"1\"",
    "{\"code\": \"1\", \"a\": [1,]}", "{\"code\": \"1\", \"a\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
  };
  static const char * const strict[] = {
    "{\"code\":\"1\"}", " \r\n\t{ \"code\" : \"1\" } \n", "{\"code\": \"\\u0031\"}",
    "{\"code\": \"1\", \"x\": [1, -0, -0.5e+3, 2E-2, true, false, null, {}, [], \"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"]}",
    "{\"x\": {\"y\": [[[]]]}, \"code\": \"1\"}", "{\"code\": \"1\", \"s\": \"\\ud83d\\ude00\"}",
  };
  static const char * const not_json[] = { "", " ", "\n", " \t\r\n ", "{", "\xff", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(VstApiRequest) request = NULL;

  for (guint i = 0; not_json[i] != NULL; i++)
    for (VstApiBodyKind kind = 0; kind < VST_API_N_BODIES; kind++)
      {
        g_assert_null (vst_api_request_parse (kind, not_json[i], strlen (not_json[i]), &error));
        g_assert_error (error, VST_API_REQUEST_ERROR, VST_API_REQUEST_ERROR_NOT_JSON);
        g_clear_error (&error);
      }
  /* A NUL inside the bytes is not JSON either, whatever follows it. */
  g_assert_null (vst_api_request_parse (VST_API_BODY_TOTP_CODE, "{\"code\":\"1\"}\0", 13, &error));
  g_assert_error (error, VST_API_REQUEST_ERROR, VST_API_REQUEST_ERROR_NOT_JSON);
  g_clear_error (&error);

  /* An escaped NUL would cut a password short: refused. An escaped
   * backslash before "u0000" is only text. */
  g_assert_null (parse_request (VST_API_BODY_SESSION,
                                "{\"login\": \"a\", \"password\": \"Long-Password-42\\u0000x\"}", &error));
  g_assert_error (error, VST_API_REQUEST_ERROR, VST_API_REQUEST_ERROR_NOT_JSON);
  g_clear_error (&error);
  request = parse_request (VST_API_BODY_SESSION,
                           "{\"login\": \"a\", \"password\": \"p\\\\u0000\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (request->password, ==, "p\\u0000");
  g_clear_pointer (&request, vst_api_request_free);

  /* Strict RFC 8259: json-glib 1.6 takes all of these. */
  for (guint i = 0; i < G_N_ELEMENTS (not_strict); i++)
    {
      g_assert_null (parse_request (VST_API_BODY_TOTP_CODE, not_strict[i], &error));
      g_assert_error (error, VST_API_REQUEST_ERROR, VST_API_REQUEST_ERROR_NOT_JSON);
      g_clear_error (&error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (strict); i++)
    {
      request = parse_request (VST_API_BODY_TOTP_CODE, strict[i], &error);
      g_assert_no_error (error);
      g_assert_cmpstr (request->code, ==, "1");
      g_clear_pointer (&request, vst_api_request_free);
    }

  g_assert_null (parse_request (VST_API_BODY_SESSION, "[1, 2]", &error));
  g_assert_error (error, VST_API_REQUEST_ERROR, VST_API_REQUEST_ERROR_NOT_OBJECT);
  g_clear_error (&error);
  g_assert_null (parse_request (VST_API_BODY_SESSION, "{\"login\": 42, \"password\": 1}", &error));
  g_assert_error (error, VST_API_REQUEST_ERROR, VST_API_REQUEST_ERROR_BAD_MEMBER);
  g_assert_cmpstr (error->message, ==, "login");
  g_clear_error (&error);
  g_assert_null (parse_request (VST_API_BODY_PASSWORD, "{\"login\": \"a\", \"token\": null}", &error));
  g_assert_error (error, VST_API_REQUEST_ERROR, VST_API_REQUEST_ERROR_BAD_MEMBER);
  g_assert_cmpstr (error->message, ==, "token");
  g_clear_error (&error);

  request = parse_request (VST_API_BODY_SESSION, "{\"login\": \" JDupont \", \"password\": \"p\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (request->login, ==, "jdupont");
  g_assert_cmpstr (request->password, ==, "p");
  g_clear_pointer (&request, vst_api_request_free);

  request = parse_request (VST_API_BODY_ACCOUNT,
                           "{\"login\": \"ab\", \"email\": \"a@example.org\", \"display_name\": \"A\","
                           " \"language\": \"fr\", \"space_name\": null}", &error);
  g_assert_no_error (error);
  g_assert_null (request->space_name);
  g_clear_pointer (&request, vst_api_request_free);
  g_assert_null (parse_request (VST_API_BODY_ACCOUNT,
                                "{\"login\": \"ab\", \"email\": \"a@example.org\", \"display_name\": \"A\","
                                " \"language\": \"de\"}", &error));
  g_assert_error (error, VST_API_REQUEST_ERROR, VST_API_REQUEST_ERROR_BAD_LANGUAGE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Server/Kdf/round-trip", test_kdf_round_trip);
  g_test_add_func ("/Server/Mime/header", test_mime_header);
  g_test_add_func ("/Server/Mime/message", test_mime_message);
  g_test_add_func ("/Server/Templates/all", test_templates);
  g_test_add_func ("/Server/Catalog/french", test_catalog);
  g_test_add_func ("/Server/Store/sqlite", test_store);
  g_test_add_func ("/Server/Store/session-cache", test_store_session_cache);
  g_test_add_func ("/Server/AccountCache/all", test_account_cache);
  g_test_add_func ("/Server/Api/request", test_api_request);

  return g_test_run ();
}
