/* bench-cotp.c: libcotp's side of bench-core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * On its own because <cotp.h> defines SHA1, SHA256 and SHA512 as macros,
 * which break OpenSSL's functions of those names: nothing here may include
 * OpenSSL, nor <vestibule.h>.
 */

#include <cotp.h>
#include <stdlib.h>
#include <string.h>

#include "bench-cotp.h"

int
bench_cotp_totp_at (const char *secret_base32,
                    long        unix_time,
                    int         digits,
                    int         period,
                    char       *out_code)
{
  /* libcotp 1.2.8 sets err only on failure, so it starts as VALID. */
  cotp_error_t err = VALID;
  char *code;

  code = get_totp_at (secret_base32, unix_time, digits, period, SHA1, &err);
  if (code == NULL || err != VALID)
    {
      free (code);
      return -1;
    }

  strcpy (out_code, code);
  free (code);

  return 0;
}

int
bench_cotp_verify_totp (const char *secret_base32,
                        const char *code,
                        long        unix_time,
                        int         digits,
                        int         period,
                        int         window_back,
                        int         window_ahead)
{
  /* libcotp has no verification at a given time (totp_verify() only
   * knows the clock's now and one step), so a server would do this: the
   * current step first, then the ones around it, as liboath does, stopping
   * at the first match. Each get_totp_at() decodes the base32 secret and
   * keys a new HMAC: that is libcotp's cost, and it is measured. */
  int reach = window_back > window_ahead ? window_back : window_ahead;

  for (int i = 0; i <= 2 * reach; i++)
    {
      /* 0, -1, +1, -2, +2... within the window. */
      int offset = (i + 1) / 2 * (i % 2 == 1 ? -1 : 1);
      cotp_error_t err = VALID;
      char *candidate;
      int match;

      if (offset < -window_back || offset > window_ahead)
        continue;

      candidate = get_totp_at (secret_base32, unix_time + (long) offset * period,
                               digits, period, SHA1, &err);
      if (candidate == NULL || err != VALID)
        {
          free (candidate);
          return -1;
        }

      match = strcmp (candidate, code) == 0;
      free (candidate);
      if (match)
        return 1;
    }

  return 0;
}
