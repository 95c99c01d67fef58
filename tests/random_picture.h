/*
 * random_picture.h - test pictures: xorshift noise with runs of 0 and 255 (so that clamping
 * is exercised), the same sequence in every test that includes it.
 */
#ifndef PB_RANDOM_PICTURE_H
#define PB_RANDOM_PICTURE_H

#include <stddef.h>
#include <stdint.h>

static uint64_t rng = 0x1234567;

static inline uint8_t rnd8(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint8_t)(rng >> 24);
}

/* Noise with runs of 0 and 255, so that clamping is exercised. */
static inline void random_picture(uint8_t *px, size_t bytes)
{
	for (size_t i = 0; i < bytes; i++) {
		uint8_t v = rnd8();

		px[i] = v < 40 ? 0 : v > 215 ? 255 : rnd8();
	}
}

#endif
