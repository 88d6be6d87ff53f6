/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "vestibule-server"

#include "config.h"

#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vestibule.h>

#include "vst-kdf.h"

G_DEFINE_QUARK (vst-kdf-error-quark, vst_kdf_error)

/* N = 2^15, r = 8, p = 1: 32 MiB and about 50 ms on a current server core,
 * the parameters OWASP recommends for scrypt. */
#define KDF_LOG_N   15
#define KDF_R       8
#define KDF_P       1
#define SALT_LEN    16
#define HASH_LEN    32

/* Well-formed but matching no password: verified against when the login is
 * unknown or has no password, at the same cost as a real one. */
static const char dummy_hash[] =
  "$scrypt$ln=15,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA==$"
  "ZHVtbXlkdW1teWR1bW15ZHVtbXlkdW1teWR1bW15ZHU=";

static gboolean
derive (const char   *password,
        const guint8 *salt,
        gsize         salt_len,
        guint         log_n,
        guint         r,
        guint         p,
        guint8       *out,
        gsize         out_len,
        GError      **error)
{
  EVP_KDF *kdf = EVP_KDF_fetch (NULL, "SCRYPT", NULL);
  EVP_KDF_CTX *ctx;
  uint64_t n = (uint64_t) 1 << log_n;
  uint32_t r32 = r, p32 = p;
  /* scrypt needs 128 * r * N bytes; allow that with some room. */
  uint64_t maxmem = (uint64_t) 129 * r * n + (1024 * 1024);
  OSSL_PARAM params[] = {
    OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_PASSWORD, (void *) password, strlen (password)),
    OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_SALT, (void *) salt, salt_len),
    OSSL_PARAM_construct_uint64 (OSSL_KDF_PARAM_SCRYPT_N, &n),
    OSSL_PARAM_construct_uint32 (OSSL_KDF_PARAM_SCRYPT_R, &r32),
    OSSL_PARAM_construct_uint32 (OSSL_KDF_PARAM_SCRYPT_P, &p32),
    OSSL_PARAM_construct_uint64 (OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
    OSSL_PARAM_construct_end (),
  };
  gboolean ok;

  if (kdf == NULL)
    {
      g_set_error_literal (error, VST_KDF_ERROR, VST_KDF_ERROR_FAILED, "OpenSSL has no scrypt");
      return FALSE;
    }
  ctx = EVP_KDF_CTX_new (kdf);
  EVP_KDF_free (kdf);
  ok = ctx != NULL && EVP_KDF_derive (ctx, out, out_len, params) == 1;
  EVP_KDF_CTX_free (ctx);
  if (!ok)
    g_set_error_literal (error, VST_KDF_ERROR, VST_KDF_ERROR_FAILED, "scrypt failed");
  return ok;
}

char *
vst_kdf_hash (const char  *password,
              GError     **error)
{
  guint8 salt[SALT_LEN];
  guint8 hash[HASH_LEN];
  g_autofree char *salt64 = NULL;
  g_autofree char *hash64 = NULL;

  g_return_val_if_fail (password != NULL, NULL);

  if (RAND_bytes (salt, sizeof salt) != 1)
    {
      g_set_error_literal (error, VST_KDF_ERROR, VST_KDF_ERROR_FAILED, "no randomness");
      return NULL;
    }
  if (!derive (password, salt, sizeof salt, KDF_LOG_N, KDF_R, KDF_P, hash, sizeof hash, error))
    return NULL;
  salt64 = g_base64_encode (salt, sizeof salt);
  hash64 = g_base64_encode (hash, sizeof hash);
  OPENSSL_cleanse (hash, sizeof hash);
  return g_strdup_printf ("$scrypt$ln=%u,r=%u,p=%u$%s$%s", KDF_LOG_N, KDF_R, KDF_P, salt64, hash64);
}

