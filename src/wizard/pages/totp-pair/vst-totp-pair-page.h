/* vst-totp-pair-page.h: step 2: the QR code and the key to type.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vst-page.h"

G_BEGIN_DECLS

#define VST_TYPE_TOTP_PAIR_PAGE (vst_totp_pair_page_get_type ())

G_DECLARE_FINAL_TYPE (VstTotpPairPage, vst_totp_pair_page, VST, TOTP_PAIR_PAGE, VstPage)

G_END_DECLS
