# bench/ - the peer benchmark.  `make bench` builds and runs it; it is not
# built by `make` nor run by `make check`.  Peers are linked when configure
# found them (libsodium, OpenSSL libcrypto, libgcrypt).

EXTRA_PROGRAMS = bench/securememory-bench
bench_securememory_bench_SOURCES = \
	bench/bench.h \
	bench/main.c \
	bench/timing.c \
	bench/peers.c \
	bench/cases.c \
	bench/threads.c \
	bench/capacity.c
bench_securememory_bench_CFLAGS = $(AM_CFLAGS) $(PTHREAD_CFLAGS) \
	$(SODIUM_CFLAGS) $(LIBCRYPTO_CFLAGS) $(GCRYPT_CFLAGS)
bench_securememory_bench_LDADD = lib/libsecurememory.la \
	$(SODIUM_LIBS) $(LIBCRYPTO_LIBS) $(GCRYPT_LIBS) $(PTHREAD_LIBS)
CLEANFILES += bench/securememory-bench$(EXEEXT)
EXTRA_DIST += docs/PERFORMANCE.md

BENCH_FLAGS =
.PHONY: bench
bench: bench/securememory-bench$(EXEEXT)
	./bench/securememory-bench$(EXEEXT) $(BENCH_FLAGS)
