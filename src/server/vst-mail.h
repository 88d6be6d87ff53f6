/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define VST_TYPE_MAIL (vst_mail_get_type ())

/**
 * VstMail:
 * @id: the outbox row (0 before it is queued)
 * @kind: "invitation", "reset", "password-set"
 * @sender: the envelope sender (MAIL FROM), a bare address
 * @recipient: the envelope recipient (RCPT TO), a bare address
 * @message: the whole RFC 5322 message, CRLF line ends
 * @attempts: how many times sending failed so far
 * @created_at: when it was queued
 *
 * One message of the outbox. A reset message holds a token: the store
 * drops @message once it is sent.
 */
typedef struct {
  gint64 id;
  char *kind;
  char *sender;
  char *recipient;
  GBytes *message;
  guint attempts;
  gint64 created_at;
} VstMail;

GType    vst_mail_get_type (void) G_GNUC_CONST;
VstMail *vst_mail_new      (const char    *kind,
                            const char    *sender,
                            const char    *recipient,
                            GBytes        *message);
VstMail *vst_mail_copy     (const VstMail *mail);
void     vst_mail_free     (VstMail       *mail);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VstMail, vst_mail_free)

G_END_DECLS
