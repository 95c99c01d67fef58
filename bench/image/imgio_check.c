/*
 * imgio_check.c - what the codecs (imgio_png.c, imgio_jpeg.c) and the file side (imgio.c)
 * share: a picture's size checked against the limits and the memory this machine has, before
 * any pixel buffer exists, and the one-line error.
 */
#include "imgio_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

void imgio_set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

unsigned long long imgio_mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	unsigned long long kib = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			break;
	fclose(f);
	return kib * 1024;
}

unsigned long long imgio_max_pixels = PB_IMAGE_MAX_PIXELS;

/* Size checks before any pixel buffer exists. */
int imgio_check_dims(unsigned long long w, unsigned long long h, char *err, size_t len)
{
	unsigned long long need, avail = imgio_mem_available();

	if (pb_image_check_size(w, h) || w * h > imgio_max_pixels) {
		imgio_set_err(err, len, "image is %llux%llu: beyond the limit of %u pixels per side and "
			"%llu pixels", w, h, PB_IMAGE_MAX_SIDE, PB_IMAGE_MAX_PIXELS);
		return -ERANGE;
	}
	/* the decoded picture, and a filter's input, output and reference copies */
	need = 4 * (unsigned long long)pb_image_bytes((uint32_t)w, (uint32_t)h);
	if (avail && need > avail) {
		imgio_set_err(err, len, "image is %llux%llu: filtering it needs %llu MiB, only %llu MiB "
			"of memory available", w, h, need >> 20, avail >> 20);
		return -ENOMEM;
	}
	return 0;
}
