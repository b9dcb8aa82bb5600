# bench/bench.mk - `make bench`, included at the end of the Makefile (see bench/README.md).
#
#   make bench [BENCH_ROWS=1000000] [BENCH_REPS=5] [BENCH_SEED=1] [BENCH_LOOKUP_RULES=50]
#       builds bin/, the generator and the timer, generates the data once (cached in
#       build-bench/ by rows, seed and generator version), times cat, awk and lenity, and
#       writes the table to bench/RESULTS.md.
#   make bench-tools    only the generator (build-bench/gen_doj), the timer (build-bench/peakrss)
#                       and the input hash alone (build-bench/sha256_file)
#   make bench-clean    removes build-bench/ (the cached data with it)
#
# Nothing here is a prerequisite of `all` or `test`, and the tools build into their own
# folder with their own flags, so `make` and `make test` do what they did before.

BENCH_DIR          ?= build-bench
BENCH_ROWS         ?= 1000000
BENCH_REPS         ?= 5
BENCH_SEED         ?= 1
BENCH_LOOKUP_RULES ?= 50
BENCH_CFLAGS       := $(CSTD) $(WARN) -O2

.PHONY: bench bench-tools bench-clean

bench: $(BIN)/lenity $(BIN)/lenityc bench-tools
	BENCH_ROWS=$(BENCH_ROWS) BENCH_REPS=$(BENCH_REPS) BENCH_SEED=$(BENCH_SEED) \
	BENCH_LOOKUP_RULES=$(BENCH_LOOKUP_RULES) BENCH_DIR=$(BENCH_DIR) BIN=$(BIN) \
	    bash bench/run.sh

bench-tools: $(BENCH_DIR)/gen_doj $(BENCH_DIR)/peakrss $(BENCH_DIR)/sha256_file

$(BENCH_DIR)/gen_doj: bench/gen_doj.c
	@mkdir -p $(BENCH_DIR)
	$(CC) $(BENCH_CFLAGS) -o $@ $<

$(BENCH_DIR)/peakrss: bench/peakrss.c
	@mkdir -p $(BENCH_DIR)
	$(CC) $(BENCH_CFLAGS) -o $@ $<

# lenity's own SHA-256 code, built as lenity builds it
$(BENCH_DIR)/sha256_file: bench/sha256_file.c runtime/sha256.c runtime/sha256.h
	@mkdir -p $(BENCH_DIR)
	$(CC) $(BENCH_CFLAGS) -Iruntime -o $@ bench/sha256_file.c runtime/sha256.c

bench-clean:
	rm -rf $(BENCH_DIR)
