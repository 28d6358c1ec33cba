# stream toolkit -- POSIX make; CC, CFLAGS, PREFIX, MANPREFIX, COMPDIR, DESTDIR
# can be overridden on the command line.
.POSIX:

VERSION   = 0.1.0
PREFIX    = /usr/local
MANPREFIX = $(PREFIX)/share/man
COMPDIR   = $(PREFIX)/share/bash-completion/completions
CC        = cc
AR        = ar
RANLIB    = ranlib
CFLAGS    = -O2 -g -Wall -Wextra -Wshadow -Wstrict-prototypes \
            -D_FORTIFY_SOURCE=2 -fstack-protector-strong
CPPFLAGS  = -std=c11 -D_POSIX_C_SOURCE=200809L -DVERSION=\"$(VERSION)\" -Ilib
LDFLAGS   =
LDLIBS    = -ljq -lonig -lxxhash -lyaml -lm

BIN = stream-alert stream-cat stream-filter stream-join stream-window
MAN1 = man/stream-alert.1 man/stream-cat.1 man/stream-filter.1 \
       man/stream-join.1 man/stream-window.1
MAN7 = man/stream-toolkit.7

LIBHDR = lib/agg.h lib/alert.h lib/buf.h lib/cat.h lib/clock.h lib/csv.h \
         lib/dedup.h lib/detect.h lib/diag.h lib/distinct.h lib/exec.h \
         lib/fast.h lib/field.h lib/filter.h lib/follow.h lib/hash.h \
         lib/infer.h lib/interval.h lib/join.h lib/json.h lib/jstream.h \
         lib/line.h lib/logfmt.h lib/loop.h lib/merge.h lib/opt.h \
         lib/out.h lib/pace.h lib/program.h lib/quant.h lib/reads.h \
         lib/rules.h lib/ruletest.h lib/sig.h lib/slide.h lib/source.h \
         lib/state.h lib/suggest.h lib/table.h lib/topk.h lib/ts.h \
         lib/window.h lib/xalloc.h
LIBSRC = lib/agg.c lib/alert.c lib/buf.c lib/cat.c lib/clock.c lib/csv.c \
         lib/dedup.c lib/detect.c lib/diag.c lib/distinct.c lib/exec.c \
         lib/fast.c lib/field.c lib/filter.c lib/follow.c lib/hash.c \
         lib/infer.c lib/interval.c lib/join.c lib/json.c lib/jstream.c \
         lib/line.c lib/logfmt.c lib/loop.c lib/merge.c lib/opt.c \
         lib/out.c lib/pace.c lib/program.c lib/quant.c lib/reads.c \
         lib/rules.c lib/ruletest.c lib/sig.c lib/slide.c lib/source.c \
         lib/state.c lib/suggest.c lib/table.c lib/topk.c lib/ts.c \
         lib/window.c lib/xalloc.c
LIBOBJ = $(LIBSRC:.c=.o)

UNIT = tests/unit/agg_test tests/unit/alertstate_test tests/unit/buf_test \
       tests/unit/csv_test tests/unit/dedup_test tests/unit/distinct_test \
       tests/unit/exec_test tests/unit/fast_test \
       tests/unit/follow_test tests/unit/hash_test tests/unit/infer_test \
       tests/unit/interval_test tests/unit/json_test tests/unit/jstream_test \
       tests/unit/line_test tests/unit/logfmt_test tests/unit/merge_test \
       tests/unit/pace_test tests/unit/quant_test tests/unit/reads_test \
       tests/unit/rules_test tests/unit/ruletest_test \
       tests/unit/state_test tests/unit/table_test tests/unit/topk_test \
       tests/unit/ts_test

all: $(BIN)

$(LIBOBJ): $(LIBHDR)

lib/libtk.a: $(LIBOBJ)
	rm -f $@
	$(AR) rc $@ $(LIBOBJ)
	$(RANLIB) $@

$(BIN): lib/libtk.a

.c.o:
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

stream-alert: cmd/stream-alert.c lib/libtk.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ cmd/stream-alert.c \
	    lib/libtk.a $(LDLIBS)

