/* vst-totp-app-page.h: step 2: choose the authenticator app.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vst-page.h"

G_BEGIN_DECLS

#define VST_TYPE_TOTP_APP_PAGE (vst_totp_app_page_get_type ())

G_DECLARE_FINAL_TYPE (VstTotpAppPage, vst_totp_app_page, VST, TOTP_APP_PAGE, VstPage)

G_END_DECLS
