/* vst-totp-verify-page.h: step 2: the first code, checked locally then by the server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vst-page.h"

G_BEGIN_DECLS

#define VST_TYPE_TOTP_VERIFY_PAGE (vst_totp_verify_page_get_type ())

G_DECLARE_FINAL_TYPE (VstTotpVerifyPage, vst_totp_verify_page, VST, TOTP_VERIFY_PAGE, VstPage)

G_END_DECLS
