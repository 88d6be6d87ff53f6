/* vst-signin-page.h: "I already have my password": sign in, then resume.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vst-page.h"

G_BEGIN_DECLS

#define VST_TYPE_SIGNIN_PAGE (vst_signin_page_get_type ())

G_DECLARE_FINAL_TYPE (VstSigninPage, vst_signin_page, VST, SIGNIN_PAGE, VstPage)

G_END_DECLS
