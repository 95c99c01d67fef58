/*
 * imgio.h - reading and writing PNG (libpng) and JPEG (libjpeg-turbo) as 8-bit RGB.
 *
 * Inputs are recognised by their first bytes, not their names.  Conversions to 8-bit RGB:
 * gray becomes R = G = B; palette entries are expanded; 16-bit samples are scaled to 8 bits
 * (libpng's png_set_scale_16: v * 255 / 65535, rounded); an alpha channel is dropped, the
 * colour values kept as stored (not composited); interlaced PNGs are de-interlaced; JPEG
 * gray and YCbCr are converted by libjpeg, CMYK JPEGs are refused.  A JPEG that libjpeg
 * would only warn about (truncated, corrupt data) is refused too: a benchmark on a half
 * grey picture would be a lie.
 *
 * Outputs follow the file name's extension (.png, .jpg, .jpeg; JPEG quality 95) and are
 * written whole: a temporary file beside the target, renamed over it when complete.
 * Errors come back as -errno with one line in err: -ENOENT/-EACCES (cannot open), -EINVAL
 * (empty, truncated, corrupt or not an image), -ENOTSUP (a format or variant not handled),
 * -ERANGE (dimensions beyond PB_IMAGE_MAX_*), -ENOMEM (more memory than the machine has).
 */
#ifndef PB_IMGIO_H
#define PB_IMGIO_H

#include <stddef.h>

#include "image.h"

#define IMGIO_MAX_FILE (1ull << 30) /* bytes of an input file */

/* Pixels a decoded picture may have (PB_IMAGE_MAX_PIXELS; the fuzzer lowers it). */
extern unsigned long long imgio_max_pixels;

/* Decodes a PNG or JPEG held in memory into *img (px from malloc). 0 or -errno. */
int imgio_decode(const unsigned char *buf, size_t len, struct pb_image *img, char *err,
		 size_t err_len);
/* Reads and decodes a file. 0 or -errno. */
int imgio_load(const char *path, struct pb_image *img, char *err, size_t err_len);
/* Encodes into path, format from its extension. 0 or -errno (nothing left at path). */
int imgio_save(const char *path, const struct pb_image *img, char *err, size_t err_len);
/* Encodes path's picture into a new temporary file beside it (outfile.h), written and
 * flushed but not in place: outfile_commit(o) puts it there, outfile_abort(o) removes it
 * (so that a batch is renamed into place only once every file is written).  0 or -errno
 * (nothing left). */
struct outfile;
int imgio_encode(struct outfile *o, const char *path, const struct pb_image *img, char *err,
		 size_t err_len);
/* 0 if path's extension names a format imgio_save writes, else -ENOTSUP. */
int imgio_format_ok(const char *path);
void imgio_free(struct pb_image *img);

/* Bytes of memory available to allocate now (MemAvailable), or 0 if unknown. */
unsigned long long imgio_mem_available(void);

#endif
