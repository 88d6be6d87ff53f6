/* vst-password-policy.c: what makes a password acceptable, and how strong.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The wizard, the server and the helpdesk CLI all judge a password here, so
 * that the checklist a person sees is exactly what the server enforces.
 *
 * How text is compared:
 *
 * - Lengths, character classes and repeats are counted in Unicode
 *   characters of the NFC form, so "é" counts once whether it was typed as
 *   one character or as "e" and a combining accent.
 * - "Contains your login / name" and "commonly used" compare a folded form:
 *   case-folded, compatibility-decomposed and without combining marks, so
 *   "HÉLÈNE" contains "helene", and "ＰＡＳＳＷＯＲＤ" is "password".
 * - "Commonly used" is a password of the list, or one followed by nothing
 *   but digits, symbols and spaces ("Password123!"): see is_common_folded().
 *   vst_password_is_common() is the plain lookup, without that variant.
 * - A password that is not valid UTF-8 cannot come from a text field, nor
 *   travel in JSON, nor be compared the same way twice: it fails every rule
 *   of the policy and has no strength.
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <zxcvbn.h>

#include "vst-common-passwords-private.h"
#include "vst-error.h"
#include "vst-password-policy.h"

/* The longest password a policy may allow, so that a configuration cannot
 * make the server hash megabytes. */
#define LENGTH_LIMIT 4096

/* Parts of a login, name or e-mail address shorter than this are too common
 * as fragments of words ("Li", "Ng") to be refused inside a password. */
#define MIN_IDENTITY_PART 3

/* The generator's length when the policy allows it. */
#define GENERATED_LENGTH 16

/* Enough for any policy a random password can meet; a policy that still
 * fails after this many tries (a maximum of 4 characters, say) cannot be
 * met with a score of 4. */
#define GENERATE_MAX_TRIES 1000

/* A string that held a secret: wiped before it is freed. */
typedef char VstSecret;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VstSecret, vst_secure_free)

typedef enum {
  RULE_MIN_LENGTH,
  RULE_MAX_LENGTH,
  RULE_CLASSES,
  RULE_REQUIRE_UPPER,
  RULE_REQUIRE_LOWER,
  RULE_REQUIRE_DIGIT,
  RULE_REQUIRE_OTHER,
  RULE_NO_LOGIN,
  RULE_NO_NAME,
  RULE_NOT_COMMON,
  RULE_MAX_REPEAT,
  N_RULES
} RuleKind;

/* In the order of the header's list, which is the order of every check. */
static const char * const rule_ids[N_RULES] = {
  VST_RULE_MIN_LENGTH,
  VST_RULE_MAX_LENGTH,
  VST_RULE_CLASSES,
  VST_RULE_REQUIRE_UPPER,
  VST_RULE_REQUIRE_LOWER,
  VST_RULE_REQUIRE_DIGIT,
  VST_RULE_REQUIRE_OTHER,
  VST_RULE_NO_LOGIN,
  VST_RULE_NO_NAME,
  VST_RULE_NOT_COMMON,
  VST_RULE_MAX_REPEAT,
};

static const struct {
  VstCharClass flag;
  const char *name;
} class_names[] = {
  { VST_CHAR_CLASS_UPPER, "upper" },
  { VST_CHAR_CLASS_LOWER, "lower" },
  { VST_CHAR_CLASS_DIGIT, "digit" },
  { VST_CHAR_CLASS_OTHER, "other" },
};

#define ALL_CLASSES (VST_CHAR_CLASS_UPPER | VST_CHAR_CLASS_LOWER | \
                     VST_CHAR_CLASS_DIGIT | VST_CHAR_CLASS_OTHER)

struct _VstPasswordPolicy {
  gatomicrefcount ref_count;

  /* The preset it was built from, or NULL; always a static string. */
  const char *preset;

  guint min_length;
  guint max_length;
  guint min_classes;
  VstCharClass required_classes;
  gboolean forbid_login;
  gboolean forbid_names;
  gboolean forbid_common;
  guint max_repeat;
};

