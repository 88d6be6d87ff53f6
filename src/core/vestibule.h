/* vestibule.h: the shared core of Vestibule.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything the wizard, the server and the helpdesk CLI must judge the same
 * way: base32 keys, HOTP/TOTP codes, otpauth:// URIs, QR matrices and the
 * password policy. No widgets and no network in here.
 */

#pragma once

#define __VESTIBULE_H_INSIDE__

#include "vst-error.h"
#include "vst-base32.h"
#include "vst-otp.h"
#include "vst-otpauth.h"
#include "vst-qr.h"
#include "vst-password-policy.h"

#undef __VESTIBULE_H_INSIDE__