stream-cat: cmd/stream-cat.c lib/libtk.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ cmd/stream-cat.c \
	    lib/libtk.a $(LDLIBS)

stream-window: cmd/stream-window.c lib/libtk.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ cmd/stream-window.c \
	    lib/libtk.a $(LDLIBS)

stream-join: cmd/stream-join.c lib/libtk.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ cmd/stream-join.c \
	    lib/libtk.a $(LDLIBS)

stream-filter: cmd/stream-filter.c lib/libtk.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ cmd/stream-filter.c \
	    lib/libtk.a $(LDLIBS)

# A unit test is built from its .c by the single-suffix rule, so it is
# rebuilt when either the test or the library changes.
$(UNIT): lib/libtk.a

.c:
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< lib/libtk.a \
	    $(LDLIBS) -lcmocka

unit: $(UNIT)

# The Kafka endpoint of tests/kafka.bats: librdkafka's mock cluster
tests/kafka/kafka-mock: tests/kafka/kafka-mock.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tests/kafka/kafka-mock.c \
	    -lrdkafka

check: deps all unit tests/kafka/kafka-mock
	sh tests/run

# The same suites built with AddressSanitizer and UBSan, in a clean tree.
check-asan:
	$(MAKE) clean
	$(MAKE) CFLAGS="-O1 -g -fsanitize=address,undefined \
	    -fno-omit-frame-pointer -fno-sanitize-recover=undefined -Wall -Wextra" \
	    LDFLAGS="-fsanitize=address,undefined" check
	$(MAKE) clean

# libFuzzer targets for the parsers (tests/fuzz/*.c), with ASan and UBSan.
# The library is compiled again under tests/fuzz/build/, apart from lib/.
# Each target runs FUZZ_SECONDS on a copy of tests/fuzz/corpus/TARGET in
# a temp dir; a crash, leak or sanitizer report fails the rule and leaves
# its input in tests/fuzz/crashes/.  libjq 1.6 leaks 21 bytes in jq_parse
# on some string-literal syntax errors: tests/fuzz/lsan.supp silences
# leaks allocated inside libjq (its stacks stop there), and no others.
# rules checks rule files without compiling their jq (RULES_NOJQ), some
# 10,000 runs a second; rulesjq, the same with libjq, some 200.
# alertstate restores stream-alert state bodies on the rules of
# tests/rules/all-types.yaml, read from the repo root.
FUZZ_SECONDS = 60
FUZZCC    = clang
FUZZFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
            -D_POSIX_C_SOURCE=200809L -Ilib
FUZZDIR   = tests/fuzz/build
FUZZ = json path time csv logfmt rules rulesjq state alertstate jstream
FUZZBIN = $(FUZZDIR)/json $(FUZZDIR)/path $(FUZZDIR)/time $(FUZZDIR)/csv \
          $(FUZZDIR)/logfmt $(FUZZDIR)/rules $(FUZZDIR)/rulesjq \
          $(FUZZDIR)/state $(FUZZDIR)/alertstate $(FUZZDIR)/jstream