static const VstPasswordPolicy presets[] = {
  {
    .preset = "default",
    .min_length = 10,
    .max_length = 128,
    .min_classes = 3,
    .required_classes = 0,
    .forbid_login = TRUE,
    .forbid_names = TRUE,
    .forbid_common = TRUE,
    .max_repeat = 3,
  },
  {
    /* What EU Login asks of external users, for spaces that want the same
     * rules as the Commission's own sign-in. */
    .preset = "eu-login",
    .min_length = 8,
    .max_length = 128,
    .min_classes = 3,
    .required_classes = 0,
    .forbid_login = TRUE,
    .forbid_names = FALSE,
    .forbid_common = FALSE,
    .max_repeat = 0,
  },
};

typedef struct {
  RuleKind kind;
  gboolean ok;
  char *text;
} RuleResult;

struct _VstPasswordCheck {
  RuleResult rules[N_RULES];
  guint n_rules;
  double entropy;
  guint score;
};

/* Policies */

static guint
count_classes (VstCharClass classes)
{
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (class_names); i++)
    if ((classes & class_names[i].flag) != 0)
      n++;

  return n;
}

/* The limits that make a policy both sane and possible to meet. */
static gboolean
policy_validate (const VstPasswordPolicy  *policy,
                 GError                  **error)
{
  if (policy->min_length < 1 || policy->min_length > LENGTH_LIMIT)
    {
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_POLICY,
                   _("Password policy: “%s” must be from %u to %u"),
                   "min_length", 1, LENGTH_LIMIT);
      return FALSE;
    }

  if (policy->max_length < 1 || policy->max_length > LENGTH_LIMIT)
    {
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_POLICY,
                   _("Password policy: “%s” must be from %u to %u"),
                   "max_length", 1, LENGTH_LIMIT);
      return FALSE;
    }

  if (policy->min_length > policy->max_length)
    {
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_POLICY,
                   _("Password policy: “%s” (%u) is larger than “%s” (%u)"),
                   "min_length", policy->min_length,
                   "max_length", policy->max_length);
      return FALSE;
    }

  if (policy->min_classes > G_N_ELEMENTS (class_names))
    {
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_POLICY,
                   _("Password policy: “%s” must be from %u to %u"),
                   "min_classes", 0, (guint) G_N_ELEMENTS (class_names));
      return FALSE;
    }

  /* Each class takes a character of its own: a policy asking for more
   * classes than it allows characters could never be met. */
  if (policy->max_length < MAX (policy->min_classes,
                                count_classes (policy->required_classes)))
    {
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_POLICY,
                   _("Password policy: “%s” (%u) is too small for the character "
                     "classes it requires"),
                   "max_length", policy->max_length);
      return FALSE;
    }

  if (policy->max_repeat > LENGTH_LIMIT)
    {
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_POLICY,
                   _("Password policy: “%s” must be from %u to %u"),
                   "max_repeat", 0, LENGTH_LIMIT);
      return FALSE;
    }

  return TRUE;
}

static const VstPasswordPolicy *
find_preset (const char  *name,
             GError     **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    if (g_strcmp0 (presets[i].preset, name) == 0)
      return &presets[i];

  g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_POLICY,
               _("Password policy: unknown preset “%s”"), name);
  return NULL;
}

static VstPasswordPolicy *
policy_dup (const VstPasswordPolicy *values)
{
  VstPasswordPolicy *policy = g_memdup2 (values, sizeof *values);

  g_atomic_ref_count_init (&policy->ref_count);
  return policy;
}

VstPasswordPolicy *
vst_password_policy_new_preset (const char  *name,
                                GError     **error)
{
  const VstPasswordPolicy *preset;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  preset = find_preset (name, error);
  if (preset == NULL)
    return NULL;

  return policy_dup (preset);
}

static gboolean
get_uint_member (JsonNode    *node,
                 const char  *name,
                 guint        min,
                 guint        max,
                 guint       *out_value,
                 GError     **error)
{
  gint64 value;

  /* An integer, not 10.0 nor "10": a configuration with the wrong type is
   * more likely a mistake than a wish. */
  if (!JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_POLICY,
                   _("Password policy: “%s” must be a whole number"), name);
      return FALSE;
    }

  value = json_node_get_int (node);
  if (value < min || value > max)
    {
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_POLICY,
                   _("Password policy: “%s” must be from %u to %u"),
                   name, min, max);
      return FALSE;
    }

  *out_value = (guint) value;
  return TRUE;
}

static gboolean
get_boolean_member (JsonNode    *node,
                    const char  *name,
                    gboolean    *out_value,
                    GError     **error)
{
  if (!JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_POLICY,
                   _("Password policy: “%s” must be true or false"), name);
      return FALSE;
    }

  *out_value = json_node_get_boolean (node);
  return TRUE;
}

