/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "vestibule-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "vst-admin-client.h"
#include "vst-admin-format.h"

#define DEFAULT_SERVER_URL "http://127.0.0.1:8080"

/* The options every command takes, accepted before and after the command
 * name. The two parses fill two copies that are merged afterwards: had both
 * contexts written to the same variable, the first string would leak, as
 * GOption frees only what the same context allocated. */
typedef struct {
  char     *server;
  char     *token_file;
  gboolean  json;
} GlobalOptions;

typedef struct {
  GlobalOptions global;

  /* invite */
  char *email;
  char *name;
  char *language;
  char *space_name;
  char *space_url;
} Options;

static void
global_options_clear (GlobalOptions *global)
{
  g_clear_pointer (&global->server, g_free);
  g_clear_pointer (&global->token_file, g_free);
}

static void
options_clear (Options *options)
{
  global_options_clear (&options->global);
  g_clear_pointer (&options->email, g_free);
  g_clear_pointer (&options->name, g_free);
  g_clear_pointer (&options->language, g_free);
  g_clear_pointer (&options->space_name, g_free);
  g_clear_pointer (&options->space_url, g_free);
}

typedef int (*CommandFunc) (VstAdminClient *client,
                            Options        *options,
                            const char     *login);

typedef struct {
  const char  *name;
  gboolean     takes_login;
  const char  *summary;
  CommandFunc  run;
} Command;

static int run_invite    (VstAdminClient *client, Options *options, const char *login);
static int run_list      (VstAdminClient *client, Options *options, const char *login);
static int run_show      (VstAdminClient *client, Options *options, const char *login);
static int run_resend    (VstAdminClient *client, Options *options, const char *login);
static int run_reset_2fa (VstAdminClient *client, Options *options, const char *login);
static int run_unlock    (VstAdminClient *client, Options *options, const char *login);

static const Command commands[] = {
  { "invite", TRUE,
    N_("Create an account and send its invitation e-mail"), run_invite },
  { "list", FALSE,
    N_("List the accounts in a table"), run_list },
  { "show", TRUE,
    N_("Show an account: password, 2FA, lock and last e-mail"), run_show },
  { "resend", TRUE,
    N_("Send the invitation e-mail again"), run_resend },
  { "reset-2fa", TRUE,
    N_("Remove every second factor of an account (lost phone)"), run_reset_2fa },
  { "unlock", TRUE,
    N_("Lift the password and code lockouts of an account"), run_unlock },
};

static const Command *
find_command (const char *name)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (commands[i].name, name))
        return &commands[i];
    }

  return NULL;
}

/* "invite LOGIN", with the placeholder translated. */
static char *
command_synopsis (const Command *command)
{
  if (!command->takes_login)
    return g_strdup (command->name);

  /* Translators: the placeholder for a login on the command line, as in
   * "vestibule-admin show LOGIN". */
  return g_strdup_printf ("%s %s", command->name, _("LOGIN"));
}

static char *
commands_summary (void)
{
  g_autoptr(GPtrArray) synopses = g_ptr_array_new_with_free_func (g_free);
  GString *summary = g_string_new (_("Manage the accounts of external users on a Vestibule "
                                     "server."));
  gsize width = 0;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      char *synopsis = command_synopsis (&commands[i]);

      width = MAX (width, vst_admin_display_width (synopsis));
      g_ptr_array_add (synopses, synopsis);
    }

  g_string_append_printf (summary, "\n\n%s\n", _("Commands:"));
  for (i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const char *synopsis = g_ptr_array_index (synopses, i);
      gsize pad = width - vst_admin_display_width (synopsis);

      g_string_append_printf (summary, "  %s%*s  %s\n",
                              synopsis, (int) pad, "", _(commands[i].summary));
    }
  g_string_append_printf (summary, "\n%s",
                          _("Run “vestibule-admin COMMAND --help” for the options of a "
                            "command."));

  return g_string_free (summary, FALSE);
}

static char *
options_description (void)
{
  g_autofree char *default_token_file = g_build_filename (g_get_user_config_dir (), "vestibule",
                                                          "admin-token", NULL);
  g_autofree char *display_token_file = g_filename_display_name (default_token_file);

  return g_strdup_printf (_("The server is the one given with --server, else $VESTIBULE_SERVER,\n"
                            "else http://127.0.0.1:8080.\n"
                            "\n"
                            "The admin token is read from the file given with --token-file,\n"
                            "else from $VESTIBULE_ADMIN_TOKEN_FILE, else from\n"
                            "%s.\n"
                            "Only you should be able to read that file (chmod 600). The token\n"
                            "itself is never taken from the command line or the environment.\n"
                            "\n"
                            "Exit status:\n"
                            "  0  success\n"
                            "  1  the server refused the request (no such account, account\n"
                            "     exists, invalid value…)\n"
                            "  2  usage error\n"
                            "  3  the server cannot be reached, or the admin token is missing\n"
                            "     or was refused"),
                          display_token_file);
}

