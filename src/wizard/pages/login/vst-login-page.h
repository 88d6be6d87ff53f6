/* vst-login-page.h: step 1: the login, then "send me a reset link".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vst-page.h"

G_BEGIN_DECLS

#define VST_TYPE_LOGIN_PAGE (vst_login_page_get_type ())

G_DECLARE_FINAL_TYPE (VstLoginPage, vst_login_page, VST, LOGIN_PAGE, VstPage)

G_END_DECLS