static void
set_classes_error (const char  *name,
                   GError     **error)
{
  g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_POLICY,
               _("Password policy: “%s” must be a list of “upper”, “lower”, "
                 "“digit” and “other”"),
               name);
}

static gboolean
get_classes_member (JsonNode      *node,
                    const char    *name,
                    VstCharClass  *out_value,
                    GError       **error)
{
  JsonArray *array;
  VstCharClass classes = 0;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      set_classes_error (name, error);
      return FALSE;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      const char *class_name = NULL;
      gboolean found = FALSE;

      if (JSON_NODE_HOLDS_VALUE (element) &&
          json_node_get_value_type (element) == G_TYPE_STRING)
        class_name = json_node_get_string (element);

      for (guint j = 0; class_name != NULL && j < G_N_ELEMENTS (class_names); j++)
        {
          if (g_str_equal (class_name, class_names[j].name))
            {
              classes |= class_names[j].flag;
              found = TRUE;
              break;
            }
        }

      if (!found)
        {
          set_classes_error (name, error);
          return FALSE;
        }
    }

  *out_value = classes;
  return TRUE;
}

VstPasswordPolicy *
vst_password_policy_new_from_json (const char  *json,
                                   gssize       length,
                                   GError     **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GList) members = NULL;
  const VstPasswordPolicy *preset;
  VstPasswordPolicy values;
  JsonObject *object;
  JsonNode *root;
  JsonNode *preset_node;
  const char *preset_name = NULL;

  g_return_val_if_fail (json != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, json, length, &local_error))
    {
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_POLICY,
                   _("Password policy: not valid JSON: %s"), local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_POLICY,
                           _("Password policy: not a JSON object"));
      return NULL;
    }
  object = json_node_get_object (root);

  /* The preset first, whatever the order of the members, since the others
   * override it. */
  preset_node = json_object_get_member (object, "preset");
  if (preset_node != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (preset_node) ||
          json_node_get_value_type (preset_node) != G_TYPE_STRING)
        {
          g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_POLICY,
                       _("Password policy: “%s” must be a string"), "preset");
          return NULL;
        }
      preset_name = json_node_get_string (preset_node);
    }

  preset = find_preset (preset_name != NULL ? preset_name : "default", error);
  if (preset == NULL)
    return NULL;
  values = *preset;
  /* A policy that names no preset says so again when written back. */
  if (preset_name == NULL)
    values.preset = NULL;

  /* In the order of the document, so that the first mistake is the one
   * reported. */
  members = json_object_get_members (object);
  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (object, name);
      gboolean ok;

      if (g_str_equal (name, "preset"))
        ok = TRUE;
      else if (g_str_equal (name, "min_length"))
        ok = get_uint_member (node, name, 1, LENGTH_LIMIT, &values.min_length, error);
      else if (g_str_equal (name, "max_length"))
        ok = get_uint_member (node, name, 1, LENGTH_LIMIT, &values.max_length, error);
      else if (g_str_equal (name, "min_classes"))
        ok = get_uint_member (node, name, 0, G_N_ELEMENTS (class_names),
                              &values.min_classes, error);
      else if (g_str_equal (name, "required_classes"))
        ok = get_classes_member (node, name, &values.required_classes, error);
      else if (g_str_equal (name, "forbid_login"))
        ok = get_boolean_member (node, name, &values.forbid_login, error);
      else if (g_str_equal (name, "forbid_names"))
        ok = get_boolean_member (node, name, &values.forbid_names, error);
      else if (g_str_equal (name, "forbid_common"))
        ok = get_boolean_member (node, name, &values.forbid_common, error);
      else if (g_str_equal (name, "max_repeat"))
        ok = get_uint_member (node, name, 0, LENGTH_LIMIT, &values.max_repeat, error);
      else
        {
          /* Refused rather than skipped: "min_lenght" must not silently
           * leave the preset's weaker value in place. */
          g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_POLICY,
                       _("Password policy: unknown member “%s”"), name);
          ok = FALSE;
        }

      if (!ok)
        return NULL;
    }

  if (!policy_validate (&values, error))
    return NULL;

  return policy_dup (&values);
}

