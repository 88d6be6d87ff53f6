/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sends structured logs to the journal when stderr is connected to it,
 * else writes one line per record to stderr: level, message and every
 * VST_* field as key=value. Info records are shown (they are the service's
 * audit trail); debug ones only with G_MESSAGES_DEBUG. Callers never put a
 * secret in a field. */
void vst_log_install_writer (void);

G_END_DECLS
