/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "vestibule-server"

#include "config.h"

#include <curl/curl.h>
#include <gio/gio.h>
#include <string.h>

#include "vst-mailer.h"

/* A message still undelivered after three days is given up: by then the
 * token it carries has long expired and the person has asked again. */
#define GIVE_UP_AFTER (3 * 24 * 3600)

struct _VstMailer
{
  GObject parent_instance;

  VstStore *store;
  VstServerConfig *config;
  GCancellable *cancellable;
  guint timeout_id;
  gboolean sending;
  gboolean started;
};

G_DEFINE_FINAL_TYPE (VstMailer, vst_mailer, G_TYPE_OBJECT)

static void mailer_run (VstMailer *self);

static void
vst_mailer_dispose (GObject *object)
{
  VstMailer *self = VST_MAILER (object);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->config);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (vst_mailer_parent_class)->dispose (object);
}

static void
vst_mailer_class_init (VstMailerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = vst_mailer_dispose;
}

static void
vst_mailer_init (VstMailer *self)
{
  self->cancellable = g_cancellable_new ();
}

VstMailer *
vst_mailer_new (VstStore        *store,
                VstServerConfig *config)
{
  VstMailer *self = g_object_new (VST_TYPE_MAILER, NULL);

  self->store = g_object_ref (store);
  self->config = g_object_ref (config);
  return self;
}

/* What the sending thread needs: copies, so that it shares nothing with
 * the main thread. */
typedef struct {
  VstMail *mail;
  char *url;
  char *username;
  char *password;
  gboolean starttls;
  gsize offset;
} SendJob;

static void
send_job_free (SendJob *job)
{
  vst_mail_free (job->mail);
  g_free (job->url);
  g_free (job->username);
  if (job->password != NULL)
    {
      memset (job->password, 0, strlen (job->password));
      g_free (job->password);
    }
  g_free (job);
}

static size_t
read_cb (char   *buffer,
         size_t  size,
         size_t  nitems,
         void   *user_data)
{
  SendJob *job = user_data;
  gsize length;
  const char *data = g_bytes_get_data (job->mail->message, &length);
  gsize n = MIN (size * nitems, length - job->offset);

  memcpy (buffer, data + job->offset, n);
  job->offset += n;
  return n;
}

static void
send_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SendJob *job = task_data;
  CURL *curl = curl_easy_init ();
  struct curl_slist *recipients = NULL;
  char errbuf[CURL_ERROR_SIZE] = "";
  g_autofree char *mail_from = g_strdup_printf ("<%s>", job->mail->sender);
  g_autofree char *rcpt = g_strdup_printf ("<%s>", job->mail->recipient);
  CURLcode rc;

  if (curl == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "curl_easy_init failed");
      return;
    }
  recipients = curl_slist_append (NULL, rcpt);
  curl_easy_setopt (curl, CURLOPT_URL, job->url);
  curl_easy_setopt (curl, CURLOPT_MAIL_FROM, mail_from);
  curl_easy_setopt (curl, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt (curl, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt (curl, CURLOPT_READDATA, job);
  curl_easy_setopt (curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, errbuf);
  /* No signals: this is a worker thread of a threaded program. */
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT, 15L);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 60L);
  if (job->starttls)
    curl_easy_setopt (curl, CURLOPT_USE_SSL, (long) CURLUSESSL_ALL);
  if (job->username != NULL)
    curl_easy_setopt (curl, CURLOPT_USERNAME, job->username);
  if (job->password != NULL)
    curl_easy_setopt (curl, CURLOPT_PASSWORD, job->password);

  rc = curl_easy_perform (curl);
  curl_slist_free_all (recipients);
  curl_easy_cleanup (curl);

  if (rc != CURLE_OK)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s",
                             *errbuf != '\0' ? errbuf : curl_easy_strerror (rc));
  else
    g_task_return_boolean (task, TRUE);
}

static void
log_mail (GLogLevelFlags  level,
          const VstMail  *mail,
          const char     *event,
          const char     *message)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, mail->id);
  g_autofree char *attempts = g_strdup_printf ("%u", mail->attempts);

  g_log_structured (G_LOG_DOMAIN, level,
                    "VST_EVENT", event,
                    "VST_MAIL_ID", id,
                    "VST_MAIL_KIND", mail->kind,
                    "VST_MAIL_ATTEMPTS", attempts,
                    "MESSAGE", "%s", message);
}

