/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#if !defined(__VESTIBULE_H_INSIDE__) && !defined(VESTIBULE_COMPILATION)
# error "Only <vestibule.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

#define VST_CORE_ERROR (vst_core_error_quark ())

/**
 * VstCoreError:
 * @VST_CORE_ERROR_INVALID_ARGUMENT: a parameter is out of its allowed range.
 * @VST_CORE_ERROR_INVALID_BASE32: a key holds a character that is not base32.
 * @VST_CORE_ERROR_INVALID_URI: an otpauth:// URI is malformed.
 * @VST_CORE_ERROR_INVALID_POLICY: a password policy (JSON) is malformed.
 * @VST_CORE_ERROR_CODE_MALFORMED: a one-time code has the wrong length or
 *   holds something other than digits (a typo).
 * @VST_CORE_ERROR_CODE_MISMATCH: a well-formed code that matches no step of
 *   the window.
 * @VST_CORE_ERROR_CODE_REPLAYED: a code that matches a step already used.
 * @VST_CORE_ERROR_QR: the text cannot be encoded as a QR code.
 * @VST_CORE_ERROR_CRYPTO: OpenSSL failed (no randomness, no such digest).
 * @VST_CORE_ERROR_IO: a file could not be written.
 */
typedef enum {
  VST_CORE_ERROR_INVALID_ARGUMENT,
  VST_CORE_ERROR_INVALID_BASE32,
  VST_CORE_ERROR_INVALID_URI,
  VST_CORE_ERROR_INVALID_POLICY,
  VST_CORE_ERROR_CODE_MALFORMED,
  VST_CORE_ERROR_CODE_MISMATCH,
  VST_CORE_ERROR_CODE_REPLAYED,
  VST_CORE_ERROR_QR,
  VST_CORE_ERROR_CRYPTO,
  VST_CORE_ERROR_IO,
} VstCoreError;

GQuark vst_core_error_quark (void);

/* Binds the core's translation domain; the programs call it once in main(). */
void vst_core_init_i18n (const char *localedir);

/* Compares two buffers of the same length in constant time. */
gboolean vst_secure_equal (const void *a,
                           const void *b,
                           gsize       len);

/* Wipes and frees a string that held a secret; NULL is fine. */
void vst_secure_free (char *secret);

G_END_DECLS
