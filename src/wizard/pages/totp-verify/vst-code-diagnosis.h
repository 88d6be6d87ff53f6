/* vst-code-diagnosis.h: what is wrong with a typed code (pure, no widgets).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <vestibule.h>

G_BEGIN_DECLS

/* Past the server's window (VST_TOTP_WINDOW_*, from the core), the wide
 * window finds a phone whose clock is up to ten minutes off. */
#define VST_CODE_WIDE_WINDOW  20

typedef enum {
  VST_CODE_OK,          /* the server will accept it: send it */
  VST_CODE_TYPO,        /* wrong length, or not only digits */
  VST_CODE_CLOCK_SKEW,  /* right code, but for a time minutes away */
  VST_CODE_WRONG,       /* a well-formed code that matches nothing near */
} VstCodeDiagnosis;

/* Judges @code at the server's time @server_now. For VST_CODE_CLOCK_SKEW,
 * *out_skew_seconds is how far the phone's clock is ahead (positive) or
 * behind (negative). */
VstCodeDiagnosis vst_code_diagnose (VstOtpKey  *key,
                                    const char *code,
                                    gint64      server_now,
                                    gint64     *out_skew_seconds);

G_END_DECLS