$(FUZZDIR)/libtk.a: $(LIBSRC) $(LIBHDR)
	mkdir -p $(FUZZDIR)
	rm -f $@
	for f in $(LIBSRC); do \
	    o=$(FUZZDIR)/$${f#lib/}; o=$${o%.c}.o; \
	    $(FUZZCC) $(FUZZFLAGS) -c -o $$o $$f || exit 1; \
	    $(AR) rc $@ $$o || exit 1; done
	$(RANLIB) $@

$(FUZZDIR)/json: tests/fuzz/json.c
$(FUZZDIR)/path: tests/fuzz/path.c
$(FUZZDIR)/time: tests/fuzz/time.c
$(FUZZDIR)/csv: tests/fuzz/csv.c
$(FUZZDIR)/logfmt: tests/fuzz/logfmt.c
$(FUZZDIR)/rules: tests/fuzz/rules.c
$(FUZZDIR)/rulesjq: tests/fuzz/rulesjq.c tests/fuzz/rules.c
$(FUZZDIR)/state: tests/fuzz/state.c
$(FUZZDIR)/alertstate: tests/fuzz/alertstate.c
$(FUZZDIR)/jstream: tests/fuzz/jstream.c
$(FUZZBIN): $(FUZZDIR)/libtk.a
	$(FUZZCC) $(FUZZFLAGS) -o $@ tests/fuzz/$(@F).c $(FUZZDIR)/libtk.a \
	    $(LDLIBS)

fuzz: $(FUZZBIN)
	mkdir -p tests/fuzz/crashes
	rval=0; for t in $(FUZZ); do \
	    d=$$(mktemp -d) || exit 1; \
	    cp tests/fuzz/corpus/$$t/* $$d/; \
	    if UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	        LSAN_OPTIONS=suppressions=tests/fuzz/lsan.supp:print_suppressions=0 \
	        $(FUZZDIR)/$$t -max_total_time=$(FUZZ_SECONDS) \
	        -artifact_prefix=tests/fuzz/crashes/$$t- $$d \
	        >$$d.log 2>&1 && ! grep -q 'runtime error' $$d.log; then \
	        printf '%s: %s\n' $$t "$$(grep '^Done' $$d.log)"; \
	    else \
	        tail -n 60 $$d.log; echo "fuzz: $$t FAILED" >&2; rval=1; \
	    fi; \
	    rm -rf $$d $$d.log; done; exit $$rval

# 100,000 records under valgrind: no invalid access, no leak.
check-valgrind: all
	sh tests/valgrind

# Static analysis, both clean: cppcheck, and clang-tidy's analyzer.
# Annex K's "use memcpy_s" check is off: C11 without Annex K has none.
# A finding that is wrong is silenced where it stands, with the reason.
ANNEX_K = clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling
LINT_CHECKS = -*,clang-analyzer-*,-$(ANNEX_K)
lint:
	cppcheck --quiet --error-exitcode=1 --inline-suppr --std=c11 \
	    --enable=warning,portability,performance -Ilib lib cmd
	clang-tidy --quiet --warnings-as-errors='*' -checks='$(LINT_CHECKS)' \
	    lib/*.c cmd/*.c -- $(CPPFLAGS)

bench: all
	sh scripts/bench

# Five tools in a pipe at a steady rate for SOAK_SECONDS, memory sampled:
# no tool may grow after warm-up (scripts/soak).
SOAK_SECONDS = 1800
soak: all
	SOAK_SECONDS=$(SOAK_SECONDS) sh scripts/soak

demo: deps all
	sh scripts/demo

deps:
	sh scripts/install-deps

install: all
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANPREFIX)/man1 \
	    $(DESTDIR)$(MANPREFIX)/man7
	cp -f $(BIN) $(DESTDIR)$(PREFIX)/bin/
	cp -f $(MAN1) $(DESTDIR)$(MANPREFIX)/man1/
	cp -f $(MAN7) $(DESTDIR)$(MANPREFIX)/man7/
	mkdir -p $(DESTDIR)$(COMPDIR)
	for b in $(BIN); do \
	    cp -f scripts/completion.bash $(DESTDIR)$(COMPDIR)/$$b; done

uninstall:
	for b in $(BIN); do rm -f $(DESTDIR)$(PREFIX)/bin/$$b; done
	for m in $(MAN1); do rm -f $(DESTDIR)$(MANPREFIX)/man1/$${m#man/}; done
	for m in $(MAN7); do rm -f $(DESTDIR)$(MANPREFIX)/man7/$${m#man/}; done
	for b in $(BIN); do rm -f $(DESTDIR)$(COMPDIR)/$$b; done

clean:
	rm -f $(BIN) $(LIBOBJ) lib/libtk.a $(UNIT) tests/kafka/kafka-mock
	rm -rf $(FUZZDIR)

.PHONY: all unit check check-asan check-valgrind fuzz lint bench soak demo \
    deps install uninstall clean
