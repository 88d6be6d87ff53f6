/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Why not gettext(): the server answers each request in the language of its
 * Accept-Language, while gettext() picks the language from the process-wide
 * LANGUAGE/LC_MESSAGES, so switching per request would race between threads
 * and requests. Instead the compiled catalogue (the same .mo file that
 * po/fr.po builds) is read once at start-up into an immutable hash table,
 * which any thread may read. The strings are still marked N_() in the
 * sources, so xgettext and the translators see them as usual. */

#define G_LOG_DOMAIN "vestibule-server"

#include "config.h"

#include <string.h>

#include "vst-catalog.h"

struct _VstCatalog
{
  GObject parent_instance;

  GBytes *data;
  /* msgid -> msgstr, both pointing into @data. */
  GHashTable *messages;
};

G_DEFINE_FINAL_TYPE (VstCatalog, vst_catalog, G_TYPE_OBJECT)

static void
vst_catalog_finalize (GObject *object)
{
  VstCatalog *self = VST_CATALOG (object);

  g_clear_pointer (&self->messages, g_hash_table_unref);
  g_clear_pointer (&self->data, g_bytes_unref);

  G_OBJECT_CLASS (vst_catalog_parent_class)->finalize (object);
}

static void
vst_catalog_class_init (VstCatalogClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vst_catalog_finalize;
}

static void
vst_catalog_init (VstCatalog *self)
{
  self->messages = g_hash_table_new (g_str_hash, g_str_equal);
}

static guint32
read_u32 (const guint8 *p,
          gboolean      swap)
{
  guint32 v;

  memcpy (&v, p, sizeof v);
  return swap ? GUINT32_SWAP_LE_BE (v) : v;
}

/* GNU MO format: a header of 32-bit words (magic, revision, count, offset of
 * the originals' table, offset of the translations' table), then tables of
 * (length, offset) pairs pointing at NUL-terminated strings. */
static gboolean
parse_mo (VstCatalog  *self,
          const char  *path,
          GError     **error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (self->data, &size);
  gboolean swap;
  guint32 n, orig, trans;

  if (size < 20)
    goto corrupt;
  if (read_u32 (data, FALSE) == 0x950412de)
    swap = FALSE;
  else if (read_u32 (data, TRUE) == 0x950412de)
    swap = TRUE;
  else
    goto corrupt;

  n = read_u32 (data + 8, swap);
  orig = read_u32 (data + 12, swap);
  trans = read_u32 (data + 16, swap);
  if (n > size / 16 || orig > size || trans > size ||
      (gsize) n * 8 > size - orig || (gsize) n * 8 > size - trans)
    goto corrupt;

  for (guint32 i = 0; i < n; i++)
    {
      guint32 olen = read_u32 (data + orig + 8 * i, swap);
      guint32 ooff = read_u32 (data + orig + 8 * i + 4, swap);
      guint32 tlen = read_u32 (data + trans + 8 * i, swap);
      guint32 toff = read_u32 (data + trans + 8 * i + 4, swap);

      if (ooff > size || olen >= size - ooff || data[ooff + olen] != '\0' ||
          toff > size || tlen >= size - toff || data[toff + tlen] != '\0')
        goto corrupt;
      /* The empty msgid is the header; empty translations are untranslated. */
      if (olen == 0 || tlen == 0)
        continue;
      g_hash_table_insert (self->messages, (gpointer) (data + ooff), (gpointer) (data + toff));
    }
  return TRUE;

corrupt:
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s is not a valid message catalogue", path);
  return FALSE;
}

VstCatalog *
vst_catalog_new (const char  *localedir,
                 const char  *domain,
                 const char  *language,
                 GError     **error)
{
  g_autoptr(VstCatalog) self = g_object_new (VST_TYPE_CATALOG, NULL);
  g_autofree char *file = g_strconcat (domain, ".mo", NULL);
  g_autofree char *path = g_build_filename (localedir, language, "LC_MESSAGES", file, NULL);
  g_autoptr(GError) local_error = NULL;
  char *contents;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                        "MESSAGE", "No %s catalogue at %s: messages stay in English",
                        language, path);
      return g_steal_pointer (&self);
    }
  self->data = g_bytes_new_take (contents, length);
  if (!parse_mo (self, path, error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *
vst_catalog_lookup (VstCatalog *self,
                    const char *msgid)
{
  const char *msgstr;

  g_return_val_if_fail (VST_IS_CATALOG (self), msgid);

  msgstr = g_hash_table_lookup (self->messages, msgid);
  return msgstr != NULL ? msgstr : msgid;
}

guint
vst_catalog_get_size (VstCatalog *self)
{
  g_return_val_if_fail (VST_IS_CATALOG (self), 0);
  return g_hash_table_size (self->messages);
}
