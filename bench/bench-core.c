/* bench-core.c: the shared core against liboath, libcotp and libpwquality
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Built with the project, never installed, never run as a test. Run it on
 * an idle machine, from an optimised build (the default, debugoptimized):
 *
 *   ninja -C _build/werror bench/bench-core && ./_build/werror/bench/bench-core
 *
 * It takes about half a minute on one thread. libpwquality's dictionary
 * check needs the cracklib dictionary (Debian: cracklib-runtime); without it
 * the bench says so, since libpwquality then does less work.
 */

#include "config.h"

#include <liboath/oath.h>
#include <pwquality.h>
#include <stdio.h>
#include <string.h>
#include <vestibule.h>

#include "bench-cotp.h"

/* Every TOTP peer gets the same work: the same 20-byte (160-bit) secret,
 * SHA-1, 6 digits, 30 s, and a window of one step back and one ahead.
 * libcotp reads past the end of a padded base32 secret, so this one is a
 * multiple of 5 bytes: 32 characters, no padding. */
#define SECRET_BASE32 "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
#define SECRET_SIZE   20
#define DIGITS        6
#define PERIOD        30
#define WINDOW_BACK   1
#define WINDOW_AHEAD  1

/* A fixed time, so every run computes the same codes. */
#define BENCH_TIME G_GINT64_CONSTANT (1700000000)

#define WARM_UP_US  (G_USEC_PER_SEC / 4)
#define RUN_US      G_USEC_PER_SEC
#define N_RUNS      3

#define LOGIN        "jdupont"
#define EMAIL        "jean.dupont@example.org"
#define DISPLAY_NAME "Jean Dupont"

/* One operation; returns 1 or 0, whether the code or password passed. */
typedef int (*BenchOp) (gpointer data);

/* Where results go so that the compiler cannot drop the calls. */
static volatile guint64 sink;

typedef struct {
  VstOtpKey *key;
  char *secret_raw;          /* for liboath, which takes the bytes */
  gsize secret_raw_len;
  const char *code;
  gboolean with_error;
} TotpCase;

typedef struct {
  VstPasswordPolicy *policy;
  pwquality_settings_t *pwq;
  GPtrArray *passwords;
  guint next;
} PasswordCase;

static int
core_verify_op (gpointer data)
{
  TotpCase *c = data;
  g_autoptr (GError) error = NULL;
  gint64 step = 0;
  gboolean ok;

  /* As the server calls it: with a GError, to tell a typo from a
   * mismatch from a replay. */
  ok = vst_otp_key_verify_totp (c->key, c->code, BENCH_TIME, WINDOW_BACK, WINDOW_AHEAD,
                                -1, &step, c->with_error ? &error : NULL);

  return ok ? 1 : 0;
}

static int
oath_verify_op (gpointer data)
{
  TotpCase *c = data;
  int rc;

  /* window 1 = steps now, now + 1 and now - 1, in that order. */
  rc = oath_totp_validate (c->secret_raw, c->secret_raw_len, (time_t) BENCH_TIME,
                           PERIOD, 0, WINDOW_BACK, c->code);
  if (rc < 0 && rc != OATH_INVALID_OTP)
    g_error ("oath_totp_validate: %s", oath_strerror (rc));

  return rc >= 0 ? 1 : 0;
}

static int
cotp_verify_op (gpointer data)
{
  TotpCase *c = data;
  int rc;

  rc = bench_cotp_verify_totp (SECRET_BASE32, c->code, (long) BENCH_TIME,
                               DIGITS, PERIOD, WINDOW_BACK, WINDOW_AHEAD);
  if (rc < 0)
    g_error ("libcotp failed");

  return rc;
}

static const char *
next_password (PasswordCase *c)
{
  const char *password = g_ptr_array_index (c->passwords, c->next);

  c->next = (c->next + 1) % c->passwords->len;

  return password;
}

static int
core_password_op (gpointer data)
{
  PasswordCase *c = data;
  const VstPasswordContext context = { LOGIN, EMAIL, DISPLAY_NAME };
  g_autoptr (VstPasswordCheck) check = NULL;

  check = vst_password_policy_check (c->policy, next_password (c), &context);

  return vst_password_check_is_ok (check) ? 1 : 0;
}

static int
pwquality_password_op (gpointer data)
{
  PasswordCase *c = data;
  void *auxerror = NULL;
  int rc;

  rc = pwquality_check (c->pwq, next_password (c), NULL, LOGIN, &auxerror);
  if (rc < 0)
    {
      char message[PWQ_MAX_ERROR_MESSAGE_LEN];

      /* A caller wants the reason, and this also frees auxerror. */
      pwquality_strerror (message, sizeof message, rc, auxerror);
      sink += (guchar) message[0];
    }

  return rc >= 0 ? 1 : 0;
}