static void
add_global_entries (GOptionContext *context,
                    GlobalOptions  *global,
                    gboolean       *version)
{
  const GOptionEntry entries[] = {
    { "server", 's', 0, G_OPTION_ARG_FILENAME, &global->server,
      N_("Address of the Vestibule server"), N_("URL") },
    { "token-file", 't', 0, G_OPTION_ARG_FILENAME, &global->token_file,
      N_("File that holds the admin token"), N_("PATH") },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &global->json,
      N_("Print the server’s JSON, for scripts"), NULL },
    { NULL },
  };
  const GOptionEntry version_entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, version,
      N_("Print the version and exit"), NULL },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (version != NULL)
    g_option_context_add_main_entries (context, version_entries, GETTEXT_PACKAGE);
}

static GOptionContext *
create_command_context (const Command *command,
                        Options       *options,
                        GlobalOptions *global)
{
  const GOptionEntry invite_entries[] = {
    { "email", 'e', 0, G_OPTION_ARG_FILENAME, &options->email,
      N_("E-mail address the invitation goes to (required)"), N_("ADDRESS") },
    { "name", 'n', 0, G_OPTION_ARG_FILENAME, &options->name,
      N_("The person’s full name (required)"), N_("NAME") },
    { "language", 'l', 0, G_OPTION_ARG_FILENAME, &options->language,
      N_("Language of the e-mails and the wizard: en or fr (required)"), "en|fr" },
    { "space-name", 0, 0, G_OPTION_ARG_FILENAME, &options->space_name,
      N_("Name of the collaboration space the account is for"), N_("NAME") },
    { "space-url", 0, 0, G_OPTION_ARG_FILENAME, &options->space_url,
      N_("Address of that space"), N_("URL") },
    { NULL },
  };
  g_autofree char *synopsis = command_synopsis (command);
  g_autofree char *description = options_description ();
  GOptionContext *context;

  context = g_option_context_new (synopsis);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, command->summary);
  g_option_context_set_description (context, description);

  if (g_str_equal (command->name, "invite"))
    g_option_context_add_main_entries (context, invite_entries, GETTEXT_PACKAGE);
  add_global_entries (context, global, NULL);

  return context;
}

static void
print_error (const char *message)
{
  g_printerr ("%s: %s\n", g_get_prgname (), message);
}

/* @command: (nullable): the command whose help to point at */
static int
usage_error (const Command *command,
             const char    *message)
{
  print_error (message);
  if (command != NULL)
    g_printerr (_("Run “%s %s --help” for usage.\n"), g_get_prgname (), command->name);
  else
    g_printerr (_("Run “%s --help” for usage.\n"), g_get_prgname ());
  return VST_ADMIN_EXIT_USAGE;
}

static int
report_error (const GError *error)
{
  print_error (error->message);
  return vst_admin_error_get_exit_status (error);
}

/* Arguments reach us as bytes. Take them as UTF-8 when they are (what every
 * terminal sends today, even under LANG=C), else convert from the locale's
 * character set, so that "Élodie" works in both cases. */
static char *
argument_to_utf8 (const char  *argument,
                  const char  *what,
                  GError     **error)
{
  char *converted;

  if (g_utf8_validate (argument, -1, NULL))
    return g_strdup (argument);

  converted = g_locale_to_utf8 (argument, -1, NULL, NULL, NULL);
  if (converted == NULL)
    g_set_error (error, G_CONVERT_ERROR, G_CONVERT_ERROR_ILLEGAL_SEQUENCE,
                 /* Translators: %s is an option or argument, as in "--name". */
                 _("The value of %s is not valid text in this locale."), what);

  return converted;
}

/* Replaces *@value by its UTF-8 form; NULL stays NULL. */
static gboolean
option_to_utf8 (char        **value,
                const char   *what,
                GError      **error)
{
  char *converted;

  if (*value == NULL)
    return TRUE;

  converted = argument_to_utf8 (*value, what, error);
  if (converted == NULL)
    return FALSE;

  g_free (*value);
  *value = converted;
  return TRUE;
}

static void
print_json (JsonNode *node)
{
  g_autofree char *text = vst_admin_format_json (node);

  /* JSON is UTF-8 whatever the locale: bypass g_print()'s conversion. */
  fputs (text, stdout);
}

