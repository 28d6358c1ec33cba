#ifndef SIG_H
#define SIG_H
/*
 * sig -- the signals every tool handles.  The flags are the one global
 * state in lib/, since a signal handler can reach nothing else:
 *   SIGTERM, SIGINT  set sig_stop: stop reading, finish as at EOF
 *   SIGUSR1          sets sig_usr1: print --stats now
 *   SIGHUP           sets sig_hup: reload (tools that have something to)
 *   SIGPIPE          ignored, so a closed stdout is an EPIPE write error
 * Handlers are installed without SA_RESTART, so a blocked read returns.
 */
#include <signal.h>

extern volatile sig_atomic_t sig_stop, sig_usr1, sig_hup;

int	sig_install(void);	/* 0, or -1 with errno */

#endif
