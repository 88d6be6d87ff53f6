/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether the @len bytes at @lowered are, exactly, one of the 30,000 most
 * common passwords. The caller lower-cases first: the list is all lower case.
 * Generated from data/common-passwords.txt by
 * build-aux/gen-common-passwords.py. */
gboolean vst_common_passwords_contains_lower (const char *lowered,
                                              gsize       len);

G_END_DECLS
