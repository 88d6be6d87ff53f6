/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define VST_KDF_ERROR (vst_kdf_error_quark ())

typedef enum {
  VST_KDF_ERROR_FAILED,
  VST_KDF_ERROR_MALFORMED_HASH,
  VST_KDF_ERROR_REUSED,
} VstKdfError;

GQuark vst_kdf_error_quark (void);

/* Password hashes are scrypt through OpenSSL's EVP_KDF, written with their
 * parameters so that they can be raised later without breaking old hashes:
 * "$scrypt$ln=15,r=8,p=1$<salt, base64>$<hash, base64>". Each call costs
 * about 50 ms and 32 MiB: call the _async versions from the main loop. */
char     *vst_kdf_hash   (const char  *password,
                          GError     **error) G_GNUC_WARN_UNUSED_RESULT;
/* A NULL @encoded (no password set) runs the KDF against a dummy hash and
 * fails, so that the time taken does not tell whether the login exists. */
gboolean  vst_kdf_verify (const char  *password,
                          const char  *encoded,
                          GError     **error);

void      vst_kdf_verify_async  (const char          *password,
                                 const char          *encoded,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
gboolean  vst_kdf_verify_finish (GAsyncResult        *result,
                                 GError             **error);

/* Checks @password against each of @history (the last hashes of the
 * account) and, if it matches none, hashes it. Fails with
 * VST_KDF_ERROR_REUSED otherwise. */
void      vst_kdf_hash_new_async  (const char          *password,
                                   const char * const  *history,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
char     *vst_kdf_hash_new_finish (GAsyncResult        *result,
                                   GError             **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