static void
print_text (const char *text)
{
  g_print ("%s", text);
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static const char *
account_login (JsonNode   *account,
               const char *fallback)
{
  JsonNode *node = json_object_get_member (json_node_get_object (account), "login");

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);

  return fallback;
}

static void
print_account (JsonNode *account)
{
  g_autofree char *details = vst_admin_format_account_details (json_node_get_object (account),
                                                               now_seconds ());

  print_text (details);
}

static int
run_invite (VstAdminClient *client,
            Options        *options,
            const char     *login)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) account = NULL;
  g_autofree char *sanitized_login = NULL;
  g_autofree char *sanitized_email = NULL;
  VstAdminInvitation invitation = {
    .login = login,
    .email = options->email,
    .display_name = options->name,
    .language = options->language,
    .space_name = options->space_name,
    .space_url = options->space_url,
  };

  account = vst_admin_client_invite (client, &invitation, NULL, &error);
  if (account == NULL)
    return report_error (error);

  if (options->global.json)
    {
      print_json (account);
      return VST_ADMIN_EXIT_OK;
    }

  sanitized_login = vst_admin_sanitize_text (account_login (account, login));
  sanitized_email = vst_admin_sanitize_text (options->email);
  g_print (_("Invited “%s”: the invitation e-mail is on its way to %s.\n"),
           sanitized_login, sanitized_email);
  g_print ("\n");
  print_account (account);

  return VST_ADMIN_EXIT_OK;
}

static int
run_list (VstAdminClient *client,
          Options        *options,
          const char     *login)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *table = NULL;
  JsonArray *accounts;

  root = vst_admin_client_list_accounts (client, NULL, &error);
  if (root == NULL)
    return report_error (error);

  if (options->global.json)
    {
      print_json (root);
      return VST_ADMIN_EXIT_OK;
    }

  /* The client checked that "accounts" is an array. */
  accounts = json_object_get_array_member (json_node_get_object (root), "accounts");
  if (json_array_get_length (accounts) == 0)
    {
      g_print ("%s\n", _("No accounts yet."));
      return VST_ADMIN_EXIT_OK;
    }

  table = vst_admin_format_account_table (accounts, now_seconds ());
  print_text (table);

  return VST_ADMIN_EXIT_OK;
}

static int
run_show (VstAdminClient *client,
          Options        *options,
          const char     *login)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) account = NULL;

  account = vst_admin_client_get_account (client, login, NULL, &error);
  if (account == NULL)
    return report_error (error);

  if (options->global.json)
    print_json (account);
  else
    print_account (account);

  return VST_ADMIN_EXIT_OK;
}

static int
run_resend (VstAdminClient *client,
            Options        *options,
            const char     *login)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) response = NULL;
  g_autoptr(JsonNode) account = NULL;
  g_autofree char *sanitized_login = NULL;
  JsonNode *email;

  if (!vst_admin_client_resend_invitation (client, login, &response, NULL, &error))
    return report_error (error);

  if (options->global.json)
    {
      if (response != NULL)
        print_json (response);
      return VST_ADMIN_EXIT_OK;
    }

  /* Name the address, so that the agent can tell the person where to look;
   * the invitation is sent whether or not this second request works. */
  account = vst_admin_client_get_account (client, login, NULL, NULL);
  email = account != NULL
          ? json_object_get_member (json_node_get_object (account), "email")
          : NULL;
  sanitized_login = vst_admin_sanitize_text (account != NULL ? account_login (account, login)
                                                             : login);

  if (email != NULL && JSON_NODE_HOLDS_VALUE (email)
      && json_node_get_value_type (email) == G_TYPE_STRING)
    {
      g_autofree char *sanitized_email = vst_admin_sanitize_text (json_node_get_string (email));

      g_print (_("The invitation for “%s” is on its way again to %s.\n"),
               sanitized_login, sanitized_email);
    }
  else
    {
      g_print (_("The invitation for “%s” is on its way again.\n"), sanitized_login);
    }

  return VST_ADMIN_EXIT_OK;
}

static int
run_reset_2fa (VstAdminClient *client,
               Options        *options,
               const char     *login)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) account = NULL;
  g_autofree char *sanitized_login = NULL;

  account = vst_admin_client_reset_2fa (client, login, NULL, &error);
  if (account == NULL)
    return report_error (error);

  if (options->global.json)
    {
      print_json (account);
      return VST_ADMIN_EXIT_OK;
    }

  sanitized_login = vst_admin_sanitize_text (account_login (account, login));
  g_print (_("Two-factor authentication is reset for “%s”: they will pair a new "
             "authenticator app at their next sign-in.\n"),
           sanitized_login);
  g_print ("\n");
  print_account (account);

  return VST_ADMIN_EXIT_OK;
}

