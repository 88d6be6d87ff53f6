/* vst-welcome-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "vst-util.h"
#include "vst-welcome-page.h"

struct _VstWelcomePage
{
  VstPage              parent_instance;

  GtkLabel            *heading_label;
  GtkLabel            *organisation_label;
  GtkLabel            *intro_label;
  AdwPreferencesGroup *needs_group;
  AdwActionRow        *computer_row;
  AdwActionRow        *phone_row;
  AdwPreferencesGroup *steps_group;
  AdwActionRow        *step1_row;
  AdwActionRow        *step2_row;
  AdwActionRow        *step3_row;
  AdwComboRow         *language_row;
  GtkButton           *have_password_button;
};

G_DEFINE_FINAL_TYPE (VstWelcomePage, vst_welcome_page, VST_TYPE_PAGE)

static void
update_organisation (VstWelcomePage *self)
{
  const char *organisation = vst_session_get_organisation (vst_page_get_session (VST_PAGE (self)));
  g_autofree char *text = NULL;

  if (organisation != NULL)
    /* Translators: %s is the organisation ("Council of Europe"). */
    text = g_strdup_printf (_("Your access to the collaborative spaces of %s"), organisation);

  gtk_label_set_text (self->organisation_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->organisation_label), text != NULL);
}

static void
set_row (AdwActionRow *row,
         const char   *title,
         const char   *subtitle)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (row, subtitle);
}

static void
vst_welcome_page_locale_changed (VstPage *page)
{
  VstWelcomePage *self = VST_WELCOME_PAGE (page);

  vst_page_set_title (page, _("Welcome"));
  /* Translators: the label of the button that starts the wizard. */
  vst_page_set_next_label (page, _("Start"));

  gtk_label_set_text (self->heading_label, _("Welcome"));
  gtk_label_set_text (self->intro_label,
                      _("In three steps, this assistant takes you from your invitation e-mail "
                        "to your collaborative space. It takes about ten minutes."));
  update_organisation (self);

  adw_preferences_group_set_title (self->needs_group, _("What you need"));
  set_row (self->computer_row, _("This computer"),
           _("To set your password and open your space"));
  set_row (self->phone_row, _("Your smartphone"),
           _("To install an authenticator app for two-factor authentication"));

  adw_preferences_group_set_title (self->steps_group, _("Three steps"));
  set_row (self->step1_row, _("1. Set your password"),
           _("With the login from your invitation e-mail"));
  set_row (self->step2_row, _("2. Turn on two-factor authentication"),
           _("Pair your phone’s authenticator app"));
  set_row (self->step3_row, _("3. Open your collaborative space"),
           _("And keep its address as a favourite"));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->language_row), _("Language"));
  gtk_button_set_label (self->have_password_button, _("I Already Have My Password"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->have_password_button),
                               _("Sign in to turn on two-factor authentication or to open your space"));
}

static void
language_selected_cb (VstWelcomePage *self,
                      GParamSpec     *pspec,
                      AdwComboRow    *row)
{
  const char *language = adw_combo_row_get_selected (row) == 1 ? "fr" : "en";

  if (!g_str_equal (language, vst_language_get ()))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.language", "s", language);
}

static void
have_password_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  vst_page_go_to (VST_PAGE (widget), "signin");
}

static void
vst_welcome_page_constructed (GObject *object)
{
  VstWelcomePage *self = VST_WELCOME_PAGE (object);

  G_OBJECT_CLASS (vst_welcome_page_parent_class)->constructed (object);

  g_signal_connect_object (vst_page_get_session (VST_PAGE (self)), "notify::organisation",
                           G_CALLBACK (update_organisation), self, G_CONNECT_SWAPPED);
  vst_welcome_page_locale_changed (VST_PAGE (self));
}

static void
vst_welcome_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), VST_TYPE_WELCOME_PAGE);

  G_OBJECT_CLASS (vst_welcome_page_parent_class)->dispose (object);
}

static void
vst_welcome_page_class_init (VstWelcomePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  VstPageClass *page_class = VST_PAGE_CLASS (klass);

  object_class->constructed = vst_welcome_page_constructed;
  object_class->dispose = vst_welcome_page_dispose;
  page_class->locale_changed = vst_welcome_page_locale_changed;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vestibule/Vestibule/pages/welcome.ui");
  gtk_widget_class_bind_template_child (widget_class, VstWelcomePage, heading_label);
  gtk_widget_class_bind_template_child (widget_class, VstWelcomePage, organisation_label);
  gtk_widget_class_bind_template_child (widget_class, VstWelcomePage, intro_label);
  gtk_widget_class_bind_template_child (widget_class, VstWelcomePage, needs_group);
  gtk_widget_class_bind_template_child (widget_class, VstWelcomePage, computer_row);
  gtk_widget_class_bind_template_child (widget_class, VstWelcomePage, phone_row);
  gtk_widget_class_bind_template_child (widget_class, VstWelcomePage, steps_group);
  gtk_widget_class_bind_template_child (widget_class, VstWelcomePage, step1_row);
  gtk_widget_class_bind_template_child (widget_class, VstWelcomePage, step2_row);
  gtk_widget_class_bind_template_child (widget_class, VstWelcomePage, step3_row);
  gtk_widget_class_bind_template_child (widget_class, VstWelcomePage, language_row);
  gtk_widget_class_bind_template_child (widget_class, VstWelcomePage, have_password_button);

  gtk_widget_class_install_action (widget_class, "page.have-password", NULL, have_password_cb);
}

static void
vst_welcome_page_init (VstWelcomePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  adw_combo_row_set_selected (self->language_row,
                              g_str_equal (vst_language_get (), "fr") ? 1 : 0);
  g_signal_connect_object (self->language_row, "notify::selected",
                           G_CALLBACK (language_selected_cb), self, G_CONNECT_SWAPPED);
}