char *
vst_password_policy_to_json (const VstPasswordPolicy *policy)
{
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (JsonGenerator) generator = NULL;
  g_autoptr (JsonNode) root = NULL;

  g_return_val_if_fail (policy != NULL, NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);

  if (policy->preset != NULL)
    {
      json_builder_set_member_name (builder, "preset");
      json_builder_add_string_value (builder, policy->preset);
    }

  /* Every member, even those equal to the preset's: a reader (the wizard,
   * an older server) must not need to know what a preset means. */
  json_builder_set_member_name (builder, "min_length");
  json_builder_add_int_value (builder, policy->min_length);
  json_builder_set_member_name (builder, "max_length");
  json_builder_add_int_value (builder, policy->max_length);
  json_builder_set_member_name (builder, "min_classes");
  json_builder_add_int_value (builder, policy->min_classes);

  json_builder_set_member_name (builder, "required_classes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < G_N_ELEMENTS (class_names); i++)
    if ((policy->required_classes & class_names[i].flag) != 0)
      json_builder_add_string_value (builder, class_names[i].name);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "forbid_login");
  json_builder_add_boolean_value (builder, policy->forbid_login);
  json_builder_set_member_name (builder, "forbid_names");
  json_builder_add_boolean_value (builder, policy->forbid_names);
  json_builder_set_member_name (builder, "forbid_common");
  json_builder_add_boolean_value (builder, policy->forbid_common);
  json_builder_set_member_name (builder, "max_repeat");
  json_builder_add_int_value (builder, policy->max_repeat);

  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

VstPasswordPolicy *
vst_password_policy_ref (VstPasswordPolicy *policy)
{
  g_return_val_if_fail (policy != NULL, NULL);

  g_atomic_ref_count_inc (&policy->ref_count);
  return policy;
}

void
vst_password_policy_unref (VstPasswordPolicy *policy)
{
  g_return_if_fail (policy != NULL);

  if (g_atomic_ref_count_dec (&policy->ref_count))
    g_free (policy);
}

guint
vst_password_policy_get_min_length (const VstPasswordPolicy *policy)
{
  g_return_val_if_fail (policy != NULL, 0);

  return policy->min_length;
}

guint
vst_password_policy_get_max_length (const VstPasswordPolicy *policy)
{
  g_return_val_if_fail (policy != NULL, 0);

  return policy->max_length;
}

guint
vst_password_policy_get_min_classes (const VstPasswordPolicy *policy)
{
  g_return_val_if_fail (policy != NULL, 0);

  return policy->min_classes;
}

VstCharClass
vst_password_policy_get_required_classes (const VstPasswordPolicy *policy)
{
  g_return_val_if_fail (policy != NULL, 0);

  return policy->required_classes;
}

/* Folding and matching */

/* The form in which logins, names and the common-password list are compared:
 * case-folded, compatibility-decomposed (full-width letters and ligatures
 * become plain ones) and without combining marks (accents), so that
 * "Hélène" and "HELENE" are the same name. @text must be valid UTF-8.
 * GLib's own scratch buffers are beyond our reach, but every copy we hold
 * is wiped. */
static char *
fold (const char *text)
{
  g_autoptr (VstSecret) casefolded = g_utf8_casefold (text, -1);
  char *decomposed = g_utf8_normalize (casefolded, -1, G_NORMALIZE_NFKD);
  char *end = decomposed + strlen (decomposed);
  char *out = decomposed;
  const char *p = decomposed;

  /* In place: dropping marks only ever shortens the string. */
  while (p < end)
    {
      const char *next = g_utf8_next_char (p);

      if (g_unichar_type (g_utf8_get_char (p)) != G_UNICODE_NON_SPACING_MARK)
        {
          memmove (out, p, next - p);
          out += next - p;
        }
      p = next;
    }

  /* The tail past the new end still holds part of the text. */
  OPENSSL_cleanse (out, end - out);
  *out = '\0';

  return decomposed;
}

/* Whether @folded is a common password, or one followed only by digits,
 * symbols or spaces ("password123!", "123456!"), the usual way around a
 * rule that asks for several classes. A run of digits is never cut in two,
 * so that a long number is not refused because it starts with a year. */
static gboolean
is_common_folded (const char *folded)
{
  gsize len = strlen (folded);
  const char *tail = folded;
  const char *p;

  if (vst_common_passwords_contains_lower (folded, len))
    return TRUE;

  /* The trailing run of non-letters. */
  for (p = folded; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_isalpha (g_utf8_get_char (p)))
      tail = g_utf8_next_char (p);

  for (p = tail; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar here = g_utf8_get_char (p);
      gunichar before;

      if (p == folded)
        continue;

      before = g_utf8_get_char (g_utf8_prev_char (p));
      if (g_unichar_isdigit (before) && g_unichar_isdigit (here))
        continue;

      if (vst_common_passwords_contains_lower (folded, p - folded))
        return TRUE;
    }

  return FALSE;
}

gboolean
vst_password_is_common (const char *password)
{
  g_autoptr (VstSecret) folded = NULL;

  g_return_val_if_fail (password != NULL, FALSE);

  if (!g_utf8_validate (password, -1, NULL))
    return FALSE;

  folded = fold (password);
  return vst_common_passwords_contains_lower (folded, strlen (folded));
}

/* What a password must not contain, folded: the login, and the parts of the
 * person's name and e-mail address. */
typedef struct {
  char *login;
  GPtrArray *names;
} Identity;

static void
identity_clear (Identity *identity)
{
  g_clear_pointer (&identity->login, g_free);
  g_clear_pointer (&identity->names, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Identity, identity_clear)

static char *
fold_context_string (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);

  return fold (valid);
}

static void
add_name (GPtrArray  *names,
          const char *start,
          gsize       len)
{
  g_autofree char *name = g_strndup (start, len);

  if (g_utf8_strlen (name, -1) < MIN_IDENTITY_PART)
    return;

  for (guint i = 0; i < names->len; i++)
    if (g_str_equal (names->pdata[i], name))
      return;

  g_ptr_array_add (names, g_steal_pointer (&name));
}

static gboolean
is_name_separator (gunichar c)
{
  return g_unichar_isspace (c) ||
         c == '-' || c == '.' || c == '\'' || c == ',' || c == '_' || c == '+' ||
         c == 0x2010 /* HYPHEN */ ||
         c == 0x2011 /* NON-BREAKING HYPHEN */ ||
         c == 0x2019 /* RIGHT SINGLE QUOTATION MARK, the typographic apostrophe */;
}

/* Adds the parts of @folded between separators. */
static void
add_name_parts (GPtrArray  *names,
                const char *folded)
{
  const char *start = folded;
  const char *p;

  for (p = folded; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (is_name_separator (g_utf8_get_char (p)))
        {
          add_name (names, start, p - start);
          start = g_utf8_next_char (p);
        }
    }
  add_name (names, start, p - start);
}

static void
identity_init (Identity                 *identity,
               const VstPasswordContext *context)
{
  identity->login = NULL;
  identity->names = g_ptr_array_new_with_free_func (g_free);

  if (context == NULL)
    return;

  if (context->login != NULL)
    {
      g_autofree char *login = fold_context_string (context->login);

      if (g_utf8_strlen (login, -1) >= MIN_IDENTITY_PART)
        identity->login = g_steal_pointer (&login);
    }

  if (context->email != NULL)
    {
      g_autofree char *email = fold_context_string (context->email);
      char *at = strrchr (email, '@');

      if (at != NULL)
        *at = '\0';

      /* The whole local part ("jean.dupont") and its pieces. */
      add_name (identity->names, email, strlen (email));
      add_name_parts (identity->names, email);
    }

  if (context->display_name != NULL)
    {
      g_autofree char *display_name = fold_context_string (context->display_name);

      add_name_parts (identity->names, display_name);
    }
}

/* Checks */

/* Lengths are always rules; a count of 0 (classes, repeats) or false turns
 * the others off, and a rule that is off is left out of checks altogether. */
static gboolean
policy_has_rule (const VstPasswordPolicy *policy,
                 RuleKind                 kind)
{
  switch (kind)
    {
    case RULE_MIN_LENGTH:
    case RULE_MAX_LENGTH:
      return TRUE;
    case RULE_CLASSES:
      return policy->min_classes > 0;
    case RULE_REQUIRE_UPPER:
      return (policy->required_classes & VST_CHAR_CLASS_UPPER) != 0;
    case RULE_REQUIRE_LOWER:
      return (policy->required_classes & VST_CHAR_CLASS_LOWER) != 0;
    case RULE_REQUIRE_DIGIT:
      return (policy->required_classes & VST_CHAR_CLASS_DIGIT) != 0;
    case RULE_REQUIRE_OTHER:
      return (policy->required_classes & VST_CHAR_CLASS_OTHER) != 0;
    case RULE_NO_LOGIN:
      return policy->forbid_login;
    case RULE_NO_NAME:
      return policy->forbid_names;
    case RULE_NOT_COMMON:
      return policy->forbid_common;
    case RULE_MAX_REPEAT:
      return policy->max_repeat > 0;
    case N_RULES:
    default:
      g_assert_not_reached ();
    }
}

static char *
rule_text (const VstPasswordPolicy *policy,
           RuleKind                 kind)
{
  switch (kind)
    {
    case RULE_MIN_LENGTH:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "At least %u character",
                                           "At least %u characters",
                                           policy->min_length),
                              policy->min_length);
    case RULE_MAX_LENGTH:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "At most %u character",
                                           "At most %u characters",
                                           policy->max_length),
                              policy->max_length);
    case RULE_CLASSES:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           /* Translators: "symbols" stands for
                                              all that is neither a letter nor
                                              a digit, spaces included. */
                                           "Characters from at least %u of these groups: "
                                           "upper case, lower case, digits, symbols",
                                           "Characters from at least %u of these groups: "
                                           "upper case, lower case, digits, symbols",
                                           policy->min_classes),
                              policy->min_classes);
    case RULE_REQUIRE_UPPER:
      return g_strdup (_("At least one upper-case letter"));
    case RULE_REQUIRE_LOWER:
      return g_strdup (_("At least one lower-case letter"));
    case RULE_REQUIRE_DIGIT:
      return g_strdup (_("At least one digit"));
    case RULE_REQUIRE_OTHER:
      /* Translators: a character that is neither a letter nor a digit. */
      return g_strdup (_("At least one symbol or space"));
    case RULE_NO_LOGIN:
      return g_strdup (_("Does not contain your login"));
    case RULE_NO_NAME:
      return g_strdup (_("Does not contain your name or e-mail address"));
    case RULE_NOT_COMMON:
      return g_strdup (_("Not a commonly used password"));
    case RULE_MAX_REPEAT:
      /* "more than 1 time" reads badly in English. */
      if (policy->max_repeat == 1)
        return g_strdup (_("No character twice in a row"));
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "No character more than %u time in a row",
                                           "No character more than %u times in a row",
                                           policy->max_repeat),
                              policy->max_repeat);
    case N_RULES:
    default:
      g_assert_not_reached ();
    }
}

