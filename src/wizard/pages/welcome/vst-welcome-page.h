/* vst-welcome-page.h: what is needed, the three steps, the language.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vst-page.h"

G_BEGIN_DECLS

#define VST_TYPE_WELCOME_PAGE (vst_welcome_page_get_type ())

G_DECLARE_FINAL_TYPE (VstWelcomePage, vst_welcome_page, VST, WELCOME_PAGE, VstPage)

G_END_DECLS
