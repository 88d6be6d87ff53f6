/* vst-password-page.h: step 1: the new password, checked live against the policy.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vst-page.h"

G_BEGIN_DECLS

#define VST_TYPE_PASSWORD_PAGE (vst_password_page_get_type ())

G_DECLARE_FINAL_TYPE (VstPasswordPage, vst_password_page, VST, PASSWORD_PAGE, VstPage)

G_END_DECLS
