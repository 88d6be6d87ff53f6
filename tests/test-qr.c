/* test-qr.c: the QR module, down to the pixels and back through zbarimg
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <vestibule.h>

/* What the wizard shows for an account of the Council of Europe. */
#define URI_ASCII \
  "otpauth://totp/Council%20of%20Europe:jean.dupont%40example.org" \
  "?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Council%20of%20Europe"

/* Percent-encoded UTF-8 (é is %C3%A9) and every parameter off its default. */
#define URI_NON_DEFAULT \
  "otpauth://totp/Universit%C3%A9%20de%20Gen%C3%A8ve:h%C3%A9l%C3%A8ne.l%C3%A9vy%40example.org" \
  "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Universit%C3%A9%20de%20Gen%C3%A8ve" \
  "&algorithm=SHA256&digits=8&period=60"

static VstQrCode *
qr_new (const char *text)
{
  g_autoptr (GError) error = NULL;
  VstQrCode *qr;

  qr = vst_qr_code_new (text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (qr);

  return qr;
}

static char *
text_of_length (gsize len)
{
  char *text = g_malloc (len + 1);

  /* Lower case, so that only 8-bit mode can hold it. */
  for (gsize i = 0; i < len; i++)
    text[i] = 'a' + (i % 26);
  text[len] = '\0';

  return text;
}

static void
test_size (void)
{
  /* Version 1 at level M holds 14 bytes in 8-bit mode, version 40 holds
   * 2,331: the boundaries of libqrencode's automatic version. */
  static const struct {
    gsize len;
    guint size;
  } cases[] = {
    { 1, 21 },
    { 14, 21 },
    { 15, 25 },
    { 100, 0 },
    { 500, 0 },
    { 1000, 0 },
    { 2331, 177 },
  };
  g_autoptr (VstQrCode) hello = qr_new ("hello");
  guint previous = 0;

  g_assert_cmpuint (vst_qr_code_get_size (hello), ==, 21);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = text_of_length (cases[i].len);
      g_autoptr (VstQrCode) qr = qr_new (text);
      guint size = vst_qr_code_get_size (qr);

      g_test_message ("%zu bytes: %u modules", cases[i].len, size);

      /* 17 + 4 * version, version 1 to 40. */
      g_assert_cmpuint (size, >=, 21);
      g_assert_cmpuint (size, <=, 177);
      g_assert_cmpuint ((size - 17) % 4, ==, 0);
      if (cases[i].size != 0)
        g_assert_cmpuint (size, ==, cases[i].size);
      g_assert_cmpuint (size, >=, previous);
      /* Past the capacity of version 1, every longer text needs a larger
       * symbol. */
      if (i > 0 && cases[i - 1].len >= 14)
        g_assert_cmpuint (size, >, previous);
      previous = size;
    }
}

static void
assert_finder (const VstQrCode *qr,
               guint            x0,
               guint            y0)
{
  /* 7 x 7: a dark ring, a light ring, a dark 3 x 3 centre. */
  for (guint dy = 0; dy < 7; dy++)
    for (guint dx = 0; dx < 7; dx++)
      {
        gboolean ring = dx == 0 || dx == 6 || dy == 0 || dy == 6;
        gboolean centre = dx >= 2 && dx <= 4 && dy >= 2 && dy <= 4;

        g_assert_cmpint (vst_qr_code_get_module (qr, x0 + dx, y0 + dy), ==, ring || centre);
      }
}