/* A check with the policy's rules, all failing, for the caller to fill in. */
static VstPasswordCheck *
check_new (const VstPasswordPolicy *policy)
{
  VstPasswordCheck *check = g_new0 (VstPasswordCheck, 1);

  for (RuleKind kind = 0; kind < N_RULES; kind++)
    {
      if (!policy_has_rule (policy, kind))
        continue;

      check->rules[check->n_rules].kind = kind;
      check->rules[check->n_rules].ok = FALSE;
      check->rules[check->n_rules].text = rule_text (policy, kind);
      check->n_rules++;
    }

  return check;
}

static VstCharClass
char_class (gunichar c)
{
  if (g_unichar_isupper (c) || g_unichar_istitle (c))
    return VST_CHAR_CLASS_UPPER;
  if (g_unichar_islower (c))
    return VST_CHAR_CLASS_LOWER;
  if (g_unichar_isdigit (c))
    return VST_CHAR_CLASS_DIGIT;

  /* Everything else, white space included (EU Login allows it), and
   * letters without case (Chinese, Arabic) as they are neither upper nor
   * lower case. */
  return VST_CHAR_CLASS_OTHER;
}

/* log2 of 10^3, 10^6, 10^8 and 10^10 guesses: zxcvbn's thresholds between
 * scores, on the log2 scale that ZxcvbnMatch() returns. */