static void
run_batch (BenchOp  op,
           gpointer data,
           int      expected,
           guint    batch)
{
  for (guint i = 0; i < batch; i++)
    {
      int r = op (data);

      /* Checked on every call, so a figure can never come from a
       * verifier that gave the wrong answer. */
      if (expected >= 0 && r != expected)
        g_error ("a verifier answered %d instead of %d", r, expected);
      sink += (guint64) r;
    }
}

/* Operations per second: the best of N_RUNS runs of about RUN_US each,
 * after a warm-up (caches, branch predictors, lazy initialisation, the
 * CPU's clock). @batch operations run between two readings of the clock;
 * every run is a whole number of batches. @expected is what every call
 * must return, or -1 for any. */
static double
measure (BenchOp  op,
         gpointer data,
         int      expected,
         guint    batch)
{
  double best = 0.0;
  gint64 start;

  start = g_get_monotonic_time ();
  do
    run_batch (op, data, expected, batch);
  while (g_get_monotonic_time () - start < WARM_UP_US);

  for (int run = 0; run < N_RUNS; run++)
    {
      guint64 n = 0;
      gint64 elapsed;

      start = g_get_monotonic_time ();
      do
        {
          run_batch (op, data, expected, batch);
          n += batch;
          elapsed = g_get_monotonic_time () - start;
        }
      while (elapsed < RUN_US);

      best = MAX (best, (double) n * G_USEC_PER_SEC / (double) elapsed);
    }

  return best;
}

static char *
cpu_model (void)
{
  g_autofree char *cpuinfo = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL))
    return g_strdup ("unknown");

  lines = g_strsplit (cpuinfo, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *colon = strchr (lines[i], ':');

      if (g_str_has_prefix (lines[i], "model name") && colon != NULL)
        return g_strstrip (g_strdup (colon + 1));
    }

  return g_strdup ("unknown");
}

/* "2.41x faster" or "1.37x slower", from the core's speed over the peer's. */
static char *
describe_ratio (double speed_ratio)
{
  if (speed_ratio >= 1.0)
    return g_strdup_printf ("%.2fx faster", speed_ratio);
  return g_strdup_printf ("%.2fx slower", 1.0 / speed_ratio);
}

static void
print_totp_row (const char *name,
                double      per_second,
                double      core_per_second)
{
  if (core_per_second > 0.0)
    {
      g_autofree char *words = describe_ratio (core_per_second / per_second);

      printf ("    %-44s %12.0f   %6.2f   core %s\n",
              name, per_second, core_per_second / per_second, words);
    }
  else
    {
      printf ("    %-44s %12.0f\n", name, per_second);
    }
}

