/*
 * calibrate.c - the probe behind calibrate.h: serial runs of growing size until one takes
 * CALIB_PROBE_S, then, after CALIB_WARM_S of untimed runs, the median of CALIB_RUNS runs
 * gives the size for the target by proportion (the timed_size kernels' time is linear in
 * their size).
 */
#include "calibrate.h"
#include "clock.h"
#include "outfile.h"
#include "stats.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

double calib_serial_run(const struct kernel_instance *ki)
{
	struct partial total = { 0 };
	double t0 = pb_mono_s(), t;

	ki->k->run(ki->priv, 0, ki->shape.n, &total);
	t = pb_mono_s() - t0;
	return ki->k->verify(ki->priv, &total) == 0 ? t : -1;
}

/* The median of `runs` (at most 15) verified serial runs of k at size, in seconds, after
 * untimed ones until warm_s has passed; -errno on error. */
static int probe(const struct kernel *k, const struct kernel_params *kp, uint64_t size,
		 int runs, double warm_s, double *median)
{
	double t[15], until = pb_mono_s() + warm_s;
	struct kernel_instance ki;
	struct kernel_params p = *kp;
	int rc;

	p.size = size;
	p.image = NULL;
	rc = kernel_instance_init(&ki, k, &p);
	if (rc)
		return rc;
	runs = runs < 1 ? 1 : runs > 15 ? 15 : runs;
	for (int i = 0; i < runs && rc == 0; i++) {
		double t0 = pb_mono_s();

		t[i] = calib_serial_run(&ki);
		if (t[i] < 0)
			rc = -EDOM;
		if (t0 < until)
			i--; /* still warming up */
	}
	kernel_instance_fini(&ki);
	*median = stats_median(t, (size_t)runs);
	return rc;
}

uint64_t calib_round(double x, unsigned multiple)
{
	double mag = pow(10, floor(log10(x)) - 1);
	uint64_t r = x < 10 ? (uint64_t)(x + 0.5) : (uint64_t)(floor(x / mag + 0.5) * mag);

	if (multiple > 1 && r < 1000ull * multiple) /* few items: an even split for every count */
		r = ((uint64_t)(x + multiple / 2.0) / multiple) * multiple;
	return r < multiple ? multiple : r ? r : 1;
}

int calib_keeps(uint64_t old, double off, unsigned multiple)
{
	return old && off <= CALIB_KEEP && off >= 1 / CALIB_KEEP &&
	       (old >= 1000ull * multiple || old % multiple == 0);
}

/* The sizes file for reading, or NULL: only a regular file of this user's, not through a
 * link, of a sane size, since it sits beside --out, which may be a shared folder (/tmp): a
 * FIFO planted there would block the run, another user's file would choose its sizes. */
static FILE *open_kept(const char *path)
{
	struct stat st;
	int fd = path ? open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) : -1;
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_size > (1 << 20) || !(f = fdopen(fd, "r"))) {
		close(fd);
		return NULL;
	}
	return f;
}

uint64_t calib_kept_size(const char *path, const char *key, const char *name)
{
	char line[1024], k[512], n[64];
	unsigned long long size;
	uint64_t found = 0;
	FILE *f = open_kept(path);

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%511[^\t]\t%63[^\t]\t%llu", k, n, &size) == 3 &&
		    strcmp(k, key) == 0 && strcmp(n, name) == 0)
			found = size;
	fclose(f);
	return found;
}

void calib_keep_sizes(const char *path, const char *key, const struct calibration *c)
{
	char tmp[4200], line[1024];
	FILE *in, *out;
	int fd;

	/* a new file of an unpredictable name: the folder may be shared (/tmp) */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp))
		return;
	fd = mkstemp(tmp);
	if (fd < 0)
		return;
	out = fchmod(fd, 0666 & ~outfile_umask()) == 0 ? fdopen(fd, "w") : NULL;
	if (!out) {
		close(fd);
		unlink(tmp);
		return;
	}
	in = open_kept(path);
	while (in && fgets(line, sizeof(line), in)) {
		size_t kl = strlen(key);

		if (!(strncmp(line, key, kl) == 0 && line[kl] == '\t'))
			fputs(line, out);
	}
	if (in)
		fclose(in);
	for (size_t i = 0; i < c->n; i++)
		fprintf(out, "%s\t%s\t%llu\n", key, c->e[i].k->name,
			(unsigned long long)c->e[i].size);
	if (fclose(out) != 0 || rename(tmp, path) != 0)
		remove(tmp);
}

static int calibrate_one(struct calib_entry *e, const struct kernel *k,
			 const struct kernel_params *kp, double target_s, unsigned multiple,
			 const char *keep_path, const char *key)
{
	struct kernel_instance ki;
	struct kernel_params q = *kp;
	double t = 0;
	uint64_t size;
	int rc;

	q.size = 0;
	q.quick = 1;
	q.image = NULL;
	rc = kernel_instance_init(&ki, k, &q); /* start from a tenth of the quick default */
	if (rc)
		return rc;
	size = ki.shape.size / 10 ? ki.shape.size / 10 : 1;
	kernel_instance_fini(&ki);
	for (;;) {
		rc = probe(k, kp, size, 1, 0, &t);
		if (rc)
			return rc;
		if (t >= CALIB_PROBE_S)
			break;
		double grow = t > 0 ? 1.5 * CALIB_PROBE_S / t : 16;

		size = (uint64_t)((double)size * (grow < 2 ? 2 : grow > 16 ? 16 : grow));
	}
	rc = probe(k, kp, size, CALIB_RUNS, CALIB_WARM_S, &t);
	if (rc)
		return rc;
	double per = t / (double)size, want = target_s / per;
	uint64_t old = calib_kept_size(keep_path, key, k->name);

	e->k = k;
	double off = (double)old * per / target_s;

	e->kept = calib_keeps(old, off, multiple);
	e->size = e->kept ? old : calib_round(want < 1 ? 1 : want, multiple);
	e->probe_s = (double)e->size * per;
	return 0;
}

int calibrate(struct calibration *c, const struct kernel *const *ks, size_t n,
	      const struct kernel_params *kp, double target_s, unsigned multiple,
	      const char *keep_path, const char *key, char *err, size_t err_len)
{
	memset(c, 0, sizeof(*c));
	c->target_s = target_s;
	for (size_t i = 0; i < n && c->n < CALIB_MAX; i++) {
		if (!ks[i]->timed_size)
			continue;
		int rc = calibrate_one(&c->e[c->n], ks[i], kp, target_s, multiple, keep_path, key);

		if (rc) {
			snprintf(err, err_len, "calibrating '%s': %s", ks[i]->name,
				 rc == -EDOM ? "the probe's result was wrong" : strerror(-rc));
			return rc;
		}
		c->n++;
	}
	if (keep_path && c->n)
		calib_keep_sizes(keep_path, key, c);
	return 0;
}

const struct calib_entry *calibration_find(const struct calibration *c, const struct kernel *k)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (c->e[i].k == k)
			return &c->e[i];
	return NULL;
}
