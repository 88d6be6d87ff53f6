/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "vestibule-server"

#include "config.h"

#include "vst-mail.h"

G_DEFINE_BOXED_TYPE (VstMail, vst_mail, vst_mail_copy, vst_mail_free)

VstMail *
vst_mail_new (const char *kind,
              const char *sender,
              const char *recipient,
              GBytes     *message)
{
  VstMail *mail = g_new0 (VstMail, 1);

  mail->kind = g_strdup (kind);
  mail->sender = g_strdup (sender);
  mail->recipient = g_strdup (recipient);
  mail->message = message != NULL ? g_bytes_ref (message) : NULL;
  return mail;
}

VstMail *
vst_mail_copy (const VstMail *mail)
{
  VstMail *copy;

  g_return_val_if_fail (mail != NULL, NULL);

  copy = vst_mail_new (mail->kind, mail->sender, mail->recipient, mail->message);
  copy->id = mail->id;
  copy->attempts = mail->attempts;
  copy->created_at = mail->created_at;
  return copy;
}

void
vst_mail_free (VstMail *mail)
{
  if (mail == NULL)
    return;
  g_free (mail->kind);
  g_free (mail->sender);
  g_free (mail->recipient);
  g_clear_pointer (&mail->message, g_bytes_unref);
  g_free (mail);
}
