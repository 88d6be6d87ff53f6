/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#if !defined(__VESTIBULE_H_INSIDE__) && !defined(VESTIBULE_COMPILATION)
# error "Only <vestibule.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* Character classes, combinable as flags for "required" classes. */
typedef enum {
  VST_CHAR_CLASS_UPPER = 1 << 0,
  VST_CHAR_CLASS_LOWER = 1 << 1,
  VST_CHAR_CLASS_DIGIT = 1 << 2,
  VST_CHAR_CLASS_OTHER = 1 << 3,
} VstCharClass;

/* Rule ids, shared by the JSON policy, the server's "violations" and the
 * wizard's checklist. */
#define VST_RULE_MIN_LENGTH     "min-length"
#define VST_RULE_MAX_LENGTH     "max-length"
#define VST_RULE_CLASSES        "classes"
#define VST_RULE_REQUIRE_UPPER  "require-upper"
#define VST_RULE_REQUIRE_LOWER  "require-lower"
#define VST_RULE_REQUIRE_DIGIT  "require-digit"
#define VST_RULE_REQUIRE_OTHER  "require-other"
#define VST_RULE_NO_LOGIN       "no-login"
#define VST_RULE_NO_NAME        "no-name"
#define VST_RULE_NOT_COMMON     "not-common"
#define VST_RULE_MAX_REPEAT     "max-repeat"

/**
 * VstPasswordContext:
 * @login: the account's login (may be NULL)
 * @email: its e-mail address; the local part is checked (may be NULL)
 * @display_name: the person's name; each part of 3+ characters is checked
 *   (may be NULL)
 *
 * Who the password is for: what it must not contain.
 */
typedef struct {
  const char *login;
  const char *email;
  const char *display_name;
} VstPasswordContext;

/**
 * VstPasswordPolicy:
 *
 * An immutable, reference-counted password policy. Safe to share between
 * threads once built.
 */
typedef struct _VstPasswordPolicy VstPasswordPolicy;

/* "default" (10+ characters, 3 of 4 classes, no login or name, not common,
 * no character more than 3 times in a row) or "eu-login" (8+ characters
 * from 3 of 4 groups, not containing the login). */
VstPasswordPolicy *vst_password_policy_new_preset    (const char  *name,
                                                      GError     **error) G_GNUC_WARN_UNUSED_RESULT;
/* The JSON that vst_password_policy_to_json() writes; unknown members are
 * refused so that a typo in a configuration does not weaken the policy.
 * {"preset": "default"} alone names a preset, and members beside it override
 * it. */
VstPasswordPolicy *vst_password_policy_new_from_json (const char  *json,
                                                      gssize       length,
                                                      GError     **error) G_GNUC_WARN_UNUSED_RESULT;
char              *vst_password_policy_to_json       (const VstPasswordPolicy *policy) G_GNUC_WARN_UNUSED_RESULT;
VstPasswordPolicy *vst_password_policy_ref           (VstPasswordPolicy *policy);
void               vst_password_policy_unref         (VstPasswordPolicy *policy);

guint vst_password_policy_get_min_length  (const VstPasswordPolicy *policy);
guint vst_password_policy_get_max_length  (const VstPasswordPolicy *policy);
guint vst_password_policy_get_min_classes (const VstPasswordPolicy *policy);
VstCharClass vst_password_policy_get_required_classes (const VstPasswordPolicy *policy);

/**
 * VstPasswordCheck:
 *
 * The outcome of checking one password: for each rule of the policy, in a
 * stable order, its id, whether it holds and a translated sentence for a
 * checklist ("At least 10 characters"); plus a strength estimate.
 */
typedef struct _VstPasswordCheck VstPasswordCheck;

VstPasswordCheck *vst_password_policy_check (const VstPasswordPolicy  *policy,
                                             const char               *password,
                                             const VstPasswordContext *context) G_GNUC_WARN_UNUSED_RESULT;

gboolean    vst_password_check_is_ok          (const VstPasswordCheck *check);
guint       vst_password_check_get_n_rules    (const VstPasswordCheck *check);
const char *vst_password_check_get_rule_id    (const VstPasswordCheck *check,
                                               guint                   i);
gboolean    vst_password_check_get_rule_ok    (const VstPasswordCheck *check,
                                               guint                   i);
const char *vst_password_check_get_rule_text  (const VstPasswordCheck *check,
                                               guint                   i);
/* Whether the rule @id holds (TRUE for a rule the policy does not have). */
gboolean    vst_password_check_rule_holds     (const VstPasswordCheck *check,
                                               const char             *id);
/* NULL-terminated array of the ids of the rules that fail. */
char      **vst_password_check_dup_violations (const VstPasswordCheck *check) G_GNUC_WARN_UNUSED_RESULT;
/* zxcvbn's estimate: log2 of the guesses an attacker needs, and the 0-4
 * score derived from it the way zxcvbn does (< 10^3, 10^6, 10^8, 10^10). */
double      vst_password_check_get_entropy    (const VstPasswordCheck *check);
guint       vst_password_check_get_score      (const VstPasswordCheck *check);
void        vst_password_check_free           (VstPasswordCheck *check);

/* The rules' sentences without a password, for showing the checklist before
 * anything is typed: same ids and order as a check. */
VstPasswordCheck *vst_password_policy_describe (const VstPasswordPolicy *policy) G_GNUC_WARN_UNUSED_RESULT;

/* A random password (RAND_bytes) that satisfies @policy for @context and has
 * a zxcvbn score of 4: 16 characters by default, or the policy's minimum
 * when larger. Free with vst_secure_free(). */
char *vst_password_policy_generate (const VstPasswordPolicy   *policy,
                                    const VstPasswordContext  *context,
                                    GError                   **error) G_GNUC_WARN_UNUSED_RESULT;

/* Whether @password is in the list of the 30,000 most common passwords
 * (case-insensitive); a hash lookup, not a scan. */
gboolean vst_password_is_common (const char *password);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VstPasswordPolicy, vst_password_policy_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VstPasswordCheck, vst_password_check_free)

G_END_DECLS