static int
run_unlock (VstAdminClient *client,
            Options        *options,
            const char     *login)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) account = NULL;
  g_autofree char *sanitized_login = NULL;

  account = vst_admin_client_unlock (client, login, NULL, &error);
  if (account == NULL)
    return report_error (error);

  if (options->global.json)
    {
      print_json (account);
      return VST_ADMIN_EXIT_OK;
    }

  sanitized_login = vst_admin_sanitize_text (account_login (account, login));
  g_print (_("“%s” is unlocked: the password and code lockouts are lifted.\n"),
           sanitized_login);
  g_print ("\n");
  print_account (account);

  return VST_ADMIN_EXIT_OK;
}

/* Checks what `invite` needs before anything goes to the server, so that a
 * forgotten option is a usage error and not a server refusal. */
static gboolean
check_invite_options (Options  *options,
                      GError  **error)
{
  const struct {
    const char  *option;
    char       **value;
  } required[] = {
    { "--email", &options->email },
    { "--name", &options->name },
    { "--language", &options->language },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (required); i++)
    {
      char **value = required[i].value;

      if (*value == NULL || *g_strstrip (*value) == '\0')
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                       /* Translators: %s is an option, as in "--email". */
                       _("invite needs %s."), required[i].option);
          return FALSE;
        }
    }

  if (g_ascii_strcasecmp (options->language, "en") != 0
      && g_ascii_strcasecmp (options->language, "fr") != 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--language must be “en” or “fr”, not “%s”."), options->language);
      return FALSE;
    }
  {
    char *lower = g_ascii_strdown (options->language, -1);

    g_free (options->language);
    options->language = lower;
  }

  /* An empty space name or address means "none". */
  if (options->space_name != NULL && *g_strstrip (options->space_name) == '\0')
    g_clear_pointer (&options->space_name, g_free);
  if (options->space_url != NULL && *g_strstrip (options->space_url) == '\0')
    g_clear_pointer (&options->space_url, g_free);

  return TRUE;
}

static char *
default_token_file (void)
{
  const char *path = g_getenv ("VESTIBULE_ADMIN_TOKEN_FILE");

  if (path != NULL && *path != '\0')
    return g_strdup (path);

  return g_build_filename (g_get_user_config_dir (), "vestibule", "admin-token", NULL);
}

static int
run_command (const Command *command,
             Options       *options,
             const char    *login)
{
  g_autoptr(VstAdminClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *server_url = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *display_token_file = NULL;
  char *token;
  gboolean exposed = FALSE;
  const char *env_server = g_getenv ("VESTIBULE_SERVER");

  if (options->global.server != NULL)
    server_url = g_strdup (options->global.server);
  else if (env_server != NULL && *env_server != '\0')
    server_url = g_strdup (env_server);
  else
    server_url = g_strdup (DEFAULT_SERVER_URL);

  client = vst_admin_client_new (server_url, &error);
  if (client == NULL)
    return usage_error (NULL, error->message);

  token_file = options->global.token_file != NULL ? g_strdup (options->global.token_file)
                                                  : default_token_file ();
  token = vst_admin_read_token_file (token_file, &exposed, &error);
  if (token == NULL)
    return report_error (error);

  display_token_file = g_filename_display_name (token_file);
  if (exposed)
    g_printerr (_("%s: warning: other users can read the admin token file %s; "
                  "protect it with “chmod 600 %s”.\n"),
                g_get_prgname (), display_token_file, display_token_file);

  if (!vst_admin_client_is_encrypted_or_local (client))
    g_printerr (_("%s: warning: %s is not encrypted, so the admin token crosses the network "
                  "in clear; use an https:// address.\n"),
                g_get_prgname (), vst_admin_client_get_server_url (client));

  vst_admin_client_set_token (client, token);
  vst_admin_token_free (token);
  vst_admin_client_set_accept_language (client, vst_admin_language_from_environment ());

  return command->run (client, options, login);
}

static int
print_command_help (const Command *command)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *help = NULL;
  Options options = { 0 };
  GlobalOptions global = { 0 };

  context = create_command_context (command, &options, &global);
  help = g_option_context_get_help (context, TRUE, NULL);
  g_print ("%s", help);

  return VST_ADMIN_EXIT_OK;
}