static void
bench_totp (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VstOtpKey) key = NULL;
  g_autofree char *secret_raw = NULL;
  char codes[3][VST_OTP_MAX_DIGITS + 1];
  char bad_code[VST_OTP_MAX_DIGITS + 1];
  size_t secret_raw_len = 0;
  int rc;
  TotpCase match = { 0, };
  TotpCase mismatch = { 0, };
  TotpCase mismatch_no_error = { 0, };
  double core_match;
  double core_mismatch;

  key = vst_otp_key_new_from_base32 (SECRET_BASE32, VST_OTP_ALGORITHM_SHA1,
                                     DIGITS, PERIOD, &error);
  if (key == NULL)
    g_error ("vst_otp_key_new_from_base32: %s", error->message);

  rc = oath_base32_decode (SECRET_BASE32, strlen (SECRET_BASE32), &secret_raw, &secret_raw_len);
  if (rc != OATH_OK)
    g_error ("oath_base32_decode: %s", oath_strerror (rc));
  g_assert (secret_raw_len == SECRET_SIZE);

  /* The three agree on the codes of the window before anyone is timed. */
  for (int i = 0; i < 3; i++)
    {
      gint64 t = BENCH_TIME + (i - 1) * PERIOD;
      char oath_code[VST_OTP_MAX_DIGITS + 1];
      char cotp_code[VST_OTP_MAX_DIGITS + 1];

      vst_otp_key_totp (key, t, codes[i]);
      rc = oath_totp_generate (secret_raw, secret_raw_len, (time_t) t, PERIOD, 0, DIGITS, oath_code);
      if (rc != OATH_OK)
        g_error ("oath_totp_generate: %s", oath_strerror (rc));
      if (bench_cotp_totp_at (SECRET_BASE32, (long) t, DIGITS, PERIOD, cotp_code) != 0)
        g_error ("libcotp get_totp_at failed");
      if (strcmp (codes[i], oath_code) != 0 || strcmp (codes[i], cotp_code) != 0)
        g_error ("the codes differ at %" G_GINT64_FORMAT ": core %s, liboath %s, libcotp %s",
                 t, codes[i], oath_code, cotp_code);
    }

  /* A well-formed code that matches none of the three steps, so that
   * every verifier computes all of them. */
  for (guint n = 0; ; n++)
    {
      g_snprintf (bad_code, sizeof bad_code, "%0*u", DIGITS, n);
      if (strcmp (bad_code, codes[0]) != 0 &&
          strcmp (bad_code, codes[1]) != 0 &&
          strcmp (bad_code, codes[2]) != 0)
        break;
    }

  match = (TotpCase) { key, secret_raw, secret_raw_len, codes[1], TRUE };
  mismatch = (TotpCase) { key, secret_raw, secret_raw_len, bad_code, TRUE };
  mismatch_no_error = (TotpCase) { key, secret_raw, secret_raw_len, bad_code, FALSE };

  printf ("TOTP verification: SHA-1, %d digits, %d s, %d-byte secret, window of 3 steps\n"
          "(1 back, 1 ahead); verifications per second, and core/peer speed\n\n",
          DIGITS, PERIOD, SECRET_SIZE);
  printf ("    %-44s %12s   %6s\n", "", "verif./s", "ratio");

  printf ("  a code that matches no step (3 codes computed by everyone)\n");
  core_mismatch = measure (core_verify_op, &mismatch, 0, 256);
  print_totp_row ("core  vst_otp_key_verify_totp", core_mismatch, 0.0);
  print_totp_row ("core  same, error = NULL", measure (core_verify_op, &mismatch_no_error, 0, 256),
                  0.0);
  print_totp_row ("liboath " LIBOATH_VERSION "  oath_totp_validate",
                  measure (oath_verify_op, &mismatch, 0, 256), core_mismatch);
  print_totp_row ("libcotp " LIBCOTP_VERSION "  3 x get_totp_at + strcmp",
                  measure (cotp_verify_op, &mismatch, 0, 256), core_mismatch);

  printf ("  the current step's code (liboath and libcotp stop at the first step;\n"
          "  the core checks all 3, in constant time)\n");
  core_match = measure (core_verify_op, &match, 1, 256);
  print_totp_row ("core  vst_otp_key_verify_totp", core_match, 0.0);
  print_totp_row ("liboath " LIBOATH_VERSION "  oath_totp_validate",
                  measure (oath_verify_op, &match, 1, 256), core_match);
  print_totp_row ("libcotp " LIBCOTP_VERSION "  get_totp_at + strcmp",
                  measure (cotp_verify_op, &match, 1, 256), core_match);
  printf ("\n");
}

/* About 200 passwords that people type: common ones, words of the place
 * and of the person, passphrases, random-looking ones, repeats, sequences
 * and non-ASCII ones, each as typed and in four common disguises. */
static GPtrArray *
make_passwords (void)
{
  static const char * const bases[] = {
    "password", "123456", "qwerty", "letmein", "dragon", "monkey", "football",
    "iloveyou", "welcome", "sunshine", "azerty", "motdepasse", "soleil",
    "bonjour", "doudou",
    "strasbourg", "europe", "council", "jdupont", "jean.dupont", "JeanDupont",
    "dupont1975",
    "correct horse battery staple", "le chat dort sur la table",
    "ceci n'est pas une pipe", "Tr0ub4dor&3",
    "xK9#mQ2$vL7p", "g7Hq!2pZ", "Zr8&uW3nB5yT", "kT4%nB8@wQ1^", "p@55w0rd",
    "aaaaaaaaaaaa", "1111111111", "abcdefghij", "Qwertyuiop123", "zzzZZZzzz999",
    "Été2024!", "çaVaBien?", "Ωmega-Πi-42", "Grüße aus Köln",
  };
  GPtrArray *passwords = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; i < G_N_ELEMENTS (bases); i++)
    {
      const char *base = bases[i];
      char *capitalised = g_strconcat (base, "1", NULL);
      char *leet = g_strconcat (base, "#9", NULL);

      capitalised[0] = g_ascii_toupper (capitalised[0]);
      for (char *p = leet; *p != '\0'; p++)
        {
          switch (*p)
            {
            case 'a': *p = '@'; break;
            case 'e': *p = '3'; break;
            case 'i': *p = '1'; break;
            case 'o': *p = '0'; break;
            case 's': *p = '$'; break;
            default: break;
            }
        }

      g_ptr_array_add (passwords, g_strdup (base));
      g_ptr_array_add (passwords, capitalised);
      g_ptr_array_add (passwords, g_strconcat (base, "!2024", NULL));
      g_ptr_array_add (passwords, leet);
      g_ptr_array_add (passwords, g_strconcat (base, base, NULL));
    }

  return passwords;
}

