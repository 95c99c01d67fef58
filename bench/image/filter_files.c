/*
 * filter_files.c - the filter command's files: pictures loaded and set up as kernel
 * instances (one, or a batch of one task per file), and the results saved whole.
 */
#include "filter.h"
#include "imgio.h"
#include "kwork.h"
#include "clock.h"
#include "outfile.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* Each output is a new file or a regular file, in a folder that exists and may be written
 * (a batch's folder is made later, once the inputs are known good): checked before anything
 * runs.  -errno with err set. */
static int outputs_writable(const struct filter_job *j, char *err, size_t err_len)
{
	for (size_t o = 0; o < j->n; o++) {
		const char *path = j->files[o].out_path, *slash = strrchr(path, '/');
		char dir[sizeof(j->files[o].out_path)];
		struct stat st;
		int e;

		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
			snprintf(err, err_len, "output '%s' exists and is not a regular file", path);
			return -EEXIST;
		}
		if (j->batch)
			continue;
		if (!slash)
			snprintf(dir, sizeof(dir), ".");
		else if (slash == path)
			snprintf(dir, sizeof(dir), "/");
		else
			snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		if (access(dir, W_OK) != 0) {
			e = errno;
			snprintf(err, err_len, "cannot write output '%s': %s", path, strerror(e));
			return -e;
		}
	}
	return 0;
}

/* An output that is one of the inputs, by device and inode (another path to it, a link to
 * it, a hard link): -EEXIST with err set; nothing would be written over an input.  Then
 * outputs_writable(). */
static int outputs_clear(const struct filter_job *j, char *err, size_t err_len)
{
	for (size_t o = 0; o < j->n; o++) {
		struct stat os, is;

		if (stat(j->files[o].out_path, &os) != 0)
			continue; /* a new file */
		for (size_t i = 0; i < j->n; i++)
			if (stat(j->files[i].in_path, &is) == 0 && is.st_dev == os.st_dev &&
			    is.st_ino == os.st_ino) {
				snprintf(err, err_len, "output '%s' is the input '%s': give another "
					 "output", j->files[o].out_path, j->files[i].in_path);
				return -EEXIST;
			}
	}
	return outputs_writable(j, err, err_len);
}

int filter_load(struct filter_job *j, const struct kernel *k, const char *const *inputs,
		size_t n, const char *out, const char *out_dir, char *err, size_t err_len)
{
	unsigned long long need = 0, avail = imgio_mem_available();
	int rc;

	memset(j, 0, sizeof(*j));
	j->k = k;
	j->batch = out_dir != NULL;
	if (n == 0 || n > FILTER_MAX_FILES) {
		snprintf(err, err_len, "between 1 and %d input files, please", FILTER_MAX_FILES);
		return -EINVAL;
	}
	j->files = calloc(n, sizeof(*j->files));
	j->rec = mmap(NULL, n * sizeof(*j->rec), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (j->rec == MAP_FAILED)
		j->rec = NULL;
	j->n = n;
	if (!j->files || !j->rec) {
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct filter_file *f = &j->files[i];
		const char *name = j->batch ? base_name(inputs[i]) : out;

		f->in_path = inputs[i];
		if ((size_t)snprintf(f->out_path, sizeof(f->out_path), "%s%s%s",
				     j->batch ? out_dir : "", j->batch ? "/" : "", name) >=
		    sizeof(f->out_path)) {
			snprintf(err, err_len, "output path for '%s' is too long", inputs[i]);
			return -ENAMETOOLONG;
		}
		if (imgio_format_ok(f->out_path)) {
			snprintf(err, err_len, "%s: unknown output format (use .png, .jpg or .jpeg)",
				 f->out_path);
			return -EINVAL;
		}
		for (size_t p = 0; p < i; p++)
			if (strcmp(j->files[p].out_path, f->out_path) == 0) {
				snprintf(err, err_len, "'%s' and '%s' would both be written to %s",
					 j->files[p].in_path, f->in_path, f->out_path);
				return -EINVAL;
			}
	}
	rc = outputs_clear(j, err, err_len);
	if (rc)
		return rc;
	/* decode everything first: a bad file stops the job before anything runs or is
	 * written */
	for (size_t i = 0; i < n; i++) {
		struct filter_file *f = &j->files[i];
		struct kernel_params kp = { .image = &f->img };

		rc = imgio_load(f->in_path, &f->img, err, err_len);
		if (rc)
			return rc;
		need += 4 * (unsigned long long)pb_image_bytes(f->img.w, f->img.h);
		if (avail && need > avail) {
			snprintf(err, err_len, "the %zu inputs up to %s need %llu MiB to filter, only "
				 "%llu MiB of memory available", i + 1, f->in_path, need >> 20,
				 avail >> 20);
			return -ENOMEM;
		}
		rc = kernel_instance_init(&f->ki, k, &kp);
		if (rc) {
			snprintf(err, err_len, "%s: cannot set up %s: %s", f->in_path, k->name,
				 strerror(-rc));
			return rc;
		}
		/* the kernel holds its own copy now */
		imgio_free(&f->img);
		f->img.w = f->ki.shape.width;
		f->img.h = f->ki.shape.height;
		j->pixels += f->ki.shape.pixels;
		j->bytes += f->ki.shape.bytes;
	}
	return 0;
}

int filter_save(struct filter_job *j, char *err, size_t err_len)
{
	struct outfile *o = calloc(j->n, sizeof(*o));
	size_t made = 0, placed = 0;
	int rc = o ? 0 : -ENOMEM;

	if (!o)
		snprintf(err, err_len, "out of memory");
	for (; !rc && made < j->n; made++) { /* every file written and closed beside its place */
		const struct kernel_shape *sh = &j->files[made].ki.shape;
		struct pb_image img = { sh->width, sh->height, sh->out };

		rc = imgio_encode(&o[made], j->files[made].out_path, &img, err, err_len);
		if (!rc && (rc = outfile_finish(&o[made])) != 0)
			snprintf(err, err_len, "%s: %s", j->files[made].out_path, strerror(-rc));
		if (rc) {
			snprintf(err + strlen(err), err_len - strlen(err), " (no picture written)");
			break;
		}
	}
	for (; !rc && placed < j->n; placed++) /* then all renamed into place */
		if ((rc = outfile_commit(&o[placed])) != 0)
			snprintf(err, err_len, "%s: %s (%zu of the %zu pictures were already in "
				 "place)", j->files[placed].out_path, strerror(-rc), placed, j->n);
	for (size_t i = placed; i < made; i++)
		outfile_abort(&o[i]);
	free(o);
	return rc;
}

void filter_free(struct filter_job *j)
{
	for (size_t i = 0; j->files && i < j->n; i++) {
		if (j->files[i].img.px)
			imgio_free(&j->files[i].img);
		kernel_instance_fini(&j->files[i].ki);
	}
	free(j->files);
	if (j->rec)
		munmap(j->rec, j->n * sizeof(*j->rec));
	free(j->samples);
	memset(j, 0, sizeof(*j));
}
