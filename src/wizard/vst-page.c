/* vst-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "vst-page.h"
#include "vst-util.h"

typedef struct
{
  VstSession   *session;
  GCancellable *cancellable;
  char         *title;
  char         *next_label;
  guint         complete : 1;
  guint         applying : 1;
} VstPagePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (VstPage, vst_page, ADW_TYPE_BIN)
G_DEFINE_QUARK (vst-page-error-quark, vst_page_error)

static gboolean
replace_str (char       **str,
             const char  *value)
{
  if (g_strcmp0 (*str, value) == 0)
    return FALSE;

  g_free (*str);
  *str = g_strdup (value);
  return TRUE;
}

enum {
  PROP_0,
  PROP_SESSION,
  PROP_TITLE,
  PROP_COMPLETE,
  PROP_APPLYING,
  PROP_NEXT_LABEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
vst_page_real_apply_async (VstPage             *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, vst_page_real_apply_async);
  g_task_return_boolean (task, TRUE);
}

static gboolean
vst_page_real_apply_finish (VstPage       *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
vst_page_dispose (GObject *object)
{
  VstPage *self = (VstPage *)object;
  VstPagePrivate *priv = vst_page_get_instance_private (self);

  g_cancellable_cancel (priv->cancellable);

  G_OBJECT_CLASS (vst_page_parent_class)->dispose (object);
}

static void
vst_page_finalize (GObject *object)
{
  VstPage *self = (VstPage *)object;
  VstPagePrivate *priv = vst_page_get_instance_private (self);

  g_clear_object (&priv->session);
  g_clear_object (&priv->cancellable);
  g_clear_pointer (&priv->title, g_free);
  g_clear_pointer (&priv->next_label, g_free);

  G_OBJECT_CLASS (vst_page_parent_class)->finalize (object);
}

static void
vst_page_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  VstPage *self = VST_PAGE (object);
  VstPagePrivate *priv = vst_page_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, priv->session);
      break;

    case PROP_TITLE:
      g_value_set_string (value, priv->title);
      break;

    case PROP_COMPLETE:
      g_value_set_boolean (value, priv->complete);
      break;

    case PROP_APPLYING:
      g_value_set_boolean (value, priv->applying);
      break;

    case PROP_NEXT_LABEL:
      g_value_set_string (value, priv->next_label);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vst_page_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  VstPage *self = VST_PAGE (object);
  VstPagePrivate *priv = vst_page_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_SESSION:
      priv->session = g_value_dup_object (value);
      break;

    case PROP_TITLE:
      vst_page_set_title (self, g_value_get_string (value));
      break;

    case PROP_COMPLETE:
      vst_page_set_complete (self, g_value_get_boolean (value));
      break;

    case PROP_APPLYING:
      vst_page_set_applying (self, g_value_get_boolean (value));
      break;

    case PROP_NEXT_LABEL:
      vst_page_set_next_label (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vst_page_class_init (VstPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  vst_ensure_resources ();

  object_class->dispose = vst_page_dispose;
  object_class->finalize = vst_page_finalize;
  object_class->get_property = vst_page_get_property;
  object_class->set_property = vst_page_set_property;

  klass->apply_async = vst_page_real_apply_async;
  klass->apply_finish = vst_page_real_apply_finish;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, VST_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_APPLYING] =
    g_param_spec_boolean ("applying", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NEXT_LABEL] =
    g_param_spec_string ("next-label", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vst_page_init (VstPage *self)
{
  VstPagePrivate *priv = vst_page_get_instance_private (self);

  priv->cancellable = g_cancellable_new ();
}

VstSession *
vst_page_get_session (VstPage *self)
{
  VstPagePrivate *priv = vst_page_get_instance_private (self);

  g_return_val_if_fail (VST_IS_PAGE (self), NULL);

  return priv->session;
}

GCancellable *
vst_page_get_cancellable (VstPage *self)
{
  VstPagePrivate *priv = vst_page_get_instance_private (self);

  g_return_val_if_fail (VST_IS_PAGE (self), NULL);

  return priv->cancellable;
}

const char *
vst_page_get_title (VstPage *self)
{
  VstPagePrivate *priv = vst_page_get_instance_private (self);

  g_return_val_if_fail (VST_IS_PAGE (self), NULL);

  return priv->title;
}

void
vst_page_set_title (VstPage    *self,
                    const char *title)
{
  VstPagePrivate *priv = vst_page_get_instance_private (self);

  g_return_if_fail (VST_IS_PAGE (self));

  if (replace_str (&priv->title, title))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

gboolean
vst_page_get_complete (VstPage *self)
{
  VstPagePrivate *priv = vst_page_get_instance_private (self);

  g_return_val_if_fail (VST_IS_PAGE (self), FALSE);

  return priv->complete;
}

void
vst_page_set_complete (VstPage  *self,
                       gboolean  complete)
{
  VstPagePrivate *priv = vst_page_get_instance_private (self);

  g_return_if_fail (VST_IS_PAGE (self));

  complete = !!complete;
  if (priv->complete == complete)
    return;

  priv->complete = complete;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
}

gboolean
vst_page_get_applying (VstPage *self)
{
  VstPagePrivate *priv = vst_page_get_instance_private (self);

  g_return_val_if_fail (VST_IS_PAGE (self), FALSE);

  return priv->applying;
}

void
vst_page_set_applying (VstPage  *self,
                       gboolean  applying)
{
  VstPagePrivate *priv = vst_page_get_instance_private (self);

  g_return_if_fail (VST_IS_PAGE (self));

  applying = !!applying;
  if (priv->applying == applying)
    return;

  priv->applying = applying;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_APPLYING]);
}

const char *
vst_page_get_next_label (VstPage *self)
{
  VstPagePrivate *priv = vst_page_get_instance_private (self);

  g_return_val_if_fail (VST_IS_PAGE (self), NULL);

  return priv->next_label;
}

void
vst_page_set_next_label (VstPage    *self,
                         const char *next_label)
{
  VstPagePrivate *priv = vst_page_get_instance_private (self);

  g_return_if_fail (VST_IS_PAGE (self));

  if (replace_str (&priv->next_label, next_label))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_LABEL]);
}

void
vst_page_shown (VstPage *self)
{
  g_return_if_fail (VST_IS_PAGE (self));

  if (VST_PAGE_GET_CLASS (self)->shown)
    VST_PAGE_GET_CLASS (self)->shown (self);
}

void
vst_page_hidden (VstPage *self)
{
  g_return_if_fail (VST_IS_PAGE (self));

  if (VST_PAGE_GET_CLASS (self)->hidden)
    VST_PAGE_GET_CLASS (self)->hidden (self);
}

void
vst_page_apply_async (VstPage             *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_return_if_fail (VST_IS_PAGE (self));

  VST_PAGE_GET_CLASS (self)->apply_async (self, cancellable, callback, user_data);
}

gboolean
vst_page_apply_finish (VstPage       *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (VST_IS_PAGE (self), FALSE);

  return VST_PAGE_GET_CLASS (self)->apply_finish (self, result, error);
}

void
vst_page_locale_changed (VstPage *self)
{
  g_return_if_fail (VST_IS_PAGE (self));

  if (VST_PAGE_GET_CLASS (self)->locale_changed)
    VST_PAGE_GET_CLASS (self)->locale_changed (self);
}

void
vst_page_go_to (VstPage    *self,
                const char *page_id)
{
  g_return_if_fail (VST_IS_PAGE (self));

  gtk_widget_activate_action (GTK_WIDGET (self), "assistant.go", "s", page_id);
}

void
vst_page_add_toast (VstPage    *self,
                    const char *text)
{
  GtkWidget *overlay;

  g_return_if_fail (VST_IS_PAGE (self));

  overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

void
vst_page_note_error (VstPage      *self,
                     const GError *error)
{
  VstPagePrivate *priv = vst_page_get_instance_private (self);

  g_return_if_fail (VST_IS_PAGE (self));

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    vst_session_set_last_error (priv->session, vst_error_get_support_code (error));
}

void
vst_page_show_field_error (VstPage    *self,
                           GtkWidget  *field,
                           GtkLabel   *label,
                           const char *message)
{
  g_return_if_fail (VST_IS_PAGE (self));

  if (label != NULL)
    {
      gtk_label_set_text (label, message != NULL ? message : "");
      gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
    }

  if (field != NULL)
    {
      if (message != NULL)
        gtk_widget_add_css_class (field, "error");
      else
        gtk_widget_remove_css_class (field, "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (field),
                                   GTK_ACCESSIBLE_STATE_INVALID,
                                   message != NULL ? GTK_ACCESSIBLE_INVALID_TRUE
                                                   : GTK_ACCESSIBLE_INVALID_FALSE,
                                   -1);
    }
}