static void
bench_passwords (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VstPasswordPolicy) policy = NULL;
  g_autoptr (GPtrArray) passwords = make_passwords ();
  pwquality_settings_t *pwq;
  PasswordCase c = { 0, };
  void *auxerror = NULL;
  char message[PWQ_MAX_ERROR_MESSAGE_LEN];
  guint core_ok = 0;
  guint pwq_ok = 0;
  double core_per_second;
  double pwq_per_second;
  int rc;

  policy = vst_password_policy_new_preset ("default", &error);
  if (policy == NULL)
    g_error ("vst_password_policy_new_preset: %s", error->message);

  /* libpwquality's built-in defaults, not /etc/security/pwquality.conf,
   * so that the figure does not depend on the machine's configuration. */
  pwq = pwquality_default_settings ();
  if (pwq == NULL)
    g_error ("pwquality_default_settings failed");

  c.policy = policy;
  c.pwq = pwq;
  c.passwords = passwords;

  /* Each op takes the next password of the list: a whole pass each. */
  for (guint i = 0; i < passwords->len; i++)
    core_ok += core_password_op (&c);
  for (guint i = 0; i < passwords->len; i++)
    pwq_ok += pwquality_password_op (&c);

  printf ("Password check: %u passwords (%u accepted by the core's \"default\" policy,\n"
          "%u by libpwquality's defaults), login \"%s\"; microseconds per check\n\n",
          passwords->len, core_ok, pwq_ok, LOGIN);

  /* Without its dictionary cracklib fails at once, and libpwquality would
   * look faster than it is. */
  rc = pwquality_check (pwq, "elephants", NULL, NULL, &auxerror);
  pwquality_strerror (message, sizeof message, rc, auxerror);
  if (rc != PWQ_ERROR_CRACKLIB_CHECK || strstr (message, "error loading") != NULL)
    printf ("  WARNING: libpwquality's dictionary check does not work here (%s);\n"
            "  install cracklib-runtime for a fair comparison.\n", message);

  /* A batch is one pass over the list, so both see every password. */
  core_per_second = measure (core_password_op, &c, -1, passwords->len);
  pwq_per_second = measure (pwquality_password_op, &c, -1, passwords->len);

  {
    g_autofree char *words = describe_ratio (core_per_second / pwq_per_second);

    printf ("    %-44s %12s   %6s\n", "", "us/check", "ratio");
    printf ("    %-44s %12.2f\n", "core  vst_password_policy_check",
            G_USEC_PER_SEC / core_per_second);
    printf ("    %-44s %12.2f   %6.2f   core %s\n",
            "libpwquality " LIBPWQUALITY_VERSION "  pwquality_check",
            G_USEC_PER_SEC / pwq_per_second,
            core_per_second / pwq_per_second, words);
  }

  pwquality_free_settings (pwq);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *cpu = cpu_model ();
  int rc;

  rc = oath_init ();
  if (rc != OATH_OK)
    g_error ("oath_init: %s", oath_strerror (rc));

  printf ("Vestibule %s core benchmark\n", PACKAGE_VERSION);
  printf ("CPU: %s (%d online); single-threaded: one thread, one call at a time\n",
          cpu, g_get_num_processors ());
  printf ("Build: %s%s; core on OpenSSL %s\n", BENCH_BUILDTYPE,
          strcmp (BENCH_SANITIZE, "none") != 0 ? ", WITH SANITIZERS (figures are meaningless)" : "",
          BENCH_OPENSSL_VERSION);
  printf ("Each figure: the best of %d runs of %.1f s, after %.2f s of warm-up\n\n",
          N_RUNS, RUN_US / (double) G_USEC_PER_SEC, WARM_UP_US / (double) G_USEC_PER_SEC);

  bench_totp ();
  bench_passwords ();

  /* Keeps every result alive, and shows nothing. */
  if (sink == 0)
    printf ("\n");

  oath_done ();

  return 0;
}