static const double score_thresholds[] = {
  9.965784284662087,
  19.931568569324174,
  26.575424759098897,
  33.219280948873624,
};

static guint
score_for_entropy (double entropy)
{
  guint score = 0;

  while (score < G_N_ELEMENTS (score_thresholds) &&
         entropy >= score_thresholds[score])
    score++;

  return score;
}

VstPasswordCheck *
vst_password_policy_check (const VstPasswordPolicy  *policy,
                           const char               *password,
                           const VstPasswordContext *context)
{
  g_auto (Identity) identity = { NULL, };
  g_autoptr (VstSecret) nfc = NULL;
  g_autoptr (VstSecret) folded = NULL;
  g_autoptr (GPtrArray) user_dict = NULL;
  gboolean holds[N_RULES] = { FALSE, };
  VstCharClass classes = 0;
  VstPasswordCheck *check;
  gunichar previous = 0;
  guint n_chars = 0;
  guint run = 0;
  guint longest_run = 0;

  g_return_val_if_fail (policy != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);

  check = check_new (policy);

  /* Not text: every rule fails and there is no strength (see the top of
   * this file). */
  if (!g_utf8_validate (password, -1, NULL))
    return check;

  nfc = g_utf8_normalize (password, -1, G_NORMALIZE_NFC);
  for (const char *p = nfc; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      n_chars++;

      /* A combining mark left over after NFC belongs to the letter before
       * it and makes no class of its own. */
      if (!g_unichar_ismark (c))
        classes |= char_class (c);

      run = (n_chars > 1 && c == previous) ? run + 1 : 1;
      longest_run = MAX (longest_run, run);
      previous = c;
    }

  holds[RULE_MIN_LENGTH] = n_chars >= policy->min_length;
  holds[RULE_MAX_LENGTH] = n_chars <= policy->max_length;
  holds[RULE_CLASSES] = count_classes (classes) >= policy->min_classes;
  holds[RULE_REQUIRE_UPPER] = (classes & VST_CHAR_CLASS_UPPER) != 0;
  holds[RULE_REQUIRE_LOWER] = (classes & VST_CHAR_CLASS_LOWER) != 0;
  holds[RULE_REQUIRE_DIGIT] = (classes & VST_CHAR_CLASS_DIGIT) != 0;
  holds[RULE_REQUIRE_OTHER] = (classes & VST_CHAR_CLASS_OTHER) != 0;
  holds[RULE_MAX_REPEAT] = policy->max_repeat == 0 || longest_run <= policy->max_repeat;

  folded = fold (nfc);
  identity_init (&identity, context);

  holds[RULE_NO_LOGIN] = identity.login == NULL ||
                         strstr (folded, identity.login) == NULL;

  holds[RULE_NO_NAME] = TRUE;
  for (guint i = 0; i < identity.names->len; i++)
    if (strstr (folded, identity.names->pdata[i]) != NULL)
      holds[RULE_NO_NAME] = FALSE;

  holds[RULE_NOT_COMMON] = !is_common_folded (folded);

  for (guint i = 0; i < check->n_rules; i++)
    check->rules[i].ok = holds[check->rules[i].kind];

  /* zxcvbn gives a guess count far lower when the password is made of the
   * person's own login or name, whether or not the policy refuses them. */
  user_dict = g_ptr_array_new ();
  if (identity.login != NULL)
    g_ptr_array_add (user_dict, identity.login);
  for (guint i = 0; i < identity.names->len; i++)
    g_ptr_array_add (user_dict, identity.names->pdata[i]);
  g_ptr_array_add (user_dict, NULL);

  check->entropy = ZxcvbnMatch (nfc, (const char **) user_dict->pdata, NULL);
  check->entropy = MAX (check->entropy, 0.0);
  check->score = score_for_entropy (check->entropy);

  return check;
}

