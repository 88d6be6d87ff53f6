/* vst-space-page.h: step 3: open the collaborative space.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vst-page.h"

G_BEGIN_DECLS

#define VST_TYPE_SPACE_PAGE (vst_space_page_get_type ())

G_DECLARE_FINAL_TYPE (VstSpacePage, vst_space_page, VST, SPACE_PAGE, VstPage)

G_END_DECLS
