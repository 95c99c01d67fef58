/*
 * hostfile.c - an MPI hostfile checked before mpirun reads it (see launch.h): untrusted
 * input, read whole within bounds, every line "host [slots=N] [max_slots=N]", and nothing
 * read echoed before it is scrubbed.
 */
#include "launch.h"
#include "untrusted.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A hostfile lists hosts, one a line: far more than any run uses is not one (a device, a
 * FIFO or a file that never ends is refused before a byte is read, and nothing read is
 * echoed before it is scrubbed). */
#define HOSTFILE_MAX_BYTES (1 << 20)
#define HOSTFILE_MAX_LINES 16384
#define HOSTFILE_MAX_HOSTS 4096 /* a run has at most 1024 ranks (BACKEND_MAX_WORKERS) */
#define HOSTFILE_LINE_MAX  4096 /* bytes of a line, its newline left out */

/* The first 64 bytes of tok as they may reach a terminal: control characters and bytes that
 * are not UTF-8 as '?'. */
static const char *shown(const char *tok, char *buf, size_t len)
{
	snprintf(buf, len, "%.64s", tok);
	pb_scrub(buf);
	return buf;
}

/* The hostfile at path whole, NUL-terminated (free() it), its length in *len; NULL with err
 * set and *rc -errno if it is not a regular file of at most HOSTFILE_MAX_BYTES.  name: path
 * as it may be shown. */
static char *hostfile_read(const char *path, const char *name, size_t *len, char *err,
			   size_t err_len, int *rc)
{
	int fd = pb_open_regular(path, HOSTFILE_MAX_BYTES, NULL), e = fd < 0 ? errno : 0;
	char *text = fd < 0 ? NULL : malloc(HOSTFILE_MAX_BYTES + 2);
	size_t have = 0;

	if (fd >= 0 && !text)
		e = ENOMEM;
	while (text && have <= HOSTFILE_MAX_BYTES) { /* read to its end: it may have grown */
		ssize_t got = read(fd, text + have, HOSTFILE_MAX_BYTES + 1 - have);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			e = got ? errno : 0;
			break;
		}
		have += (size_t)got;
	}
	if (fd >= 0)
		close(fd);
	if (!e && have > HOSTFILE_MAX_BYTES)
		e = EFBIG;
	if (!e) {
		text[have] = '\0';
		*len = have;
		return text;
	}
	free(text);
	*rc = e == EFBIG ? -EINVAL : -e;
	if (e == EINVAL)
		snprintf(err, err_len, "hostfile %s is not a regular file", name);
	else if (e == EFBIG)
		snprintf(err, err_len, "hostfile %s is larger than %d KiB: not a list of hosts",
			 name, HOSTFILE_MAX_BYTES >> 10);
	else
		snprintf(err, err_len, "cannot read hostfile '%s': %s", name, strerror(e));
	return NULL;
}

/* One line, n bytes without its newline: 1 if it names a host, 0 if it is blank or a
 * comment, or -EINVAL with err set. */
static int hostfile_line(char *line, size_t n, const char *name, int lineno, char *err,
			 size_t err_len)
{
	char *tok, *save = NULL, buf[80];

	if (strlen(line) != n) {
		snprintf(err, err_len, "hostfile %s line %d holds a NUL byte", name, lineno);
		return -EINVAL;
	}
	if (n > HOSTFILE_LINE_MAX) {
		snprintf(err, err_len, "hostfile %s line %d is longer than %d bytes", name, lineno,
			 HOSTFILE_LINE_MAX);
		return -EINVAL;
	}
	line[strcspn(line, "#\r")] = '\0';
	tok = strtok_r(line, " \t", &save);
	if (!tok)
		return 0;
	for (const char *c = tok; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr(".-_:[]", *c)) {
			snprintf(err, err_len, "hostfile %s line %d: '%s' is not a host name", name,
				 lineno, shown(tok, buf, sizeof(buf)));
			return -EINVAL;
		}
	while ((tok = strtok_r(NULL, " \t", &save))) {
		char *eq = strchr(tok, '='), *end;
		long v;

		if (!eq || (strncmp(tok, "slots=", 6) && strncmp(tok, "max_slots=", 10) &&
			    strncmp(tok, "max-slots=", 10))) {
			snprintf(err, err_len, "hostfile %s line %d: '%s' is not slots=N or "
				 "max_slots=N", name, lineno, shown(tok, buf, sizeof(buf)));
			return -EINVAL;
		}
		v = strtol(eq + 1, &end, 10);
		if (*end || v < 1 || v > 100000) {
			snprintf(err, err_len, "hostfile %s line %d: bad count in '%s'", name,
				 lineno, shown(tok, buf, sizeof(buf)));
			return -EINVAL;
		}
	}
	return 1;
}

int launch_check_hostfile(const char *path, char *err, size_t err_len)
{
	char name[208], *text, *line, *next;
	int lineno = 0, hosts = 0, rc = 0;
	size_t len;

	snprintf(name, sizeof(name), "%.200s", path);
	pb_scrub(name);
	if (!(text = hostfile_read(path, name, &len, err, err_len, &rc)))
		return rc;
	for (line = text; line < text + len; line = next) {
		char *nl = memchr(line, '\n', (size_t)(text + len - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(text + len - line);

		next = line + n + 1;
		line[n] = '\0';
		if (++lineno > HOSTFILE_MAX_LINES) {
			snprintf(err, err_len, "hostfile %s has more than %d lines: not a list of "
				 "hosts", name, HOSTFILE_MAX_LINES);
			rc = -EINVAL;
			break;
		}
		if ((rc = hostfile_line(line, n, name, lineno, err, err_len)) < 0)
			break;
		if ((hosts += rc) > HOSTFILE_MAX_HOSTS) {
			snprintf(err, err_len, "hostfile %s lists more than %d hosts", name,
				 HOSTFILE_MAX_HOSTS);
			rc = -EINVAL;
			break;
		}
	}
	free(text);
	if (rc >= 0 && !hosts) {
		snprintf(err, err_len, "hostfile %s lists no hosts", name);
		rc = -EINVAL;
	}
	return rc < 0 ? rc : 0;
}
