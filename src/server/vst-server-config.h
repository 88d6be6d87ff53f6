/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>
#include <vestibule.h>

#include "vst-ldap-store.h"

G_BEGIN_DECLS

#define VST_TYPE_SERVER_CONFIG (vst_server_config_get_type ())

G_DECLARE_FINAL_TYPE (VstServerConfig, vst_server_config, VST, SERVER_CONFIG, GObject)

/* Builds the configuration from @key_file, into which main() has already
 * written the command-line overrides, so that there is one place that
 * parses and checks every setting. Reads the admin token and SMTP password
 * files. */
VstServerConfig *vst_server_config_new (GKeyFile  *key_file,
                                        GError   **error) G_GNUC_WARN_UNUSED_RESULT;

const char        *vst_server_config_get_listen_host     (VstServerConfig *self);
guint16            vst_server_config_get_listen_port     (VstServerConfig *self);
/* How many threads answer HTTP, each with its own main loop. */
guint              vst_server_config_get_threads         (VstServerConfig *self);
const char        *vst_server_config_get_database        (VstServerConfig *self);
const char        *vst_server_config_get_tls_certificate (VstServerConfig *self);
const char        *vst_server_config_get_tls_key         (VstServerConfig *self);
const char        *vst_server_config_get_datadir         (VstServerConfig *self);
const char        *vst_server_config_get_localedir       (VstServerConfig *self);

const char        *vst_server_config_get_organisation    (VstServerConfig *self);
const char        *vst_server_config_get_issuer          (VstServerConfig *self);
const char        *vst_server_config_get_space_name      (VstServerConfig *self);
const char        *vst_server_config_get_space_url       (VstServerConfig *self);
VstPasswordPolicy *vst_server_config_get_password_policy (VstServerConfig *self);
guint              vst_server_config_get_password_lifetime_days (VstServerConfig *self);

const char        *vst_server_config_get_mail_from       (VstServerConfig *self);
const char        *vst_server_config_get_smtp_url        (VstServerConfig *self);
const char        *vst_server_config_get_smtp_username   (VstServerConfig *self);
const char        *vst_server_config_get_smtp_password   (VstServerConfig *self);
gboolean           vst_server_config_get_starttls        (VstServerConfig *self);
guint              vst_server_config_get_mail_retry_base (VstServerConfig *self);
guint              vst_server_config_get_mail_retry_max  (VstServerConfig *self);

/* Whether an admin token is configured at all. */
gboolean           vst_server_config_has_admin_token     (VstServerConfig *self);
/* Compares @presented with the admin token in constant time. */
gboolean           vst_server_config_check_admin_token   (VstServerConfig *self,
                                                          const char      *presented);

/* [store] backend: "sqlite" (the default) or "ldap". */
gboolean           vst_server_config_use_ldap            (VstServerConfig *self);
/* The [store] settings of the LDAP backend; the strings belong to @self. */
void               vst_server_config_get_ldap_settings   (VstServerConfig      *self,
                                                          VstLdapStoreSettings *out);

/* The server's clock, in Unix seconds. */
gint64             vst_server_config_now                 (VstServerConfig *self);

G_END_DECLS
