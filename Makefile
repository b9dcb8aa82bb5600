# Lenity: one non-recursive Makefile.  `make` builds bin/lenityc and bin/lenity;
# `make test` runs every test; `make demo` runs the shipped example.

# ---- settings -------------------------------------------------------------
# `make test` ends with the test runner's own summary line, not make's directory notes.
MAKEFLAGS += --no-print-directory
CC      ?= cc
CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter
OPT     ?= -O2 -g
SAN     ?=
CFLAGS  ?=
ALL_CFLAGS = $(CSTD) $(WARN) $(OPT) $(SAN) $(CFLAGS) -Iruntime -Icompiler -I$(BUILD) -MMD -MP
LDFLAGS ?=
BUILD   ?= build
BIN     ?= bin

# ---- sources --------------------------------------------------------------
RUNTIME_SRC  := $(filter-out runtime/lenity.c,$(wildcard runtime/*.c))
COMPILER_SRC := $(filter-out compiler/lenityc.c,$(wildcard compiler/*.c))
GEN_SRC      := $(BUILD)/lexer.c $(BUILD)/parser.c
RUNTIME_OBJ  := $(RUNTIME_SRC:%.c=$(BUILD)/%.o)
COMPILER_OBJ := $(COMPILER_SRC:%.c=$(BUILD)/%.o) $(BUILD)/lexer.o $(BUILD)/parser.o
UNIT_SRC     := $(wildcard tests/unit/test_*.c)
UNIT_BIN     := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps test unit asan demo clean bench fuzz
all: $(BIN)/lenityc $(BIN)/lenity

# ---- generated front end --------------------------------------------------
$(BUILD)/lexer.c $(BUILD)/lexer.h: compiler/lexer.l | $(BUILD)/.dir
	flex --header-file=$(BUILD)/lexer.h -o $(BUILD)/lexer.c $<
$(BUILD)/parser.c $(BUILD)/parser.h: compiler/parser.y | $(BUILD)/.dir
	bison -Wall -Werror --header=$(BUILD)/parser.h -o $(BUILD)/parser.c $<
# flex output trips a few of our warnings; the grammar actions are ours and stay strict.
$(BUILD)/lexer.o: $(BUILD)/lexer.c $(BUILD)/parser.h
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -Wno-sign-compare -Wno-unused-function -c -o $@ $<
$(BUILD)/parser.o: $(BUILD)/parser.c $(BUILD)/lexer.h
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -c -o $@ $<
$(COMPILER_SRC:%.c=$(BUILD)/%.o): $(BUILD)/parser.h $(BUILD)/lexer.h

# ---- objects and programs -------------------------------------------------
$(BUILD)/%.o: %.c | $(BUILD)/.dir
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(BUILD)/libruntime.a: $(RUNTIME_OBJ)
	ar rcs $@ $^
$(BUILD)/libcompiler.a: $(COMPILER_OBJ)
	ar rcs $@ $^
$(BIN)/lenityc: $(BUILD)/compiler/lenityc.o $(BUILD)/libcompiler.a $(BUILD)/libruntime.a
	@mkdir -p $(BIN)
	$(CC) $(SAN) $(LDFLAGS) -o $@ $^ -lpthread
$(BIN)/lenity: $(BUILD)/runtime/lenity.o $(BUILD)/libcompiler.a $(BUILD)/libruntime.a
	@mkdir -p $(BIN)
	$(CC) $(SAN) $(LDFLAGS) -o $@ $^ -lpthread
$(BUILD)/.dir:
	@mkdir -p $(BUILD)/runtime $(BUILD)/compiler $(BUILD)/tests
	@touch $@

# ---- tests ----------------------------------------------------------------
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libcompiler.a $(BUILD)/libruntime.a | $(BUILD)/.dir
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libcompiler.a $(BUILD)/libruntime.a $(CMOCKA_LIBS) -lpthread

# The VM's dispatch has two builds (runtime/vm.c): threaded where the compiler has labels as
# values, a switch elsewhere.  The differential test runs once more over the switch (in the
# plain build only: under the sanitizers it would add half a minute for the same code).
$(BUILD)/runtime/vm_switch.o: runtime/vm.c | $(BUILD)/.dir
	$(CC) $(ALL_CFLAGS) -DLENITY_VM_SWITCH -c -o $@ $<
$(BUILD)/tests/test_differential_switch: tests/unit/test_differential.c $(BUILD)/runtime/vm_switch.o \
		$(BUILD)/libcompiler.a $(BUILD)/libruntime.a | $(BUILD)/.dir
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/runtime/vm_switch.o $(BUILD)/libcompiler.a \
	    $(BUILD)/libruntime.a $(CMOCKA_LIBS) -lpthread

unit: $(UNIT_BIN) $(if $(SAN),,$(BUILD)/tests/test_differential_switch)

# make test: install what is missing, build, run everything, then again under ASan+UBSan.
test: deps
	$(MAKE) all unit
	$(MAKE) fuzz-replay
	tests/run.sh $(BIN) $(BUILD)
	$(MAKE) asan

asan: deps
	$(MAKE) BUILD=build-asan BIN=build-asan/bin OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" all unit
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    tests/run.sh build-asan/bin build-asan

demo: deps all
	@mkdir -p out
	@# exit 4 means "finished, some rows rejected": the example ships one bad row on purpose
	$(BIN)/lenity run rules/ca/prop64.policy --input examples/records.csv --output out/decisions.csv; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 4 ]
	@echo "decisions written to out/decisions.csv"

# ---- set-up: install only what is missing ---------------------------------
# chromium renders the HTML report in tests/cli/report.sh (headless, no network)
DEPS_CMDS = flex:flex bison:bison pkg-config:pkg-config python3:python3 chromium:chromium
deps:
	@missing=""; \
	for pair in $(DEPS_CMDS); do cmd=$${pair%%:*}; pkg=$${pair#*:}; \
	    command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	[ -f /usr/include/cmocka.h ] || missing="$$missing libcmocka-dev"; \
	if [ -n "$$missing" ]; then \
	    echo "make deps: installing$$missing"; \
	    SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	    $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

clean:
	rm -rf build build-asan build-fuzz build-fuzz-replay bin out

# the header dependencies of this build (make asan sets BUILD=build-asan, bench and fuzz their own)
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

-include tests/fuzz/fuzz.mk
-include bench/bench.mk
