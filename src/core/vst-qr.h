/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#if !defined(__VESTIBULE_H_INSIDE__) && !defined(VESTIBULE_COMPILATION)
# error "Only <vestibule.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

#define VST_QR_QUIET_ZONE 4  /* modules of white around the symbol (ISO 18004) */

typedef enum {
  VST_QR_FORMAT_GREY8,  /* one byte a pixel: 0x00 dark, 0xff light */
  VST_QR_FORMAT_RGBA8,  /* four bytes a pixel, opaque black on opaque white */
} VstQrFormat;

/**
 * VstQrCode:
 *
 * The module matrix of a QR code (libqrencode, 8-bit mode, error
 * correction level M), without the quiet zone.
 */
typedef struct _VstQrCode VstQrCode;

VstQrCode *vst_qr_code_new        (const char *text,
                                   GError    **error) G_GNUC_WARN_UNUSED_RESULT;
void       vst_qr_code_free       (VstQrCode  *qr);
/* Modules per side, without the quiet zone. */
guint      vst_qr_code_get_size   (const VstQrCode *qr);
gboolean   vst_qr_code_get_module (const VstQrCode *qr,
                                   guint            x,
                                   guint            y);

/* Pixels per side of the rendered image: (size + 2 * quiet zone) * scale. */
guint      vst_qr_code_get_pixel_size (const VstQrCode *qr,
                                       guint            scale);
/* The largest whole scale whose image fits in @max_pixels (at least 1). */
guint      vst_qr_code_scale_for      (const VstQrCode *qr,
                                       guint            max_pixels);

/* Renders at a whole @scale (1-64) with the quiet zone, so every module is
 * exactly scale x scale pixels: crisp without any smoothing. Rows are
 * tightly packed; *out_stride is the bytes per row. */
GBytes    *vst_qr_code_render     (const VstQrCode *qr,
                                   guint            scale,
                                   VstQrFormat      format,
                                   gsize           *out_stride,
                                   GError         **error) G_GNUC_WARN_UNUSED_RESULT;

/* Writes a greyscale PNG at @scale. */
gboolean   vst_qr_code_write_png  (const VstQrCode *qr,
                                   guint            scale,
                                   const char      *path,
                                   GError         **error);
/* The same PNG in memory. */
GBytes    *vst_qr_code_to_png     (const VstQrCode *qr,
                                   guint            scale,
                                   GError         **error) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VstQrCode, vst_qr_code_free)

G_END_DECLS
