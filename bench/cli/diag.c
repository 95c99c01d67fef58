/*
 * diag.c - diag.h: each message formatted into one buffer, then one write(2) (stdio's
 * unbuffered stderr writes "parbench: ", the text and the newline as three).  Whatever
 * else went to stderr through stdio is flushed first, so the two never swap places.
 */
#include "diag.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char prefix[32] = "parbench: ";

void diag_set_rank(int rank)
{
	if (rank > 0)
		snprintf(prefix, sizeof(prefix), "parbench: rank %d: ", rank);
	else
		snprintf(prefix, sizeof(prefix), "parbench: ");
}

size_t diag_format(char *buf, size_t len, const char *pre, int nl, const char *fmt, va_list ap)
{
	size_t used = strlen(pre), room;
	int w;

	if (used > len - 5)
		used = len - 5;
	memcpy(buf, pre, used);
	room = len - used - (nl ? 1 : 0); /* for the text and its '\0' */
	w = vsnprintf(buf + used, room, fmt, ap);
	if (w < 0)
		w = snprintf(buf + used, room, "(unprintable message)");
	if ((size_t)w >= room) { /* cut: the end says so */
		used += room - 1;
		memcpy(buf + used - 3, "...", 3);
	} else {
		used += (size_t)w;
	}
	if (nl)
		buf[used++] = '\n';
	buf[used] = '\0';
	return used;
}

int diag_write(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One message on stderr; errors are not reported (there is nowhere left to say them). */
static void say(const char *pre, int nl, const char *fmt, va_list ap)
{
	char buf[DIAG_MAX + 1];
	size_t n = diag_format(buf, sizeof(buf), pre, nl, fmt, ap);

	fflush(stderr);
	diag_write(STDERR_FILENO, buf, n);
}

void diag_vline(const char *fmt, va_list ap)
{
	say(prefix, 1, fmt, ap);
}

void diag_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(prefix, 1, fmt, ap);
	va_end(ap);
}

void diag_text(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("", 0, fmt, ap);
	va_end(ap);
}
