# tests/fuzz/fuzz.mk - the fuzz targets (style rule 31), included at the end of the Makefile.
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="fuzz_csv ..."] [FUZZ_FLAGS=-jobs=4]
#       builds each target with clang's libFuzzer + ASan + UBSan into build-fuzz/ and runs
#       each for FUZZ_SECONDS on a copy of its corpus (build-fuzz/corpus/<target>, which
#       keeps growing between runs; the repo's corpus stays small).  The regressions are
#       not seeds here: one not yet fixed would stop every run at its first input; they
#       are replayed by fuzz-replay.  Fails on any finding (crash, sanitizer report, leak,
#       a target's own abort, an input slower than FUZZ_TIMEOUT seconds, out of memory):
#       the crashing input is left in build-fuzz/artifacts/<target>/; minimise it with
#       `build-fuzz/<target> -minimize_crash=1 -runs=10000 FILE` and save it under
#       tests/fuzz/regressions/<target>/.
#   make fuzz-replay
#       builds each target with $(CC) + ASan + UBSan and tests/fuzz/replay.c (no libFuzzer)
#       into build-fuzz-replay/ and runs it over tests/fuzz/corpus/<target> and
#       tests/fuzz/regressions/<target>.
#
# Both compile the compiler and runtime sources themselves, with their own flags; the
# flex and bison outputs come from the normal build ($(BUILD)/lexer.c, $(BUILD)/parser.c).

FUZZ_TARGETS  ?= fuzz_policy fuzz_bytecode fuzz_csv fuzz_cadoj fuzz_literals fuzz_parallel
FUZZ_SECONDS  ?= 60
FUZZ_CC       ?= clang
# A single input that takes longer than this (seconds) is a hang, and a finding.
FUZZ_TIMEOUT  ?= 10
FUZZ_RSS_MB   ?= 2048
FUZZ_FLAGS    ?=
FUZZ_OUT      := build-fuzz
REPLAY_OUT    := build-fuzz-replay

# -Werror only for our own code: another compiler's view of flex's output is not a bug.
FUZZ_BASE_CFLAGS = $(CSTD) -g -O1 -fno-omit-frame-pointer -Iruntime -Icompiler -I$(BUILD) -MMD -MP
FUZZ_LIB_WARN    = $(filter-out -Werror,$(WARN)) -Wno-sign-compare -Wno-unused-function \
                   -Wno-unused-but-set-variable
FUZZ_SAN         = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
REPLAY_SAN       = -fsanitize=address,undefined -fno-sanitize-recover=all

# $(BUILD)/lexer.c -> <out>/lib/lexer.o; runtime/vm.c -> <out>/lib/runtime/vm.o
FUZZ_SRC_OBJ    := $(patsubst %.c,$(FUZZ_OUT)/lib/%.o,$(RUNTIME_SRC) $(COMPILER_SRC))
FUZZ_GEN_OBJ    := $(FUZZ_OUT)/lib/lexer.o $(FUZZ_OUT)/lib/parser.o
FUZZ_MAIN_OBJ   := $(FUZZ_TARGETS:%=$(FUZZ_OUT)/%.o)
FUZZ_BIN        := $(FUZZ_TARGETS:%=$(FUZZ_OUT)/%)
REPLAY_SRC_OBJ  := $(patsubst %.c,$(REPLAY_OUT)/lib/%.o,$(RUNTIME_SRC) $(COMPILER_SRC))
REPLAY_GEN_OBJ  := $(REPLAY_OUT)/lib/lexer.o $(REPLAY_OUT)/lib/parser.o
REPLAY_MAIN_OBJ := $(FUZZ_TARGETS:%=$(REPLAY_OUT)/%.o) $(REPLAY_OUT)/replay.o
REPLAY_BIN      := $(FUZZ_TARGETS:%=$(REPLAY_OUT)/%)
FUZZ_GEN_H      := $(BUILD)/parser.h $(BUILD)/lexer.h

.PHONY: fuzz fuzz-build fuzz-replay fuzz-replay-build

