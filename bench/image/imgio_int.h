/*
 * imgio_int.h - what imgio's files share (not for other layers): the PNG (imgio_png.c) and
 * JPEG (imgio_jpeg.c) codecs behind imgio.h, and their checks (imgio_check.c).
 */
#ifndef PB_IMGIO_INT_H
#define PB_IMGIO_INT_H

#include "imgio.h"

#include <stddef.h>
#include <stdio.h>

void imgio_set_err(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* 0 if a w x h picture is within the limits and this machine's memory, else -EFBIG/-ENOMEM
 * with err set. */
int imgio_check_dims(unsigned long long w, unsigned long long h, char *err, size_t len);
int png_decode(const unsigned char *buf, size_t len, struct pb_image *img, char *err,
	       size_t err_len);
int png_encode(FILE *f, const struct pb_image *img, char *err, size_t err_len);
int jpg_decode(const unsigned char *buf, size_t len, struct pb_image *img, char *err,
	       size_t err_len);
int jpg_encode(FILE *f, const struct pb_image *img, char *err, size_t err_len);

#endif