static void
test_finder_patterns (void)
{
  g_autoptr (VstQrCode) qr = qr_new (URI_ASCII);
  guint size = vst_qr_code_get_size (qr);

  g_assert_true (vst_qr_code_get_module (qr, 0, 0));
  g_assert_true (vst_qr_code_get_module (qr, size - 1, 0));
  g_assert_true (vst_qr_code_get_module (qr, 0, size - 1));
  /* The fourth corner has no finder: it belongs to the data. */

  assert_finder (qr, 0, 0);
  assert_finder (qr, size - 7, 0);
  assert_finder (qr, 0, size - 7);

  /* The light separators inside the symbol, next to each finder. */
  for (guint i = 0; i < 8; i++)
    {
      g_assert_false (vst_qr_code_get_module (qr, 7, i));
      g_assert_false (vst_qr_code_get_module (qr, i, 7));
      g_assert_false (vst_qr_code_get_module (qr, size - 8, i));
      g_assert_false (vst_qr_code_get_module (qr, size - 1 - i, 7));
      g_assert_false (vst_qr_code_get_module (qr, 7, size - 1 - i));
      g_assert_false (vst_qr_code_get_module (qr, i, size - 8));
    }
}

static void
test_module_out_of_range (void)
{
  g_autoptr (VstQrCode) qr = qr_new ("hello");

  g_test_expect_message ("Vestibule", G_LOG_LEVEL_CRITICAL, "*x < qr->size*");
  g_assert_false (vst_qr_code_get_module (qr, 21, 0));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Vestibule", G_LOG_LEVEL_CRITICAL, "*y < qr->size*");
  g_assert_false (vst_qr_code_get_module (qr, 0, 21));
  g_test_assert_expected_messages ();
}

static gsize
bytes_per_pixel (VstQrFormat format)
{
  return format == VST_QR_FORMAT_RGBA8 ? 4 : 1;
}

/* Whether the pixel at @p is dark, asserting it is exactly one of the two
 * colours of its format. */
static gboolean
pixel_is_dark (const guint8 *p,
               VstQrFormat   format)
{
  if (format == VST_QR_FORMAT_GREY8)
    {
      g_assert_true (p[0] == 0x00 || p[0] == 0xff);
      return p[0] == 0x00;
    }

  g_assert_cmpuint (p[3], ==, 0xff);
  g_assert_true ((p[0] == 0x00 && p[1] == 0x00 && p[2] == 0x00) ||
                 (p[0] == 0xff && p[1] == 0xff && p[2] == 0xff));
  return p[0] == 0x00;
}

static GBytes *
render (const VstQrCode *qr,
        guint            scale,
        VstQrFormat      format,
        gsize           *out_stride)
{
  g_autoptr (GError) error = NULL;
  GBytes *pixels;
  guint side = vst_qr_code_get_pixel_size (qr, scale);

  pixels = vst_qr_code_render (qr, scale, format, out_stride, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pixels);

  g_assert_cmpuint (side, ==, (vst_qr_code_get_size (qr) + 2 * VST_QR_QUIET_ZONE) * scale);
  g_assert_cmpuint (*out_stride, ==, side * bytes_per_pixel (format));
  g_assert_cmpuint (g_bytes_get_size (pixels), ==, *out_stride * side);

  return pixels;
}

static const VstQrFormat formats[] = { VST_QR_FORMAT_GREY8, VST_QR_FORMAT_RGBA8 };
static const guint scales[] = { 1, 2, 3, 4, 7 };

static void
test_render_quiet_zone (void)
{
  static const guint quiet_scales[] = { 1, 2, 3, 4, 7, 64 };
  g_autoptr (VstQrCode) qr = qr_new (URI_ASCII);

  for (gsize f = 0; f < G_N_ELEMENTS (formats); f++)
    for (gsize s = 0; s < G_N_ELEMENTS (quiet_scales); s++)
      {
        g_autoptr (GBytes) pixels = NULL;
        const guint8 *data;
        guint scale = quiet_scales[s];
        guint side = vst_qr_code_get_pixel_size (qr, scale);
        guint border = VST_QR_QUIET_ZONE * scale;
        gsize bpp = bytes_per_pixel (formats[f]);
        gsize stride;

        pixels = render (qr, scale, formats[f], &stride);
        data = g_bytes_get_data (pixels, NULL);

        for (guint y = 0; y < side; y++)
          for (guint x = 0; x < side; x++)
            {
              if (x >= border && x < side - border && y >= border && y < side - border)
                continue;
              g_assert_false (pixel_is_dark (data + y * stride + x * bpp, formats[f]));
            }
      }
}

