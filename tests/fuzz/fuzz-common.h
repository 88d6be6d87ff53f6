/* SPDX-License-Identifier: GPL-3.0-or-later */

/* What every libFuzzer target of Vestibule shares: the entry points, a
 * NUL-terminated copy of the input, and warnings made fatal so that a
 * g_return_if_fail() counts as a crash. */

#pragma once

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Criticals and warnings abort(), which libFuzzer catches (GLib's own
 * fatal path raises SIGTRAP, which it does not); the rest is dropped. */
static inline GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
      abort ();
    }
  return G_LOG_WRITER_HANDLED;
}

static inline void
fuzz_init (void)
{
  g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
}

/* @data as a C string: cut at the first NUL, as a caller in C would. */
static inline char *
fuzz_strndup (const uint8_t *data,
              size_t         size)
{
  return g_strndup ((const char *) data, size);
}

/* Aborts, so that libFuzzer records the input, when @cond does not hold. */
#define fuzz_assert(cond) \
  G_STMT_START { if (!(cond)) { g_printerr ("%s:%d: %s\n", __FILE__, __LINE__, #cond); abort (); } } G_STMT_END
