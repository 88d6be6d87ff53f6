/* bench-cotp.h: libcotp's side of bench-core, behind plain C types
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

/* Every function takes an UNPADDED base32 secret (see bench-cotp.c), SHA-1,
 * and returns -1 when libcotp reports an error. */

/* Writes the code at @unix_time into @out_code (at least 9 bytes); 0 on
 * success. */
int bench_cotp_totp_at (const char *secret_base32,
                        long        unix_time,
                        int         digits,
                        int         period,
                        char       *out_code);

/* 1 if @code matches a step in [now - @window_back, now + @window_ahead],
 * 0 if none: a code computed with get_totp_at() and compared per step. */
int bench_cotp_verify_totp (const char *secret_base32,
                            const char *code,
                            long        unix_time,
                            int         digits,
                            int         period,
                            int         window_back,
                            int         window_ahead);
