/* vst-totp-done-page.h: step 2 done: two-factor authentication is on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vst-page.h"

G_BEGIN_DECLS

#define VST_TYPE_TOTP_DONE_PAGE (vst_totp_done_page_get_type ())

G_DECLARE_FINAL_TYPE (VstTotpDonePage, vst_totp_done_page, VST, TOTP_DONE_PAGE, VstPage)

G_END_DECLS
