/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#if !defined(__VESTIBULE_H_INSIDE__) && !defined(VESTIBULE_COMPILATION)
# error "Only <vestibule.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* RFC 4648 base32, upper case, without '=' padding. Never returns NULL. */
char *vst_base32_encode (const guint8 *data,
                         gsize         len) G_GNUC_WARN_UNUSED_RESULT;

/* Decodes a key as people type it: lower case, spaces, hyphens and missing
 * (or present) padding are accepted. Anything else fails with
 * VST_CORE_ERROR_INVALID_BASE32 and a message naming the character and its
 * position. Returns a g_malloc'd buffer of *out_len bytes (NUL-terminated
 * for convenience) that the caller wipes with OPENSSL_cleanse or
 * vst_base32_free() when it held a secret. An empty input decodes to an empty
 * buffer. */
guint8 *vst_base32_decode (const char  *text,
                           gsize       *out_len,
                           GError     **error) G_GNUC_WARN_UNUSED_RESULT;

/* Wipes @len bytes of @data and frees it; NULL is fine. */
void vst_base32_free (guint8 *data,
                      gsize   len);

/* Splits a base32 key in groups of four separated by spaces, for display:
 * "JBSW Y3DP EHPK 3PXP". */
char *vst_base32_group (const char *key) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
