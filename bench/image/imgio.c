/*
 * imgio.c - picture files to and from 8-bit RGB (see imgio.h for the conversions): the
 * file side (read whole, format by content or extension, written whole); the codecs are
 * imgio_png.c and imgio_jpeg.c, the checks they share imgio_check.c.
 */
#include "imgio_int.h"
#include "outfile.h"
#include "untrusted.h"

#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void imgio_free(struct pb_image *img)
{
	free(img->px);
	memset(img, 0, sizeof(*img));
}

int imgio_decode(const unsigned char *buf, size_t len, struct pb_image *img, char *err,
		 size_t err_len)
{
	static const unsigned char png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

	memset(img, 0, sizeof(*img));
	if (len == 0) {
		imgio_set_err(err, err_len, "file is empty");
		return -EINVAL;
	}
	if (len >= 8 && memcmp(buf, png_sig, 8) == 0)
		return png_decode(buf, len, img, err, err_len);
	if (len >= 3 && buf[0] == 0xff && buf[1] == 0xd8 && buf[2] == 0xff)
		return jpg_decode(buf, len, img, err, err_len);
	imgio_set_err(err, err_len, "not a PNG or JPEG file");
	return -EINVAL;
}

int imgio_load(const char *path, struct pb_image *img, char *err, size_t err_len)
{
	long long size = 0;
	/* a FIFO, a device or a directory is refused before the open could wait or a read never
	 * end */
	FILE *f = pb_fopen_regular(path, (long long)IMGIO_MAX_FILE, &size);
	unsigned char *buf;
	size_t got;
	int rc;

	memset(img, 0, sizeof(*img));
	if (!f && errno == EINVAL) {
		imgio_set_err(err, err_len, "%s: not a regular file", path);
		return -EINVAL;
	}
	if (!f && errno == EFBIG) {
		imgio_set_err(err, err_len, "%s: file of %lld bytes is beyond the limit of %llu", path,
			      size, IMGIO_MAX_FILE);
		return -ERANGE;
	}
	if (!f) {
		rc = -errno;
		imgio_set_err(err, err_len, "%s: %s", path, strerror(-rc));
		return rc;
	}
	buf = malloc(size ? (size_t)size : 1);
	if (!buf) {
		fclose(f);
		imgio_set_err(err, err_len, "%s: out of memory reading it", path);
		return -ENOMEM;
	}
	got = fread(buf, 1, (size_t)size, f);
	fclose(f);
	if (got != (size_t)size) {
		free(buf);
		imgio_set_err(err, err_len, "%s: read error", path);
		return -EIO;
	}
	char why[256] = "";

	rc = imgio_decode(buf, got, img, why, sizeof(why));
	free(buf);
	if (rc)
		imgio_set_err(err, err_len, "%s: %s", path, why);
	return rc;
}

enum fmt { FMT_NONE, FMT_PNG, FMT_JPEG };

static enum fmt format_of(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (!dot || strchr(dot, '/'))
		return FMT_NONE;
	if (strcasecmp(dot, ".png") == 0)
		return FMT_PNG;
	if (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0)
		return FMT_JPEG;
	return FMT_NONE;
}

int imgio_format_ok(const char *path)
{
	return format_of(path) == FMT_NONE ? -ENOTSUP : 0;
}

int imgio_encode(struct outfile *o, const char *path, const struct pb_image *img, char *err,
		 size_t err_len)
{
	enum fmt fmt = format_of(path);
	char dir[4096], why[256] = "";
	const char *slash = strrchr(path, '/');
	int rc;

	if (fmt == FMT_NONE) {
		imgio_set_err(err, err_len, "%s: unknown output format (use .png, .jpg or .jpeg)", path);
		return -ENOTSUP;
	}
	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		snprintf(dir, sizeof(dir), ".");
	rc = outfile_open(o, slash == path ? "/" : dir, slash ? slash + 1 : path);
	if (rc) {
		imgio_set_err(err, err_len, "%s: %s", path, strerror(-rc));
		return rc;
	}
	rc = fmt == FMT_PNG ? png_encode(o->f, img, why, sizeof(why))
			    : jpg_encode(o->f, img, why, sizeof(why));
	errno = 0;
	if (!rc && (fflush(o->f) != 0 || ferror(o->f))) {
		rc = -(errno ? errno : EIO);
		snprintf(why, sizeof(why), "%s", strerror(-rc));
	}
	if (rc) {
		outfile_abort(o);
		imgio_set_err(err, err_len, "%s: %s", path, why);
	}
	return rc;
}

int imgio_save(const char *path, const struct pb_image *img, char *err, size_t err_len)
{
	struct outfile o;
	int rc = imgio_encode(&o, path, img, err, err_len);

	if (rc)
		return rc;
	rc = outfile_commit(&o);
	if (rc)
		imgio_set_err(err, err_len, "%s: %s", path, strerror(-rc));
	return rc;
}
