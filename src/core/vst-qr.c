/* vst-qr.c: QR code matrices, crisp renderings and greyscale PNG files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <qrencode.h>
#include <string.h>
#include <zlib.h>

#include "vst-error.h"
#include "vst-qr.h"

/* Past 64 pixels a module, the image of the largest symbol (177 modules)
 * would be over 11,000 pixels a side: no screen or printer needs that. */
#define VST_QR_MAX_SCALE 64

#define GREY_DARK  0x00
#define GREY_LIGHT 0xff

struct _VstQrCode
{
  guint size;
  /* size * size bytes, row by row: 1 for a dark module, 0 for a light one. */
  guint8 modules[];
};

static void
set_too_long_error (gsize    len,
                    GError **error)
{
  g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_QR,
               /* Translators: %zu is a number of bytes. */
               _("The text is too long for a QR code (%zu bytes)."),
               len);
}

VstQrCode *
vst_qr_code_new (const char  *text,
                 GError     **error)
{
  QRcode *encoded;
  VstQrCode *qr;
  gsize len;
  guint size;
  int saved_errno;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = strlen (text);

  /* libqrencode refuses an empty input with a bare EINVAL; say what is
   * wrong instead. */
  if (len == 0)
    {
      g_set_error_literal (error, VST_CORE_ERROR, VST_CORE_ERROR_QR,
                           _("There is no text to put in the QR code."));
      return NULL;
    }

  /* No QR code holds more than 2,953 bytes, so this only keeps the
   * length within the int that libqrencode takes. */
  if (len > G_MAXINT)
    {
      set_too_long_error (len, error);
      return NULL;
    }

  /* 8-bit mode keeps the text byte for byte, whatever it holds: lower
   * case, '%' escapes, UTF-8. QRcode_encodeString() hunts for numeric and
   * alphanumeric runs instead and, unless told to keep the case, folds the
   * text to upper case, which would change an otpauth:// label. Version 0
   * lets libqrencode pick the smallest symbol that fits; level M survives
   * about 15% damage, enough for a screen, and keeps the symbol small. */
  errno = 0;
  encoded = QRcode_encodeData ((int) len, (const unsigned char *) text, 0, QR_ECLEVEL_M);
  saved_errno = errno;

  if (encoded == NULL)
    {
      switch (saved_errno)
        {
        case ERANGE:
          set_too_long_error (len, error);
          break;

        case ENOMEM:
          g_set_error_literal (error, VST_CORE_ERROR, VST_CORE_ERROR_QR,
                               _("There is not enough memory to make the QR code."));
          break;

        default:
          g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_QR,
                       /* Translators: %s says why, from the system. */
                       _("The text cannot be encoded as a QR code: %s"),
                       g_strerror (saved_errno != 0 ? saved_errno : EINVAL));
          break;
        }
      return NULL;
    }

  size = (guint) encoded->width;
  qr = g_malloc (sizeof (VstQrCode) + (gsize) size * size);
  qr->size = size;

  /* Each libqrencode byte also says which part of the symbol the module
   * belongs to (finder, timing, data...); only bit 0, dark or light,
   * matters to anyone drawing it. */
  for (gsize i = 0; i < (gsize) size * size; i++)
    qr->modules[i] = encoded->data[i] & 1;

  QRcode_free (encoded);

  return qr;
}

void
vst_qr_code_free (VstQrCode *qr)
{
  g_free (qr);
}

guint
vst_qr_code_get_size (const VstQrCode *qr)
{
  g_return_val_if_fail (qr != NULL, 0);

  return qr->size;
}

gboolean
vst_qr_code_get_module (const VstQrCode *qr,
                        guint            x,
                        guint            y)
{
  g_return_val_if_fail (qr != NULL, FALSE);
  g_return_val_if_fail (x < qr->size, FALSE);
  g_return_val_if_fail (y < qr->size, FALSE);

  return qr->modules[(gsize) y * qr->size + x] != 0;
}

guint
vst_qr_code_get_pixel_size (const VstQrCode *qr,
                            guint            scale)
{
  g_return_val_if_fail (qr != NULL, 0);

  return (qr->size + 2 * VST_QR_QUIET_ZONE) * scale;
}

