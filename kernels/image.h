/*
 * image.h - 8-bit RGB images for the filter kernels: the layout, a synthetic photo, buffers
 * that worker processes can write, and the row checksum that filter partials carry.
 *
 * Layout: rows top to bottom, each row w pixels of R, G, B bytes, no padding (stride 3 w).
 * Nothing here reads or writes files (bench/image/imgio.c does).
 */
#ifndef PB_IMAGE_H
#define PB_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define PB_IMAGE_MAX_SIDE   65535u         /* pixels per side */
#define PB_IMAGE_MAX_PIXELS (1ull << 28)   /* 268 M pixels: 768 MiB per RGB buffer */

struct pb_image {
	uint32_t w, h;
	uint8_t *px;   /* 3 w h bytes */
};

static inline size_t pb_image_bytes(uint32_t w, uint32_t h)
{
	return (size_t)w * h * 3;
}

/* 0 if w x h is a sane size, else -ERANGE. */
int pb_image_check_size(uint64_t w, uint64_t h);

/*
 * Page-aligned pixel buffers.  shared: MAP_SHARED, so that writes by forked worker processes
 * are seen by the parent (filter outputs); else private (inputs, copied on write by forks).
 * NULL on failure; free with pb_buffer_free(p, same bytes).
 */
uint8_t *pb_buffer_alloc(size_t bytes, int shared);
void pb_buffer_free(uint8_t *p, size_t bytes);

/* A deterministic photo-like picture: sky and ground gradients, hard-edged shapes, a sine
 * texture and per-pixel noise, so that filters meet flat areas, edges and clipping. */
void pb_image_synthetic(uint8_t *px, uint32_t w, uint32_t h, uint64_t seed);

/* The checksum of one output row, position-dependent (a swapped byte or row changes it);
 * a range's check is the sum of its rows' (mod 2^64), so ranges combine in any grouping. */
uint64_t pb_row_check(const uint8_t *row, size_t len, uint64_t y);

#endif
