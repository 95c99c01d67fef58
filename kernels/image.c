/*
 * image.c - image buffers, the synthetic photo, the row checksum.
 */
#include "image.h"

#include "hot.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

int pb_image_check_size(uint64_t w, uint64_t h)
{
	if (w == 0 || h == 0 || w > PB_IMAGE_MAX_SIDE || h > PB_IMAGE_MAX_SIDE ||
	    w * h > PB_IMAGE_MAX_PIXELS)
		return -ERANGE;
	return 0;
}

uint8_t *pb_buffer_alloc(size_t bytes, int shared)
{
	void *p = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE,
		       (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	/* fewer page faults on first touch, and cheaper forks of a parent holding images */
	if (!shared)
		(void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
	return p;
}

void pb_buffer_free(uint8_t *p, size_t bytes)
{
	if (p)
		munmap(p, bytes ? bytes : 1);
}

static uint64_t mix64(uint64_t x)
{
	/* splitmix64's finaliser */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint8_t clamp8(int v)
{
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

void pb_image_synthetic(uint8_t *px, uint32_t w, uint32_t h, uint64_t seed)
{
	for (uint32_t y = 0; y < h; y++) {
		uint8_t *row = px + (size_t)y * w * 3;
		/* the horizon at 3/5 of the height */
		int sky = (uint64_t)y * 5 < (uint64_t)h * 3;
		int gy = (int)((uint64_t)y * 255 / (h > 1 ? h - 1 : 1));

		for (uint32_t x = 0; x < w; x++) {
			int gx = (int)((uint64_t)x * 255 / (w > 1 ? w - 1 : 1));
			uint64_t r = mix64(seed ^ ((uint64_t)y << 32 | x));
			int noise = (int)(r & 31) - 16;
			int c[3];

			if (sky) {
				c[0] = 90 + gy / 3;
				c[1] = 140 + gy / 4;
				c[2] = 250 - gy / 5;
			} else {
				/* fields: a texture of stripes whose period depends on x */
				int stripe = ((x / (8 + x / 512)) + y / 16) & 1;

				c[0] = 60 + gx / 4 + stripe * 40;
				c[1] = 120 - gy / 4 + stripe * 30;
				c[2] = 40 + stripe * 10;
			}
			/* a sun and a house: hard edges and saturated colours */
			uint64_t dx = x > w / 4 ? x - w / 4 : w / 4 - x;
			uint64_t dy = y > h / 5 ? y - h / 5 : h / 5 - y;
			uint64_t rad = (uint64_t)(w < h ? w : h) / 10;

			if (dx * dx + dy * dy <= rad * rad) {
				c[0] = 255;
				c[1] = 230;
				c[2] = 60;
			}
			if (x > w / 2 && x < w / 2 + w / 5 && (uint64_t)y * 2 > h && y < h - h / 6) {
				c[0] = 200 - (int)(x & 7) * 8;
				c[1] = 40;
				c[2] = 30;
			}
			for (int k = 0; k < 3; k++)
				row[3 * x + k] = clamp8(c[k] + noise + (int)((r >> (8 + 8 * k)) & 7));
		}
	}
}

uint64_t pb_row_check(const uint8_t *row, size_t len, uint64_t y)
{
	/* word j is xored with a position key before adding (hot.c): reordered words change
	 * the sum; the last len % 8 bytes are folded in apart */
	uint64_t acc = hot()->row_words(row, len), tail = 0;

	for (size_t i = len - len % 8; i < len; i++)
		tail = tail << 8 | row[i];
	return mix64(acc ^ mix64(tail + (y << 20) + len));
}