guint
vst_qr_code_scale_for (const VstQrCode *qr,
                       guint            max_pixels)
{
  guint scale;

  g_return_val_if_fail (qr != NULL, 1);

  scale = max_pixels / (qr->size + 2 * VST_QR_QUIET_ZONE);

  /* Too small a space still gets an image, if one that overflows it: a
   * QR code cannot be drawn with less than a pixel a module. Above the
   * largest scale that vst_qr_code_render() takes, that one fits too, so
   * the answer can always be rendered. */
  return CLAMP (scale, 1, VST_QR_MAX_SCALE);
}

/* The image as a newly allocated buffer of pixel_size rows of
 * pixel_size * bytes_per_pixel bytes, once the scale is known valid. */
static guint8 *
render_pixels (const VstQrCode *qr,
               guint            scale,
               VstQrFormat      format,
               gsize           *out_stride,
               gsize           *out_len)
{
  static const guint8 rgba_dark[4] = { 0x00, 0x00, 0x00, 0xff };
  gsize bpp;
  gsize side;
  gsize stride;
  gsize border;
  guint8 *pixels;

  g_assert (qr != NULL);
  g_assert (scale >= 1 && scale <= VST_QR_MAX_SCALE);
  g_assert (format == VST_QR_FORMAT_GREY8 || format == VST_QR_FORMAT_RGBA8);

  bpp = format == VST_QR_FORMAT_RGBA8 ? 4 : 1;
  side = vst_qr_code_get_pixel_size (qr, scale);
  stride = side * bpp;
  border = (gsize) VST_QR_QUIET_ZONE * scale;

  /* All light to begin with, the quiet zone included: 0xff is light grey
   * as well as opaque white in R, G, B, A order. */
  pixels = g_malloc (stride * side);
  memset (pixels, GREY_LIGHT, stride * side);

  for (guint y = 0; y < qr->size; y++)
    {
      guint8 *row = pixels + (border + (gsize) y * scale) * stride;

      /* Draw the first pixel row of this module row, then copy it down,
       * so every module is the same scale x scale square. */
      for (guint x = 0; x < qr->size; x++)
        {
          guint8 *p;

          if (!qr->modules[(gsize) y * qr->size + x])
            continue;

          p = row + (border + (gsize) x * scale) * bpp;
          if (format == VST_QR_FORMAT_GREY8)
            {
              memset (p, GREY_DARK, scale);
            }
          else
            {
              for (guint i = 0; i < scale; i++)
                memcpy (p + i * 4, rgba_dark, 4);
            }
        }

      for (guint i = 1; i < scale; i++)
        memcpy (row + i * stride, row, stride);
    }

  *out_stride = stride;
  *out_len = stride * side;

  return pixels;
}

static gboolean
check_scale (guint    scale,
             GError **error)
{
  if (scale < 1 || scale > VST_QR_MAX_SCALE)
    {
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_ARGUMENT,
                   /* Translators: %u is the scale asked for, %d the largest. */
                   _("A QR code is drawn at 1 to %d pixels a module, not %u."),
                   VST_QR_MAX_SCALE, scale);
      return FALSE;
    }

  return TRUE;
}

GBytes *
vst_qr_code_render (const VstQrCode *qr,
                    guint            scale,
                    VstQrFormat      format,
                    gsize           *out_stride,
                    GError         **error)
{
  guint8 *pixels;
  gsize stride;
  gsize len;

  g_return_val_if_fail (qr != NULL, NULL);
  g_return_val_if_fail (format == VST_QR_FORMAT_GREY8 || format == VST_QR_FORMAT_RGBA8, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_scale (scale, error))
    return NULL;

  pixels = render_pixels (qr, scale, format, &stride, &len);

  if (out_stride != NULL)
    *out_stride = stride;

  return g_bytes_new_take (pixels, len);
}

/* PNG (ISO/IEC 15948) needs no more than this for a greyscale image: the
 * signature, then chunks of a big-endian length, a four-letter type, the
 * data and a CRC-32 of the type and the data. */

static void
write_be32 (guint8  *p,
            guint32  value)
{
  p[0] = (value >> 24) & 0xff;
  p[1] = (value >> 16) & 0xff;
  p[2] = (value >> 8) & 0xff;
  p[3] = value & 0xff;
}

static void
append_be32 (GByteArray *png,
             guint32     value)
{
  guint8 be[4];

  write_be32 (be, value);
  g_byte_array_append (png, be, 4);
}

