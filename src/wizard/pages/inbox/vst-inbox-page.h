/* vst-inbox-page.h: step 1: "check your personal inbox", paste the link or code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vst-page.h"

G_BEGIN_DECLS

#define VST_TYPE_INBOX_PAGE (vst_inbox_page_get_type ())

G_DECLARE_FINAL_TYPE (VstInboxPage, vst_inbox_page, VST, INBOX_PAGE, VstPage)

G_END_DECLS