static void
test_render_modules (void)
{
  g_autoptr (VstQrCode) qr = qr_new (URI_NON_DEFAULT);
  guint size = vst_qr_code_get_size (qr);

  for (gsize f = 0; f < G_N_ELEMENTS (formats); f++)
    for (gsize s = 0; s < G_N_ELEMENTS (scales); s++)
      {
        g_autoptr (GBytes) pixels = NULL;
        const guint8 *data;
        guint scale = scales[s];
        guint border = VST_QR_QUIET_ZONE * scale;
        gsize bpp = bytes_per_pixel (formats[f]);
        gsize stride;

        pixels = render (qr, scale, formats[f], &stride);
        data = g_bytes_get_data (pixels, NULL);

        /* Every module is a square of scale x scale identical pixels, of
         * the module's colour. */
        for (guint my = 0; my < size; my++)
          for (guint mx = 0; mx < size; mx++)
            {
              gboolean dark = vst_qr_code_get_module (qr, mx, my);
              const guint8 *first = data + (border + my * scale) * stride + (border + mx * scale) * bpp;

              g_assert_cmpint (pixel_is_dark (first, formats[f]), ==, dark);
              for (guint dy = 0; dy < scale; dy++)
                for (guint dx = 0; dx < scale; dx++)
                  g_assert_cmpmem (first + dy * stride + dx * bpp, bpp, first, bpp);
            }
      }
}

static void
test_render_rgba (void)
{
  g_autoptr (VstQrCode) qr = qr_new (URI_ASCII);
  g_autoptr (GBytes) pixels = NULL;
  static const guint8 black[4] = { 0x00, 0x00, 0x00, 0xff };
  static const guint8 white[4] = { 0xff, 0xff, 0xff, 0xff };
  const guint8 *data;
  gsize len;
  gsize stride;
  guint scale = 3;
  guint corner = VST_QR_QUIET_ZONE * scale;

  pixels = render (qr, scale, VST_QR_FORMAT_RGBA8, &stride);
  data = g_bytes_get_data (pixels, &len);

  /* Opaque everywhere, so that a dark theme never shows through. */
  for (gsize i = 3; i < len; i += 4)
    g_assert_cmpuint (data[i], ==, 0xff);

  /* R, G, B, A byte order, as GDK_MEMORY_R8G8B8A8 reads it. */
  g_assert_cmpmem (data, 4, white, 4);
  g_assert_cmpmem (data + corner * stride + corner * 4, 4, black, 4);
}

static void
test_render_invalid_scale (void)
{
  g_autoptr (VstQrCode) qr = qr_new ("hello");
  static const guint bad[] = { 0, 65, 1000 };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) pixels = NULL;
      g_autoptr (GBytes) png = NULL;
      gsize stride = 0;

      pixels = vst_qr_code_render (qr, bad[i], VST_QR_FORMAT_GREY8, &stride, &error);
      g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_ARGUMENT);
      g_assert_null (pixels);
      g_clear_error (&error);

      png = vst_qr_code_to_png (qr, bad[i], &error);
      g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_ARGUMENT);
      g_assert_null (png);
    }
}

