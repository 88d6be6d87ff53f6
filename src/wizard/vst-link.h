/* vst-link.h: vestibule:// links and pasted reset codes (pure, no widgets).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  VST_LINK_INVITE,  /* vestibule://invite?login=jdupont */
  VST_LINK_RESET,   /* vestibule://reset?login=jdupont&token=... */
} VstLinkKind;

typedef struct {
  VstLinkKind  kind;
  char        *login;  /* case-folded; may be NULL for an invitation */
  char        *token;  /* normalised (upper case, no spaces); reset only */
} VstLink;

/* Fails with G_IO_ERROR_INVALID_ARGUMENT and a translated message. */
VstLink  *vst_link_parse             (const char  *uri,
                                      GError     **error) G_GNUC_WARN_UNUSED_RESULT;
void      vst_link_free              (VstLink     *link);

/* What the person pastes on the "check your inbox" page: the whole link or
 * the code alone. Returns a reset link (login NULL for a code alone). */
VstLink  *vst_link_parse_pasted      (const char  *text,
                                      GError     **error) G_GNUC_WARN_UNUSED_RESULT;

/* [a-z0-9._-]{2,64}, after case folding. */
gboolean  vst_login_is_valid         (const char  *login);

/* Upper case, without spaces or hyphens, when it looks like a reset code
 * (base32, 16 to 64 characters); NULL otherwise. */
char     *vst_reset_token_normalize  (const char  *text) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VstLink, vst_link_free)

G_END_DECLS