static void
append_chunk (GByteArray   *png,
              const char   *type,
              const guint8 *data,
              gsize         len)
{
  uLong crc;

  g_assert (strlen (type) == 4);
  /* The caller has checked that the chunk fits PNG's 2^31 - 1 limit. */
  g_assert (len <= G_MAXINT32);

  append_be32 (png, (guint32) len);
  g_byte_array_append (png, (const guint8 *) type, 4);
  if (len > 0)
    g_byte_array_append (png, data, (guint) len);

  crc = crc32 (0L, Z_NULL, 0);
  crc = crc32 (crc, (const Bytef *) type, 4);
  if (len > 0)
    crc = crc32 (crc, data, (uInt) len);
  append_be32 (png, (guint32) crc);
}

GBytes *
vst_qr_code_to_png (const VstQrCode *qr,
                    guint            scale,
                    GError         **error)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  g_autofree guint8 *pixels = NULL;
  g_autofree guint8 *scanlines = NULL;
  g_autofree guint8 *deflated = NULL;
  GByteArray *png;
  guint8 ihdr[13];
  gsize stride;
  gsize len;
  gsize side;
  gsize scanlines_len;
  uLongf deflated_len;
  int zret;

  g_return_val_if_fail (qr != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_scale (scale, error))
    return NULL;

  pixels = render_pixels (qr, scale, VST_QR_FORMAT_GREY8, &stride, &len);
  side = vst_qr_code_get_pixel_size (qr, scale);

  /* Each scanline starts with its filter type; 0 (None) is always valid,
   * and deflate already shrinks long runs of equal bytes very well. */
  scanlines_len = (stride + 1) * side;
  scanlines = g_malloc (scanlines_len);
  for (gsize y = 0; y < side; y++)
    {
      scanlines[y * (stride + 1)] = 0;
      memcpy (scanlines + y * (stride + 1) + 1, pixels + y * stride, stride);
    }

  /* compress2() writes the zlib stream (header, deflate data, Adler-32)
   * that IDAT holds, in one go. */
  deflated_len = compressBound (scanlines_len);
  deflated = g_malloc (deflated_len);
  zret = compress2 (deflated, &deflated_len, scanlines, scanlines_len, Z_BEST_COMPRESSION);
  if (zret != Z_OK)
    {
      g_set_error (error, VST_CORE_ERROR, VST_CORE_ERROR_IO,
                   /* Translators: %s says why, from zlib. */
                   _("Could not compress the QR code image: %s"),
                   zError (zret));
      return NULL;
    }

  /* Even the largest symbol at the largest scale compresses to a few
   * hundred kilobytes, far from the limit of a chunk. */
  if (deflated_len > G_MAXINT32)
    {
      g_set_error_literal (error, VST_CORE_ERROR, VST_CORE_ERROR_IO,
                           _("The QR code image is too large for a PNG file."));
      return NULL;
    }

  /* Width, height, bit depth 8, colour type 0 (greyscale), compression 0
   * (deflate), filter method 0, no interlace. */
  write_be32 (ihdr, (guint32) side);
  write_be32 (ihdr + 4, (guint32) side);
  ihdr[8] = 8;
  ihdr[9] = 0;
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;

  png = g_byte_array_sized_new ((guint) (sizeof signature + 3 * 12 + sizeof ihdr + deflated_len));
  g_byte_array_append (png, signature, sizeof signature);
  append_chunk (png, "IHDR", ihdr, sizeof ihdr);
  append_chunk (png, "IDAT", deflated, deflated_len);
  append_chunk (png, "IEND", NULL, 0);

  return g_byte_array_free_to_bytes (png);
}

gboolean
vst_qr_code_write_png (const VstQrCode *qr,
                       guint            scale,
                       const char      *path,
                       GError         **error)
{
  g_autoptr (GBytes) png = NULL;
  g_autoptr (GError) local_error = NULL;
  gconstpointer data;
  gsize len;

  g_return_val_if_fail (qr != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  png = vst_qr_code_to_png (qr, scale, error);
  if (png == NULL)
    return FALSE;

  data = g_bytes_get_data (png, &len);

  /* Written to a temporary file and renamed, so that a reader never sees
   * half an image; 0644 like any picture a user saves. */
  if (!g_file_set_contents_full (path, data, (gssize) len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                 &local_error))
    {
      /* GLib's message already names the file and says why. */
      g_set_error_literal (error, VST_CORE_ERROR, VST_CORE_ERROR_IO,
                           local_error->message);
      return FALSE;
    }

  return TRUE;
}
