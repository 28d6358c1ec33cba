/* sig -- signal flags for clean shutdown, stats and reload; see sig.h. */
#include <signal.h>
#include <string.h>

#include "sig.h"

volatile sig_atomic_t sig_stop, sig_usr1, sig_hup;

static void	on_signal(int);

static void
on_signal(int signo)
{
	switch (signo) {
	case SIGTERM:
	case SIGINT:
		sig_stop = 1;
		break;
	case SIGUSR1:
		sig_usr1 = 1;
		break;
	case SIGHUP:
		sig_hup = 1;
		break;
	}
}

int
sig_install(void)
{
	static const int signos[] = { SIGTERM, SIGINT, SIGUSR1, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	for (i = 0; i < sizeof(signos) / sizeof(signos[0]); i++)
		if (sigaction(signos[i], &sa, NULL) == -1)
			return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}