static void
send_cb (GObject      *source_object,
         GAsyncResult *result,
         gpointer      user_data)
{
  VstMailer *self = VST_MAILER (source_object);
  SendJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) store_error = NULL;
  gint64 now = vst_server_config_now (self->config);

  self->sending = FALSE;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!vst_store_outbox_mark_sent (self->store, job->mail->id, now, &store_error))
        g_warning ("Cannot mark e-mail %" G_GINT64_FORMAT " sent: %s", job->mail->id, store_error->message);
      log_mail (G_LOG_LEVEL_INFO, job->mail, "mail-sent", "E-mail sent");
    }
  else
    {
      guint attempts = job->mail->attempts + 1;
      guint base = vst_server_config_get_mail_retry_base (self->config);
      guint max = vst_server_config_get_mail_retry_max (self->config);
      guint64 delay = (guint64) base << MIN (attempts - 1, 20u);
      gboolean give_up = now - job->mail->created_at > GIVE_UP_AFTER;
      g_autofree char *message = NULL;

      delay = MIN (delay, max);
      job->mail->attempts = attempts;
      if (!vst_store_outbox_mark_retry (self->store, job->mail->id, attempts, now + delay,
                                        give_up, error->message, &store_error))
        g_warning ("Cannot reschedule e-mail %" G_GINT64_FORMAT ": %s", job->mail->id, store_error->message);
      /* The relay being down is expected now and then: a message, not a
       * warning; the outbox keeps the e-mail. */
      message = give_up
                ? g_strdup_printf ("E-mail given up: %s", error->message)
                : g_strdup_printf ("E-mail not sent (%s); next attempt in %" G_GUINT64_FORMAT " s",
                                   error->message, delay);
      log_mail (give_up ? G_LOG_LEVEL_WARNING : G_LOG_LEVEL_MESSAGE, job->mail,
                give_up ? "mail-given-up" : "mail-retry", message);
    }

  if (!g_cancellable_is_cancelled (self->cancellable))
    mailer_run (self);
}

static gboolean
timeout_cb (gpointer user_data)
{
  VstMailer *self = user_data;

  self->timeout_id = 0;
  mailer_run (self);
  return G_SOURCE_REMOVE;
}

static void
mailer_run (VstMailer *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  g_autoptr(VstMail) mail = NULL;
  gint64 now, next_due = 0;
  SendJob *job;

  if (self->sending || !self->started || g_cancellable_is_cancelled (self->cancellable))
    return;
  g_clear_handle_id (&self->timeout_id, g_source_remove);

  now = vst_server_config_now (self->config);
  mail = vst_store_outbox_next (self->store, now, &next_due, &error);
  if (error != NULL)
    {
      g_warning ("Cannot read the outbox: %s", error->message);
      self->timeout_id = g_timeout_add_seconds (30, timeout_cb, self);
      return;
    }
  if (mail == NULL)
    {
      /* Wake up when the next message is due, and at least every minute
       * in case the clock jumped. */
      if (next_due > 0)
        self->timeout_id = g_timeout_add_seconds ((guint) CLAMP (next_due - now, 1, 60), timeout_cb, self);
      return;
    }

  job = g_new0 (SendJob, 1);
  job->mail = g_steal_pointer (&mail);
  job->url = g_strdup (vst_server_config_get_smtp_url (self->config));
  job->username = g_strdup (vst_server_config_get_smtp_username (self->config));
  job->password = g_strdup (vst_server_config_get_smtp_password (self->config));
  job->starttls = vst_server_config_get_starttls (self->config);

  self->sending = TRUE;
  task = g_task_new (self, NULL, send_cb, NULL);
  g_task_set_source_tag (task, mailer_run);
  g_task_set_task_data (task, job, (GDestroyNotify) send_job_free);
  g_task_run_in_thread (task, send_thread);
}

void
vst_mailer_start (VstMailer *self)
{
  g_return_if_fail (VST_IS_MAILER (self));

  self->started = TRUE;
  mailer_run (self);
}

void
vst_mailer_kick (VstMailer *self)
{
  g_return_if_fail (VST_IS_MAILER (self));

  mailer_run (self);
}

void
vst_mailer_stop (VstMailer *self)
{
  g_return_if_fail (VST_IS_MAILER (self));

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
}

gboolean
vst_mailer_is_busy (VstMailer *self)
{
  g_return_val_if_fail (VST_IS_MAILER (self), FALSE);

  return self->sending;
}