# ---- libFuzzer build --------------------------------------------------------------------
$(FUZZ_SRC_OBJ): $(FUZZ_OUT)/lib/%.o: %.c $(FUZZ_GEN_H)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_BASE_CFLAGS) $(FUZZ_LIB_WARN) $(FUZZ_SAN) -c -o $@ $<
$(FUZZ_GEN_OBJ): $(FUZZ_OUT)/lib/%.o: $(BUILD)/%.c $(FUZZ_GEN_H)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_BASE_CFLAGS) $(FUZZ_LIB_WARN) -Wno-missing-prototypes $(FUZZ_SAN) -c -o $@ $<
$(FUZZ_OUT)/liblenity.a: $(FUZZ_SRC_OBJ) $(FUZZ_GEN_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(FUZZ_MAIN_OBJ): $(FUZZ_OUT)/%.o: tests/fuzz/%.c $(FUZZ_GEN_H)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_BASE_CFLAGS) $(WARN) $(FUZZ_SAN) -c -o $@ $<
$(FUZZ_BIN): $(FUZZ_OUT)/%: $(FUZZ_OUT)/%.o $(FUZZ_OUT)/liblenity.a
	$(FUZZ_CC) $(FUZZ_SAN) -o $@ $^ -lpthread

fuzz-build: $(FUZZ_BIN)

# Runs every target even after one fails, then fails if any did.  The last status line of
# each run (executions, coverage, exec/s) is printed; the whole log is build-fuzz/<target>.log.
fuzz: deps
	$(MAKE) fuzz-build
	@failed=""; \
	for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_OUT)/corpus/$$t $(FUZZ_OUT)/artifacts/$$t; \
	    cp -R tests/fuzz/corpus/$$t/. $(FUZZ_OUT)/corpus/$$t/; \
	    echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    $(FUZZ_OUT)/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=$(FUZZ_TIMEOUT) \
	        -rss_limit_mb=$(FUZZ_RSS_MB) -print_final_stats=1 \
	        -artifact_prefix=$(FUZZ_OUT)/artifacts/$$t/ $(FUZZ_FLAGS) \
	        $(FUZZ_OUT)/corpus/$$t >$(FUZZ_OUT)/$$t.log 2>&1; \
	    rc=$$?; \
	    grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' $(FUZZ_OUT)/$$t.log | tail -1; \
	    grep -E '^stat::' $(FUZZ_OUT)/$$t.log; \
	    if [ $$rc -ne 0 ]; then \
	        failed="$$failed $$t"; \
	        echo "fuzz: $$t FOUND A PROBLEM (exit $$rc); the report:"; \
	        grep -E -A40 '^==[0-9]+==|runtime error|^fuzz_|Test unit written' $(FUZZ_OUT)/$$t.log | head -60; \
	    fi; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: findings in:$$failed (inputs in $(FUZZ_OUT)/artifacts/)"; exit 1; fi; \
	echo "fuzz: no findings"

# ---- replay build (any C compiler, no libFuzzer) ----------------------------------------
$(REPLAY_SRC_OBJ): $(REPLAY_OUT)/lib/%.o: %.c $(FUZZ_GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(FUZZ_BASE_CFLAGS) $(FUZZ_LIB_WARN) $(REPLAY_SAN) -c -o $@ $<
$(REPLAY_GEN_OBJ): $(REPLAY_OUT)/lib/%.o: $(BUILD)/%.c $(FUZZ_GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(FUZZ_BASE_CFLAGS) $(FUZZ_LIB_WARN) -Wno-missing-prototypes $(REPLAY_SAN) -c -o $@ $<
$(REPLAY_OUT)/liblenity.a: $(REPLAY_SRC_OBJ) $(REPLAY_GEN_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(REPLAY_MAIN_OBJ): $(REPLAY_OUT)/%.o: tests/fuzz/%.c $(FUZZ_GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(FUZZ_BASE_CFLAGS) $(WARN) $(REPLAY_SAN) -c -o $@ $<
$(REPLAY_BIN): $(REPLAY_OUT)/%: $(REPLAY_OUT)/%.o $(REPLAY_OUT)/replay.o $(REPLAY_OUT)/liblenity.a
	$(CC) $(REPLAY_SAN) -o $@ $^ -lpthread

fuzz-replay-build: $(REPLAY_BIN)

fuzz-replay: deps
	$(MAKE) fuzz-replay-build
	@failed=""; \
	for t in $(FUZZ_TARGETS); do \
	    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    $(REPLAY_OUT)/$$t tests/fuzz/corpus/$$t tests/fuzz/regressions/$$t || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz-replay: failed:$$failed"; exit 1; fi

# Each object also waits for the generated headers (above); the rest comes from -MMD.
-include $(shell find $(FUZZ_OUT) $(REPLAY_OUT) -name '*.d' 2>/dev/null)
