/*
 * fuzz_image.c - libFuzzer target for the image loaders (bench/image/imgio.c: PNG through libpng,
 * JPEG through libjpeg-turbo): any input must give a picture or a clean error, never a
 * crash, a leak or undefined behaviour.  Pictures are capped at 4 M pixels here so that a
 * hostile header cannot make every run allocate gigabytes.
 */
#include <stddef.h>
#include <stdint.h>

#include "imgio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pb_image img;
	char err[256];

	imgio_max_pixels = 1u << 22;
	if (imgio_decode(data, size, &img, err, sizeof(err)) == 0) {
		/* touch every pixel: a short decode would show as uninitialised or out of bounds */
		unsigned sum = 0;

		for (size_t i = 0; i < pb_image_bytes(img.w, img.h); i++)
			sum += img.px[i];
		__asm__ volatile("" : : "r"(sum)); /* keep the loop */
		imgio_free(&img);
	}
	return 0;
}
