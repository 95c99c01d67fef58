/*
 * test_twins.c PYTHON TWINS_PY - the Python twins of the kernels (kernels/python/twins.py),
 * run by the real interpreter, against the C kernels' references: sums exact (across 2^32
 * too), range sums per task range, io_wait's index sums, and every filter bit for bit on odd
 * picture sizes, whole and for a range of rows.
 */
#include "image.h"
#include "kernel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;
static const char *python, *twins;
static char workdir[] = "/tmp/pb-twins-XXXXXX"; /* the pictures passed to the twins: a folder
						  * of this test's own (mkdtemp) */

#define CHECK(cond, ...)                                                                      \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                       \
			fprintf(stderr, __VA_ARGS__);                                         \
			fputc('\n', stderr);                                                  \
			failures++;                                                           \
		}                                                                             \
	} while (0)

/* The twin's printed result for args, as an exact integer; 0 with *ok = 0 on failure. */
static pb_u128 twin_number(const char *args, int *ok)
{
	char cmd[1024], line[128];
	pb_u128 v = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "'%s' '%s' %s", python, twins, args);
	p = popen(cmd, "r");
	*ok = p && fgets(line, sizeof(line), p) && line[0] >= '0' && line[0] <= '9';
	for (const char *c = line; *ok && *c >= '0' && *c <= '9'; c++)
		v = v * 10 + (pb_u128)(*c - '0');
	if (p && pclose(p) != 0)
		*ok = 0;
	return v;
}

static pb_u128 c_reference(const char *name, const struct kernel_params *kp, size_t b, size_t e)
{
	const struct kernel *k = kernel_find(name);
	struct kernel_instance ki;
	struct partial p = { 0 };

	if (!k || kernel_instance_init(&ki, k, kp) != 0)
		return (pb_u128)-1;
	k->reference(ki.priv, b, e, &p);
	kernel_instance_fini(&ki);
	return p.sum;
}

static void check_sums(void)
{
	static const unsigned long long sq[][2] = { { 0, 1000 }, { 123, 4567 },
						    { 4294967290ull, 4294967300ull } };
	char args[128];
	int ok;

	for (size_t i = 0; i < sizeof(sq) / sizeof(sq[0]); i++) {
		struct kernel_params kp = { .size = sq[i][1] + 1 };

		snprintf(args, sizeof(args), "sum_squares %llu %llu", sq[i][0], sq[i][1]);
		pb_u128 py = twin_number(args, &ok);

		CHECK(ok && py == c_reference("sum_squares", &kp, sq[i][0], sq[i][1]), "%s", args);
	}
	for (unsigned b = 0; b < 16; b += 5) {
		struct kernel_params kp = { .size = 1000, .tasks = 16 };

		snprintf(args, sizeof(args), "range_sum 1000 16 %u %u", b, b + 7 > 16 ? 16 : b + 7);
		pb_u128 py = twin_number(args, &ok);

		CHECK(ok && py == c_reference("range_sum", &kp, b, b + 7 > 16 ? 16 : b + 7), "%s", args);
	}
	struct kernel_params kp = { .size = 9, .sleep_us = 100 };
	pb_u128 py = twin_number("io_wait 2 7 100", &ok);

	CHECK(ok && py == c_reference("io_wait", &kp, 2, 7), "io_wait 2 7 100");
}

/* One filter on a w x h noise picture: the twin's rows [b, e) against the C kernel's. */
static void check_filter(const char *name, uint32_t w, uint32_t h, uint32_t b, uint32_t e)
{
	const struct kernel *k = kernel_find(name);
	size_t bytes = pb_image_bytes(w, h), row = 3 * (size_t)w;
	struct pb_image img = { w, h, malloc(bytes) };
	struct kernel_params kp = { .image = &img };
	struct kernel_instance ki;
	struct partial p = { 0 };
	char in[128], out[128], cmd[1024];
	uint8_t *got = malloc(bytes);
	FILE *f;

	snprintf(in, sizeof(in), "%s/in", workdir);
	snprintf(out, sizeof(out), "%s/out", workdir);
	for (size_t i = 0; img.px && i < bytes; i++)
		img.px[i] = (uint8_t)(i * 2654435761u >> 13) < 30 ? 0 : (uint8_t)(i * 40503u >> 7);
	if (!img.px || !got || !k || kernel_instance_init(&ki, k, &kp) != 0) {
		CHECK(0, "%s %ux%u: set-up", name, w, h);
		free(img.px);
		free(got);
		return;
	}
	k->run(ki.priv, 0, h, &p);
	CHECK(k->verify(ki.priv, &p) == 0, "%s %ux%u: the C kernel itself", name, w, h);
	f = fopen(in, "wb");
	CHECK(f && fwrite(img.px, 1, bytes, f) == bytes && fclose(f) == 0, "write %s", in);
	snprintf(cmd, sizeof(cmd), "'%s' '%s' %s %u %u %s %s %u %u", python, twins, name, w, h, in,
		 out, b, e);
	CHECK(system(cmd) == 0, "%s", cmd);
	f = fopen(out, "rb");
	size_t n = f ? fread(got, 1, bytes, f) : 0;

	if (f)
		fclose(f);
	CHECK(n == row * (e - b) && memcmp(got, ki.shape.out + row * b, n) == 0,
	      "%s %ux%u rows %u..%u: the twin's picture differs from the C kernel's", name, w, h,
	      b, e);
	unlink(in);
	unlink(out);
	kernel_instance_fini(&ki);
	free(img.px);
	free(got);
}

int main(int argc, char **argv)
{
	static const uint32_t sizes[][2] = { { 1, 1 }, { 9, 1 }, { 1, 9 }, { 17, 5 }, { 13, 7 } };
	static const char *const filters[] = { "grayscale", "sepia", "box_blur", "sharpen" };

	if (argc != 3 || access(argv[1], X_OK) != 0 || access(argv[2], R_OK) != 0) {
		fprintf(stderr, "usage: test_twins PYTHON TWINS_PY\n");
		return 2;
	}
	python = argv[1];
	twins = argv[2];
	if (!mkdtemp(workdir)) {
		perror("test_twins: mkdtemp");
		return 1;
	}
	check_sums();
	for (size_t f = 0; f < 4; f++)
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			check_filter(filters[f], sizes[s][0], sizes[s][1], 0, sizes[s][1]);
			if (sizes[s][1] >= 3)
				check_filter(filters[f], sizes[s][0], sizes[s][1], 1, sizes[s][1] - 1);
		}
	rmdir(workdir);
	printf("twins: %s\n", failures ? "FAILED" : "every twin matches the C references");
	return failures ? 1 : 0;
}
