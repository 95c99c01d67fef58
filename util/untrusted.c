/*
 * untrusted.c - the guards on what is read from outside (see untrusted.h): files opened only
 * if regular and not too large, and text scrubbed before it reaches a terminal.
 */
#include "untrusted.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int pb_open_regular(const char *path, long long max, long long *size)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;
	int e = 0, fl;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0) {
		e = errno; /* st says nothing then */
	} else if (!S_ISREG(st.st_mode)) {
		e = EINVAL;
	} else {
		if (size)
			*size = (long long)st.st_size;
		if (st.st_size > max)
			e = EFBIG;
		else if ((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
			e = errno;
	}
	if (e) {
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

FILE *pb_fopen_regular(const char *path, long long max, long long *size)
{
	int fd = pb_open_regular(path, max, size), e;
	FILE *f;

	if (fd < 0)
		return NULL;
	if (!(f = fdopen(fd, "r"))) {
		e = errno;
		close(fd);
		errno = e;
	}
	return f;
}

/* The length (2 to 4) of the well-formed UTF-8 sequence at s, its code point in *cp; 0 if
 * there is none (overlong, a surrogate, beyond U+10FFFF, cut short). */
static size_t utf8_seq(const unsigned char *s, unsigned *cp)
{
	unsigned c = s[0], min;
	size_t n;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2, c &= 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, c &= 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, c &= 0x07, min = 0x10000;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* the string's end too */
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

void pb_scrub(char *s)
{
	unsigned char *p = (unsigned char *)s;

	while (*p) {
		unsigned cp = 0;
		size_t n = *p < 0x80 ? 1 : utf8_seq(p, &cp);

		if (n == 1 && (*p < 0x20 || *p == 0x7f))
			*p = '?';
		else if (n == 0) /* not UTF-8: a raw C1 control, or text no terminal shows right */
			*p = '?', n = 1;
		else if (cp >= 0x80 && cp <= 0x9f) /* a C1 control in UTF-8 (U+009B is CSI) */
			memset(p, '?', n);
		p += n;
	}
}