static void
test_scale_for (void)
{
  g_autoptr (VstQrCode) qr = qr_new ("hello");

  /* 21 modules and 2 x 4 of quiet zone: 29 pixels at scale 1. */
  g_assert_cmpuint (vst_qr_code_get_pixel_size (qr, 1), ==, 29);
  g_assert_cmpuint (vst_qr_code_get_pixel_size (qr, 8), ==, 232);

  g_assert_cmpuint (vst_qr_code_scale_for (qr, 0), ==, 1);
  g_assert_cmpuint (vst_qr_code_scale_for (qr, 28), ==, 1);
  g_assert_cmpuint (vst_qr_code_scale_for (qr, 29), ==, 1);
  g_assert_cmpuint (vst_qr_code_scale_for (qr, 57), ==, 1);
  g_assert_cmpuint (vst_qr_code_scale_for (qr, 58), ==, 2);
  g_assert_cmpuint (vst_qr_code_scale_for (qr, 240), ==, 8);
  g_assert_cmpuint (vst_qr_code_scale_for (qr, 29 * 64), ==, 64);
  /* Never past what vst_qr_code_render() draws. */
  g_assert_cmpuint (vst_qr_code_scale_for (qr, G_MAXUINT), ==, 64);

  for (guint max = 29; max < 29 * 64; max++)
    {
      guint scale = vst_qr_code_scale_for (qr, max);

      g_assert_cmpuint (vst_qr_code_get_pixel_size (qr, scale), <=, max);
      g_assert_cmpuint (vst_qr_code_get_pixel_size (qr, scale + 1), >, max);
    }
}

static void
test_error_empty (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VstQrCode) qr = NULL;

  qr = vst_qr_code_new ("", &error);
  g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_QR);
  g_assert_null (qr);
  g_assert_cmpstr (error->message, !=, "");
}

static void
test_error_too_long (void)
{
  static const gsize lengths[] = { 2332, 8000 };

  for (gsize i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      g_autofree char *text = text_of_length (lengths[i]);
      g_autoptr (GError) error = NULL;
      g_autoptr (VstQrCode) qr = NULL;

      qr = vst_qr_code_new (text, &error);
      g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_QR);
      g_assert_null (qr);
      g_test_message ("%zu bytes: %s", lengths[i], error->message);
    }
}

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* A CRC-32 of our own, bit by bit, so that the check does not trust the
 * zlib that wrote the file. */
static guint32
crc32_of (const guint8 *type,
          const guint8 *data,
          gsize         len)
{
  guint32 crc = 0xffffffff;

  for (gsize i = 0; i < 4 + len; i++)
    {
      crc ^= i < 4 ? type[i] : data[i - 4];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xedb88320 & (0u - (crc & 1)));
    }

  return crc ^ 0xffffffff;
}

static GBytes *
to_png (const VstQrCode *qr,
        guint            scale)
{
  g_autoptr (GError) error = NULL;
  GBytes *png;

  png = vst_qr_code_to_png (qr, scale, &error);
  g_assert_no_error (error);
  g_assert_nonnull (png);

  return png;
}

static void
test_png_header (void)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  g_autoptr (VstQrCode) qr = qr_new (URI_ASCII);
  g_autoptr (GBytes) png = to_png (qr, 4);
  const guint8 *data;
  gsize len;
  guint side = vst_qr_code_get_pixel_size (qr, 4);

  data = g_bytes_get_data (png, &len);

  g_assert_cmpuint (len, >, 8 + 25 + 12 + 12);
  g_assert_cmpmem (data, 8, signature, 8);

  /* IHDR comes first: 13 bytes of width, height, depth 8, colour type 0
   * (greyscale), then compression, filter and interlace all 0. */
  g_assert_cmpuint (read_be32 (data + 8), ==, 13);
  g_assert_cmpmem (data + 12, 4, "IHDR", 4);
  g_assert_cmpuint (read_be32 (data + 16), ==, side);
  g_assert_cmpuint (read_be32 (data + 20), ==, side);
  g_assert_cmpuint (data[24], ==, 8);
  g_assert_cmpuint (data[25], ==, 0);
  g_assert_cmpuint (data[26], ==, 0);
  g_assert_cmpuint (data[27], ==, 0);
  g_assert_cmpuint (data[28], ==, 0);
  g_assert_cmpuint (read_be32 (data + 29), ==, crc32_of (data + 12, data + 16, 13));

  /* IEND last, empty, with the CRC of its name alone. */
  g_assert_cmpmem (data + len - 12, 12, "\0\0\0\0IEND\xae\x42\x60\x82", 12);
}