static int
run (Options *options,
     char  ***args)
{
  g_autoptr(GOptionContext) global_context = NULL;
  g_autoptr(GOptionContext) command_context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = commands_summary ();
  g_autofree char *description = options_description ();
  g_autofree char *login = NULL;
  g_auto(GStrv) command_args = NULL;
  GlobalOptions after = { 0 };
  gboolean version = FALSE;
  const Command *command;
  guint n_args;
  int status;

  global_context = g_option_context_new (_("COMMAND [ARGUMENTS…]"));
  g_option_context_set_translation_domain (global_context, GETTEXT_PACKAGE);
  g_option_context_set_summary (global_context, summary);
  g_option_context_set_description (global_context, description);
  /* Stop at the command name: what follows belongs to the command. */
  g_option_context_set_strict_posix (global_context, TRUE);
  add_global_entries (global_context, &options->global, &version);

  if (!g_option_context_parse_strv (global_context, args, &error))
    return usage_error (NULL, error->message);

  if (version)
    {
      g_print ("vestibule-admin %s\n", PACKAGE_VERSION);
      return VST_ADMIN_EXIT_OK;
    }

  if (g_strv_length (*args) < 2)
    return usage_error (NULL, _("Give a command: invite, list, show, resend, reset-2fa or "
                                "unlock."));

  if (g_str_equal ((*args)[1], "help"))
    {
      g_autofree char *help = NULL;

      if ((*args)[2] == NULL)
        {
          help = g_option_context_get_help (global_context, TRUE, NULL);
          g_print ("%s", help);
          return VST_ADMIN_EXIT_OK;
        }

      command = find_command ((*args)[2]);
      if (command == NULL)
        {
          g_autofree char *name = vst_admin_sanitize_text ((*args)[2]);
          g_autofree char *message = g_strdup_printf (_("Unknown command “%s”."), name);

          return usage_error (NULL, message);
        }

      return print_command_help (command);
    }

  command = find_command ((*args)[1]);
  if (command == NULL)
    {
      g_autofree char *name = vst_admin_sanitize_text ((*args)[1]);
      g_autofree char *message = g_strdup_printf (_("Unknown command “%s”."), name);

      return usage_error (NULL, message);
    }

  /* The command's own argv: its name stands in for the program's, and its
   * options and arguments follow. */
  command_args = g_strdupv (*args + 1);
  command_context = create_command_context (command, options, &after);
  if (!g_option_context_parse_strv (command_context, &command_args, &error))
    return usage_error (command, error->message);

  /* Options given after the command win over those given before it. */
  if (after.server != NULL)
    {
      g_free (options->global.server);
      options->global.server = g_steal_pointer (&after.server);
    }
  if (after.token_file != NULL)
    {
      g_free (options->global.token_file);
      options->global.token_file = g_steal_pointer (&after.token_file);
    }
  options->global.json |= after.json;
  global_options_clear (&after);

  n_args = g_strv_length (command_args) - 1;
  if (n_args != (command->takes_login ? 1 : 0))
    {
      g_autofree char *message = NULL;

      if (command->takes_login && n_args == 0)
        message = g_strdup_printf (_("%s needs a login."), command->name);
      else if (command->takes_login)
        message = g_strdup_printf (_("%s takes one login, not %u arguments."),
                                   command->name, n_args);
      else
        message = g_strdup_printf (_("%s takes no arguments."), command->name);

      return usage_error (command, message);
    }

  if (command->takes_login)
    {
      login = argument_to_utf8 (command_args[1], _("LOGIN"), &error);
      if (login == NULL)
        return usage_error (command, error->message);
    }

  if (!option_to_utf8 (&options->global.server, "--server", &error)
      || !option_to_utf8 (&options->email, "--email", &error)
      || !option_to_utf8 (&options->name, "--name", &error)
      || !option_to_utf8 (&options->language, "--language", &error)
      || !option_to_utf8 (&options->space_name, "--space-name", &error)
      || !option_to_utf8 (&options->space_url, "--space-url", &error))
    return usage_error (command, error->message);

  if (g_str_equal (command->name, "invite") && !check_invite_options (options, &error))
    return usage_error (command, error->message);

  status = run_command (command, options, login);

  /* A full disk or a closed pipe must not pass for success in a script. */
  if (fflush (stdout) != 0 && status == VST_ADMIN_EXIT_OK)
    status = VST_ADMIN_EXIT_REFUSED;

  return status;
}

int
main (int    argc,
      char **argv)
{
  g_auto(GStrv) args = NULL;
  Options options = { 0 };
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_prgname ("vestibule-admin");

  args = g_strdupv (argv);
  status = run (&options, &args);
  options_clear (&options);

  return status;
}
