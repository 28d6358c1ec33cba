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

BIN = stream-cat stream-filter stream-join stream-window
MAN1 = man/stream-cat.1 man/stream-filter.1 man/stream-join.1 \
       man/stream-window.1
MAN7 = man/stream-toolkit.7

LIBHDR = lib/agg.h lib/buf.h lib/cat.h lib/clock.h lib/csv.h lib/dedup.h \
         lib/diag.h lib/distinct.h lib/fast.h lib/field.h lib/filter.h \
         lib/follow.h lib/hash.h lib/infer.h lib/interval.h lib/join.h \
         lib/json.h lib/jstream.h lib/line.h lib/logfmt.h lib/loop.h \
         lib/merge.h lib/opt.h lib/out.h lib/pace.h lib/program.h \
         lib/quant.h lib/reads.h lib/rules.h lib/sig.h lib/slide.h \
         lib/source.h lib/state.h lib/suggest.h lib/table.h lib/topk.h \
         lib/ts.h lib/window.h lib/xalloc.h
LIBSRC = lib/agg.c lib/buf.c lib/cat.c lib/clock.c lib/csv.c lib/dedup.c \
         lib/diag.c lib/distinct.c lib/fast.c lib/field.c lib/filter.c \
         lib/follow.c lib/hash.c lib/infer.c lib/interval.c lib/join.c \
         lib/json.c lib/jstream.c lib/line.c lib/logfmt.c lib/loop.c \
         lib/merge.c lib/opt.c lib/out.c lib/pace.c lib/program.c \
         lib/quant.c lib/reads.c lib/rules.c lib/sig.c lib/slide.c \
         lib/source.c lib/state.c lib/suggest.c lib/table.c lib/topk.c \
         lib/ts.c lib/window.c lib/xalloc.c
LIBOBJ = $(LIBSRC:.c=.o)

UNIT = tests/unit/agg_test tests/unit/buf_test tests/unit/csv_test \
       tests/unit/dedup_test tests/unit/distinct_test tests/unit/fast_test \
       tests/unit/follow_test tests/unit/hash_test tests/unit/infer_test \
       tests/unit/interval_test tests/unit/json_test tests/unit/jstream_test \
       tests/unit/line_test tests/unit/logfmt_test tests/unit/merge_test \
       tests/unit/pace_test tests/unit/quant_test tests/unit/reads_test \
       tests/unit/rules_test tests/unit/state_test tests/unit/table_test \
       tests/unit/topk_test tests/unit/ts_test

all: $(BIN)

$(LIBOBJ): $(LIBHDR)

lib/libtk.a: $(LIBOBJ)
	rm -f $@
	$(AR) rc $@ $(LIBOBJ)
	$(RANLIB) $@

$(BIN): lib/libtk.a

.c.o:
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

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

check: deps all unit
	sh tests/run

# The same suites built with AddressSanitizer and UBSan, in a clean tree.
check-asan:
	$(MAKE) clean
	$(MAKE) CFLAGS="-O1 -g -fsanitize=address,undefined \
	    -fno-omit-frame-pointer -fno-sanitize-recover=undefined -Wall -Wextra" \
	    LDFLAGS="-fsanitize=address,undefined" check
	$(MAKE) clean

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
	rm -f $(BIN) $(LIBOBJ) lib/libtk.a $(UNIT)

.PHONY: all unit check check-asan check-valgrind lint bench demo deps install \
    uninstall clean