/* Decodes the PNG by hand: every chunk's CRC, the IDAT zlib stream
 * inflated by GIO's zlib decompressor, filter byte 0 on every scanline,
 * and the pixels equal to the greyscale rendering. */
static void
test_png_pixels (void)
{
  g_autoptr (VstQrCode) qr = qr_new (URI_NON_DEFAULT);
  g_autoptr (GBytes) png = to_png (qr, 2);
  g_autoptr (GBytes) grey = NULL;
  g_autoptr (GByteArray) idat = g_byte_array_new ();
  g_autoptr (GZlibDecompressor) decompressor = NULL;
  g_autoptr (GInputStream) memory = NULL;
  g_autoptr (GInputStream) inflating = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *raw = NULL;
  const guint8 *data;
  const guint8 *pixels;
  gsize len;
  gsize pos = 8;
  gsize stride;
  gsize raw_len;
  gsize n_read = 0;
  guint side = vst_qr_code_get_pixel_size (qr, 2);
  gboolean seen_iend = FALSE;

  data = g_bytes_get_data (png, &len);

  while (pos < len)
    {
      guint32 chunk_len;
      const guint8 *type;

      g_assert_false (seen_iend);
      g_assert_cmpuint (pos + 12, <=, len);
      chunk_len = read_be32 (data + pos);
      type = data + pos + 4;
      g_assert_cmpuint (pos + 12 + chunk_len, <=, len);
      g_assert_cmpuint (read_be32 (data + pos + 8 + chunk_len), ==,
                        crc32_of (type, data + pos + 8, chunk_len));

      if (memcmp (type, "IDAT", 4) == 0)
        g_byte_array_append (idat, data + pos + 8, chunk_len);
      else if (memcmp (type, "IEND", 4) == 0)
        seen_iend = TRUE;
      else
        g_assert_cmpmem (type, 4, "IHDR", 4);

      pos += 12 + chunk_len;
    }
  g_assert_true (seen_iend);
  g_assert_cmpuint (pos, ==, len);
  g_assert_cmpuint (idat->len, >, 0);

  memory = g_memory_input_stream_new_from_data (idat->data, idat->len, NULL);
  decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB);
  inflating = g_converter_input_stream_new (memory, G_CONVERTER (decompressor));

  /* One byte more than expected, to notice trailing data. */
  raw_len = (gsize) (side + 1) * side;
  raw = g_malloc (raw_len + 1);
  g_input_stream_read_all (inflating, raw, raw_len + 1, &n_read, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_read, ==, raw_len);

  grey = render (qr, 2, VST_QR_FORMAT_GREY8, &stride);
  pixels = g_bytes_get_data (grey, NULL);
  g_assert_cmpuint (stride, ==, side);

  for (guint y = 0; y < side; y++)
    {
      g_assert_cmpuint (raw[y * (side + 1)], ==, 0);
      g_assert_cmpmem (raw + y * (side + 1) + 1, side, pixels + y * stride, side);
    }
}

static char *
make_tmp_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir;

  dir = g_dir_make_tmp ("vst-test-qr-XXXXXX", &error);
  g_assert_no_error (error);

  return dir;
}

/* What zbarimg reads in @path, without its trailing newline; NULL, and
 * the test failed, without zbarimg. */
static char *
zbar_decode (const char *path)
{
  const char *zbarimg = g_getenv ("ZBARIMG");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  const char *argv[] = { zbarimg, "--raw", "--nodbus", "-q", path, NULL };
  int status = 0;
  gsize len;

  /* A missing decoder must not pass for a skipped test: the round trip is
   * the only proof that phones will read what we draw. */
  if (zbarimg == NULL || *zbarimg == '\0')
    {
      g_test_fail_printf ("zbarimg was not found: install zbar-tools "
                          "and set $ZBARIMG (meson test does)");
      return NULL;
    }

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  if (err != NULL && *err != '\0')
    g_test_message ("zbarimg: %s", err);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);

  len = strlen (out);
  g_assert_cmpuint (len, >, 0);
  g_assert_cmpint (out[len - 1], ==, '\n');
  out[len - 1] = '\0';

  return g_steal_pointer (&out);
}