gboolean
vst_kdf_verify (const char  *password,
                const char  *encoded,
                GError     **error)
{
  g_auto(GStrv) parts = NULL;
  guint log_n, r, p;
  g_autofree guint8 *salt = NULL;
  g_autofree guint8 *expected = NULL;
  gsize salt_len, expected_len;
  guint8 hash[64];
  gboolean is_dummy = encoded == NULL;
  gboolean ok;

  g_return_val_if_fail (password != NULL, FALSE);

  if (is_dummy)
    encoded = dummy_hash;

  /* "", "scrypt", "ln=15,r=8,p=1", salt, hash */
  parts = g_strsplit (encoded, "$", -1);
  if (g_strv_length (parts) != 5 || strcmp (parts[1], "scrypt") != 0 ||
      sscanf (parts[2], "ln=%u,r=%u,p=%u", &log_n, &r, &p) != 3 ||
      log_n < 10 || log_n > 22 || r < 1 || r > 32 || p < 1 || p > 16)
    {
      g_set_error_literal (error, VST_KDF_ERROR, VST_KDF_ERROR_MALFORMED_HASH, "malformed password hash");
      return FALSE;
    }
  salt = g_base64_decode (parts[3], &salt_len);
  expected = g_base64_decode (parts[4], &expected_len);
  if (salt_len == 0 || expected_len == 0 || expected_len > sizeof hash)
    {
      g_set_error_literal (error, VST_KDF_ERROR, VST_KDF_ERROR_MALFORMED_HASH, "malformed password hash");
      return FALSE;
    }
  if (!derive (password, salt, salt_len, log_n, r, p, hash, expected_len, error))
    return FALSE;
  ok = vst_secure_equal (hash, expected, expected_len) && !is_dummy;
  OPENSSL_cleanse (hash, sizeof hash);
  if (!ok)
    g_set_error_literal (error, VST_KDF_ERROR, VST_KDF_ERROR_FAILED, "wrong password");
  return ok;
}

typedef struct {
  char *password;
  char *encoded;
  GStrv history;
  GTaskThreadFunc func;
} KdfJob;

/* The KDF's own pool: one thread per core, each at a lower priority
 * (nice 10) than the main loop. A burst of sign-ins queues here, 32 MiB and
 * most of a core each, while the main loop keeps answering every other
 * request at once; on an idle machine the workers still get every core. */
#define KDF_NICE 10

static void
kdf_worker (gpointer data,
            gpointer user_data)
{
  g_autoptr(GTask) task = data;
  KdfJob *job = g_task_get_task_data (task);
  static GPrivate niced;

  /* On Linux a thread's nice value is its own. */
  if (g_private_get (&niced) == NULL)
    {
      if (setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), KDF_NICE) != 0)
        g_debug ("KDF worker: cannot lower its priority: %s", g_strerror (errno));
      g_private_set (&niced, GINT_TO_POINTER (1));
    }
  job->func (task, NULL, job, g_task_get_cancellable (task));
}

static void
kdf_run (GTask           *task,
         GTaskThreadFunc  func)
{
  static GThreadPool *pool;
  KdfJob *job = g_task_get_task_data (task);

  if (g_once_init_enter (&pool))
    g_once_init_leave (&pool, g_thread_pool_new (kdf_worker, NULL, MAX (g_get_num_processors (), 1),
                                                 TRUE, NULL));
  job->func = func;
  g_thread_pool_push (pool, g_object_ref (task), NULL);
}

static void
kdf_job_free (KdfJob *job)
{
  vst_secure_free (job->password);
  g_free (job->encoded);
  g_strfreev (job->history);
  g_free (job);
}

static void
verify_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  KdfJob *job = task_data;
  GError *error = NULL;

  if (vst_kdf_verify (job->password, job->encoded, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
vst_kdf_verify_async (const char          *password,
                      const char          *encoded,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  KdfJob *job = g_new0 (KdfJob, 1);

  g_return_if_fail (password != NULL);

  job->password = g_strdup (password);
  job->encoded = g_strdup (encoded);
  g_task_set_source_tag (task, vst_kdf_verify_async);
  g_task_set_task_data (task, job, (GDestroyNotify) kdf_job_free);
  kdf_run (task, verify_thread);
}

gboolean
vst_kdf_verify_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
hash_new_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  KdfJob *job = task_data;
  GError *error = NULL;
  char *hash;

  for (guint i = 0; job->history != NULL && job->history[i] != NULL; i++)
    {
      if (vst_kdf_verify (job->password, job->history[i], NULL))
        {
          g_task_return_new_error (task, VST_KDF_ERROR, VST_KDF_ERROR_REUSED,
                                   "the password was used before");
          return;
        }
    }
  hash = vst_kdf_hash (job->password, &error);
  if (hash == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, hash, g_free);
}

void
vst_kdf_hash_new_async (const char          *password,
                        const char * const  *history,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  KdfJob *job = g_new0 (KdfJob, 1);

  g_return_if_fail (password != NULL);

  job->password = g_strdup (password);
  job->history = g_strdupv ((char **) history);
  g_task_set_source_tag (task, vst_kdf_hash_new_async);
  g_task_set_task_data (task, job, (GDestroyNotify) kdf_job_free);
  kdf_run (task, hash_new_thread);
}

char *
vst_kdf_hash_new_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
