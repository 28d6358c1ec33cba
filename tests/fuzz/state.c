/*
 * state -- libFuzzer target for state_load: the input is written to a
 * temporary file (made once, rewritten for each input; in /dev/shm if
 * there is one, as rewriting a file on disk each time is what made the
 * target slow, 5,000 runs a second on ext4) and loaded as a stream-window
 * state file.  A loaded body is whole lines.
 */
#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "state.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	cleanup(void);

static char	 shm[] = "/dev/shm/tk-fuzz-state.XXXXXX";
static char	 tmp[] = "/tmp/tk-fuzz-state.XXXXXX";
static char	*path;
static int	 fd = -1;

static void
cleanup(void)
{
	if (fd != -1)
		unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf body = BUF_INIT;
	const char *why;
	size_t off;
	ssize_t w;
	int rc;

	if (fd == -1) {
		if ((fd = mkstemp(path = shm)) == -1 &&
		    (fd = mkstemp(path = tmp)) == -1) {
			perror("mkstemp");
			abort();
		}
		atexit(cleanup);
	}
	if (ftruncate(fd, 0) == -1)
		abort();
	for (off = 0; off < size; off += (size_t)w)
		if ((w = pwrite(fd, data + off, size - off, (off_t)off)) <= 0)
			abort();
	why = NULL;
	rc = state_load(path, "stream-window", &body, &why);
	if (rc == 0) {
		if (body.len > 0 && body.p[body.len - 1] != '\n')
			abort();
	} else if (rc != -1 || why == NULL)
		abort();
	buf_free(&body);
	return 0;
}