VstPasswordCheck *
vst_password_policy_describe (const VstPasswordPolicy *policy)
{
  g_return_val_if_fail (policy != NULL, NULL);

  return check_new (policy);
}

gboolean
vst_password_check_is_ok (const VstPasswordCheck *check)
{
  g_return_val_if_fail (check != NULL, FALSE);

  for (guint i = 0; i < check->n_rules; i++)
    if (!check->rules[i].ok)
      return FALSE;

  return TRUE;
}

guint
vst_password_check_get_n_rules (const VstPasswordCheck *check)
{
  g_return_val_if_fail (check != NULL, 0);

  return check->n_rules;
}

const char *
vst_password_check_get_rule_id (const VstPasswordCheck *check,
                                guint                   i)
{
  g_return_val_if_fail (check != NULL, NULL);
  g_return_val_if_fail (i < check->n_rules, NULL);

  return rule_ids[check->rules[i].kind];
}

gboolean
vst_password_check_get_rule_ok (const VstPasswordCheck *check,
                                guint                   i)
{
  g_return_val_if_fail (check != NULL, FALSE);
  g_return_val_if_fail (i < check->n_rules, FALSE);

  return check->rules[i].ok;
}

const char *
vst_password_check_get_rule_text (const VstPasswordCheck *check,
                                  guint                   i)
{
  g_return_val_if_fail (check != NULL, NULL);
  g_return_val_if_fail (i < check->n_rules, NULL);

  return check->rules[i].text;
}

