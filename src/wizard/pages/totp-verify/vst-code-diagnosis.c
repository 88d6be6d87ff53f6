/* vst-code-diagnosis.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "vst-code-diagnosis.h"

VstCodeDiagnosis
vst_code_diagnose (VstOtpKey  *key,
                   const char *code,
                   gint64      server_now,
                   gint64     *out_skew_seconds)
{
  g_autoptr(GError) error = NULL;
  gint64 step = 0;

  g_return_val_if_fail (key != NULL, VST_CODE_WRONG);
  g_return_val_if_fail (code != NULL, VST_CODE_TYPO);

  if (out_skew_seconds != NULL)
    *out_skew_seconds = 0;

  if (vst_otp_key_verify_totp (key, code, server_now,
                               VST_TOTP_WINDOW_BACK, VST_TOTP_WINDOW_AHEAD,
                               -1, &step, &error))
    return VST_CODE_OK;

  if (g_error_matches (error, VST_CORE_ERROR, VST_CORE_ERROR_CODE_MALFORMED))
    return VST_CODE_TYPO;

  g_clear_error (&error);
  if (vst_otp_key_verify_totp (key, code, server_now,
                               VST_CODE_WIDE_WINDOW, VST_CODE_WIDE_WINDOW,
                               -1, &step, &error))
    {
      gint64 current = vst_otp_key_time_step (key, server_now);

      if (out_skew_seconds != NULL)
        *out_skew_seconds = (step - current) * (gint64) vst_otp_key_get_period (key);
      return VST_CODE_CLOCK_SKEW;
    }

  return VST_CODE_WRONG;
}