static void
assert_round_trip (const char *uri,
                   guint       scale)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "qr.png", NULL);
  g_autofree char *decoded = NULL;
  g_autoptr (VstQrCode) qr = qr_new (uri);
  g_autoptr (GError) error = NULL;

  g_assert_true (vst_qr_code_write_png (qr, scale, path, &error));
  g_assert_no_error (error);

  decoded = zbar_decode (path);
  if (decoded != NULL)
    g_assert_cmpstr (decoded, ==, uri);

  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_round_trip_ascii (void)
{
  assert_round_trip (URI_ASCII, 4);
}

static void
test_round_trip_non_default (void)
{
  assert_round_trip (URI_NON_DEFAULT, 4);
}

/* The longest text that fits, in the largest symbol, still scans. */
static void
test_round_trip_largest (void)
{
  g_autofree char *text = text_of_length (2331);

  assert_round_trip (text, 2);
}

static void
test_write_png_file (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "qr.png", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (VstQrCode) qr = qr_new (URI_ASCII);
  g_autoptr (GBytes) png = to_png (qr, 3);
  g_autoptr (GError) error = NULL;
  GStatBuf st;
  gsize len;
  mode_t mask;

  g_assert_true (vst_qr_code_write_png (qr, 3, path, &error));
  g_assert_no_error (error);

  /* The same bytes as in memory, readable by everyone like any picture. */
  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (contents, len, g_bytes_get_data (png, NULL), g_bytes_get_size (png));

  mask = umask (0);
  umask (mask);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0644 & ~mask);

  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_write_png_error (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "no-such-folder", "qr.png", NULL);
  g_autoptr (VstQrCode) qr = qr_new ("hello");
  g_autoptr (GError) error = NULL;

  g_assert_false (vst_qr_code_write_png (qr, 4, path, &error));
  g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_IO);
  /* GLib's message, which names the file. */
  g_assert_nonnull (strstr (error->message, "no-such-folder"));
  g_clear_error (&error);

  g_assert_false (vst_qr_code_write_png (qr, 0, path, &error));
  g_assert_error (error, VST_CORE_ERROR, VST_CORE_ERROR_INVALID_ARGUMENT);

  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/qr/size", test_size);
  g_test_add_func ("/core/qr/finder-patterns", test_finder_patterns);
  g_test_add_func ("/core/qr/module-out-of-range", test_module_out_of_range);
  g_test_add_func ("/core/qr/render/quiet-zone", test_render_quiet_zone);
  g_test_add_func ("/core/qr/render/modules", test_render_modules);
  g_test_add_func ("/core/qr/render/rgba", test_render_rgba);
  g_test_add_func ("/core/qr/render/invalid-scale", test_render_invalid_scale);
  g_test_add_func ("/core/qr/scale-for", test_scale_for);
  g_test_add_func ("/core/qr/error/empty", test_error_empty);
  g_test_add_func ("/core/qr/error/too-long", test_error_too_long);
  g_test_add_func ("/core/qr/png/header", test_png_header);
  g_test_add_func ("/core/qr/png/pixels", test_png_pixels);
  g_test_add_func ("/core/qr/png/write", test_write_png_file);
  g_test_add_func ("/core/qr/png/write-error", test_write_png_error);
  g_test_add_func ("/core/qr/zbarimg/ascii", test_round_trip_ascii);
  g_test_add_func ("/core/qr/zbarimg/non-default", test_round_trip_non_default);
  g_test_add_func ("/core/qr/zbarimg/largest", test_round_trip_largest);

  return g_test_run ();
}