gboolean
vst_password_check_rule_holds (const VstPasswordCheck *check,
                               const char             *id)
{
  g_return_val_if_fail (check != NULL, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  for (guint i = 0; i < check->n_rules; i++)
    if (g_str_equal (rule_ids[check->rules[i].kind], id))
      return check->rules[i].ok;

  return TRUE;
}

char **
vst_password_check_dup_violations (const VstPasswordCheck *check)
{
  g_autoptr (GStrvBuilder) builder = NULL;

  g_return_val_if_fail (check != NULL, NULL);

  builder = g_strv_builder_new ();
  for (guint i = 0; i < check->n_rules; i++)
    if (!check->rules[i].ok)
      g_strv_builder_add (builder, rule_ids[check->rules[i].kind]);

  return g_strv_builder_end (builder);
}

double
vst_password_check_get_entropy (const VstPasswordCheck *check)
{
  g_return_val_if_fail (check != NULL, 0.0);

  return check->entropy;
}

guint
vst_password_check_get_score (const VstPasswordCheck *check)
{
  g_return_val_if_fail (check != NULL, 0);

  return check->score;
}

void
vst_password_check_free (VstPasswordCheck *check)
{
  if (check == NULL)
    return;

  for (guint i = 0; i < check->n_rules; i++)
    g_free (check->rules[i].text);
  g_free (check);
}

/* Generation */

/* No 0/O, 1/l/I: a generated password may have to be read off a screen and
 * typed on another device. The symbols are on every European keyboard
 * without a dead key. */
static const char alphabet[] =
  "ABCDEFGHJKLMNPQRSTUVWXYZ"
  "abcdefghijkmnopqrstuvwxyz"
  "23456789"
  "!#$%&*+-=?@";

#define ALPHABET_SIZE (sizeof alphabet - 1)

/* Fills @out with @len characters drawn uniformly from the alphabet. */
static gboolean
fill_random (char    *out,
             gsize    len,
             GError **error)
{
  /* The largest multiple of the alphabet's size that fits in a byte: a
   * byte at or above it is drawn again, so that "% ALPHABET_SIZE" favours
   * no character. */
  const guint limit = 256 - 256 % ALPHABET_SIZE;
  guchar pool[64];
  gsize used = sizeof pool;
  gsize filled = 0;

  while (filled < len)
    {
      if (used == sizeof pool)
        {
          if (RAND_bytes (pool, sizeof pool) != 1)
            {
              OPENSSL_cleanse (pool, sizeof pool);
              g_set_error_literal (error, VST_CORE_ERROR, VST_CORE_ERROR_CRYPTO,
                                   _("No random numbers are available"));
              return FALSE;
            }
          used = 0;
        }

      if (pool[used] < limit)
        out[filled++] = alphabet[pool[used] % ALPHABET_SIZE];
      used++;
    }

  OPENSSL_cleanse (pool, sizeof pool);
  return TRUE;
}

char *
vst_password_policy_generate (const VstPasswordPolicy   *policy,
                              const VstPasswordContext  *context,
                              GError                   **error)
{
  gsize len;

  g_return_val_if_fail (policy != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = MAX (GENERATED_LENGTH, policy->min_length);
  len = MIN (len, policy->max_length);

  /* Rather than build a password that has each required class by
   * construction, which would make some positions less random, draw whole
   * passwords until one passes: for any sane policy the first almost
   * always does. */
  for (guint tries = 0; tries < GENERATE_MAX_TRIES; tries++)
    {
      g_autoptr (VstSecret) candidate = g_malloc0 (len + 1);
      g_autoptr (VstPasswordCheck) check = NULL;

      if (!fill_random (candidate, len, error))
        return NULL;

      check = vst_password_policy_check (policy, candidate, context);
      if (vst_password_check_is_ok (check) &&
          vst_password_check_get_score (check) == 4)
        return g_steal_pointer (&candidate);
    }

  g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_ARGUMENT,
               _("No strong password of at most %u characters meets this password policy"),
               policy->max_length);
  return NULL;
}
