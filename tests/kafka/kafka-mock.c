/*
 * kafka-mock -- a Kafka endpoint for the tests: librdkafka's mock cluster
 * (the real Kafka protocol, served on loopback by the library itself)
 * with the topics named on the command line, so that the tests drive the
 * tools with kcat as users do, without a JVM or a broker to install.
 *
 *   kafka-mock [-n BROKERS] TOPIC[:PARTITIONS]...
 *
 * Prints the bootstrap list ("127.0.0.1:PORT,...") on one line, then
 * serves until SIGTERM or SIGINT.  Tests start it in the background and
 * stop it themselves.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(void)
{
	fputs("usage: kafka-mock [-n BROKERS] TOPIC[:PARTITIONS]...\n",
	    stderr);
	exit(2);
}

/* add_topic -- "name" or "name:partitions" */
static int
add_topic(rd_kafka_mock_cluster_t *mc, char *arg)
{
	char *colon = strrchr(arg, ':'), *end;
	long parts = 1;

	if (colon != NULL) {
		*colon = '\0';
		parts = strtol(colon + 1, &end, 10);
		if (*end != '\0' || parts < 1 || parts > 1000) {
			fprintf(stderr, "kafka-mock: %s: bad partition count\n",
			    colon + 1);
			return -1;
		}
	}
	if (rd_kafka_mock_topic_create(mc, arg, (int)parts, 1) !=
	    RD_KAFKA_RESP_ERR_NO_ERROR) {
		fprintf(stderr, "kafka-mock: %s: cannot create topic\n", arg);
		return -1;
	}
	return 0;
}

/* wait_for_end -- until SIGTERM or SIGINT; blocked in between, so that
 * no signal is lost between the test and the pause */
static void
wait_for_end(void)
{
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	while (!stop)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

int
main(int argc, char *argv[])
{
	char errstr[512];
	struct sigaction sa;
	rd_kafka_conf_t *conf;
	rd_kafka_mock_cluster_t *mc;
	rd_kafka_t *rk;
	int ch, brokers = 1;

	while ((ch = getopt(argc, argv, "n:")) != -1) {
		if (ch != 'n' || (brokers = atoi(optarg)) < 1 || brokers > 9)
			usage();
	}
	argv += optind;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: read returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	conf = rd_kafka_conf_new();
	if (rd_kafka_conf_set(conf, "log_level", "3", errstr,
	    sizeof(errstr)) != RD_KAFKA_CONF_OK) {
		fprintf(stderr, "kafka-mock: %s\n", errstr);
		return 1;
	}
	/* The handle is only the cluster's bookkeeping, never used to send */
	if ((rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr,
	    sizeof(errstr))) == NULL) {
		fprintf(stderr, "kafka-mock: %s\n", errstr);
		return 1;
	}
	if ((mc = rd_kafka_mock_cluster_new(rk, brokers)) == NULL) {
		fputs("kafka-mock: cannot start the mock cluster\n", stderr);
		return 1;
	}
	for (; *argv != NULL; argv++)
		if (add_topic(mc, *argv) == -1)
			return 1;
	printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
	fflush(stdout);
	wait_for_end();
	rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(rk);
	return 0;
}
