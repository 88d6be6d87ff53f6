/* vst-password-done-page.h: step 1 done: the password and how long it is valid.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vst-page.h"

G_BEGIN_DECLS

#define VST_TYPE_PASSWORD_DONE_PAGE (vst_password_done_page_get_type ())

G_DECLARE_FINAL_TYPE (VstPasswordDonePage, vst_password_done_page, VST, PASSWORD_DONE_PAGE, VstPage)

G_END_DECLS
