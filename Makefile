# Thin wrapper over CMake in build/.  `make bench` and `make test` install missing Debian
# packages first (scripts/deps.sh).  CI=true (as CI sets it) turns warnings into errors.
BUILD    ?= build
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
WERROR   ?= $(if $(filter true 1 yes,$(CI)),ON,OFF)
# CI must find every dependency: nothing is silently left out there
REQUIRE_ALL ?= $(WERROR)
CMAKE_ARGS ?=
ARGS     ?=
# make fuzz: seconds per fuzz target (CI runs a short round)
FUZZ_SECONDS ?= 600

MAKEFLAGS += --no-print-directory

.PHONY: all build build-run bench quick test test-native test-sanitize test-valgrind fuzz deps \
	deps-bench clean

all: build

# what the tests need (all of it); what running the benchmark needs (no Slurm, cmocka,
# valgrind or clang)
deps:
	@scripts/deps.sh test

deps-bench:
	@scripts/deps.sh bench

build: deps
	@$(MAKE) build-run

build-run:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DPB_WERROR=$(WERROR) \
		-DPB_REQUIRE_ALL=$(REQUIRE_ALL) $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The main job: the full sweep, table on stdout, run directory under results/.
bench: deps-bench
	@$(MAKE) build-run
	$(BUILD)/parbench run $(ARGS)

# The same sweep at ~20x smaller sizes (about 35 s), for checking an installation.
quick: deps-bench
	@$(MAKE) build-run
	$(BUILD)/parbench run --quick $(ARGS)

# (the valgrind runs are make test-valgrind's, in a build of their own)
test: build
	cd $(BUILD) && ctest --output-on-failure --timeout 300 -LE valgrind $(CTEST_ARGS)
ifneq ($(filter true 1 yes,$(CI)),)
	@scripts/check-limits.sh
	@scripts/check-cycles.sh $(BUILD)
	@$(MAKE) test-native
	@$(MAKE) test-sanitize
	@$(MAKE) test-valgrind
	@$(MAKE) fuzz FUZZ_SECONDS=20
endif

# The default build is portable (the kernels pick their instruction-set variant at run time);
# this builds everything with -march=native and runs the unit tests, which check every
# variant this CPU runs bit for bit.  CI runs it after `make test`.
test-native: deps
	@cmake -S . -B $(BUILD)-native -DCMAKE_BUILD_TYPE=Release -DPB_NATIVE=ON \
		-DPB_WERROR=$(WERROR) -DPB_REQUIRE_ALL=$(REQUIRE_ALL) $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD)-native -j $(JOBS) >/dev/null
	cd $(BUILD)-native && ctest --output-on-failure -L quick $(CTEST_ARGS)

# The suite again under ASan+UBSan and under TSan (without OpenMP: libgomp is not
# instrumented), less the scenarios labelled heavy (the statistics of compare, the browser,
# 64 workers, the CPython interpreter's side, calibration loops, the price list: minutes
# each under TSan, for code the plain run and the unit tests already cover), which would
# take CI past its time limit. CI runs it after `make test`.
test-sanitize: deps
	@for s in address thread; do \
		cmake -S . -B $(BUILD)-$$s -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPB_SANITIZE=$$s \
			-DPB_WERROR=$(WERROR) -DPB_REQUIRE_ALL=$(REQUIRE_ALL) $(CMAKE_ARGS) >/dev/null && \
		cmake --build $(BUILD)-$$s -j $(JOBS) >/dev/null && \
		(cd $(BUILD)-$$s && ctest --output-on-failure --timeout 600 -LE heavy $(CTEST_ARGS)) || exit 1; \
	done

# valgrind memcheck of quick runs, in a portable build (valgrind cannot decode AVX-512).
test-valgrind: deps
	@cmake -S . -B $(BUILD)-valgrind -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPB_NATIVE=OFF \
		-DPB_WERROR=$(WERROR) -DPB_REQUIRE_ALL=$(REQUIRE_ALL) $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD)-valgrind -j $(JOBS) >/dev/null
	cd $(BUILD)-valgrind && ctest --output-on-failure -L valgrind $(CTEST_ARGS)

# libFuzzer (clang, ASan+UBSan) on the image loaders, the command line, the run-directory
# loader (what report, compare and project read from a run someone sent) and the MPI ranks'
# plan reader (bench/cmd/rank_plan.c), starting from the
# seed corpus in fuzz/corpus; new inputs go to $(BUILD)-fuzz/corpus-*, crashes to
# $(BUILD)-fuzz/crash-* (and the run fails).  The command-line target checks for crashes and
# undefined behaviour, not leaks: a usage error jumps out of the parser past its frees.
fuzz: deps
	@if ! command -v clang >/dev/null 2>&1; then \
		if [ "$(REQUIRE_ALL)" = ON ]; then echo "fuzz: clang is not installed, and everything is required (CI)"; exit 1; fi; \
		echo "fuzz: clang is not installed: SKIP"; exit 0; fi; \
	cmake -S . -B $(BUILD)-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
		-DCMAKE_CXX_COMPILER=clang++ -DPB_FUZZ=ON $(CMAKE_ARGS) >/dev/null && \
	cmake --build $(BUILD)-fuzz -j $(JOBS) --target fuzz_image fuzz_args fuzz_rundir fuzz_plan >/dev/null || exit 1; \
	for t in image args rundir plan; do \
		mkdir -p $(BUILD)-fuzz/corpus-$$t && \
		echo "fuzz_$$t: $(FUZZ_SECONDS) s" && \
		ASAN_OPTIONS=$$( [ $$t = args ] && echo detect_leaks=0 ) \
		$(BUILD)-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
			-timeout=10 -print_final_stats=1 -artifact_prefix=$(BUILD)-fuzz/ \
			$$( [ $$t = args ] && echo -detect_leaks=0 ) \
			$(BUILD)-fuzz/corpus-$$t fuzz/corpus/$$t 2>$(BUILD)-fuzz/fuzz_$$t.log \
			|| { tail -40 $(BUILD)-fuzz/fuzz_$$t.log; exit 1; }; \
		grep -E "stat::number_of_executed_units|stat::new_units_added" $(BUILD)-fuzz/fuzz_$$t.log; \
	done

clean:
	rm -rf $(BUILD) $(BUILD)-native $(BUILD)-address $(BUILD)-thread $(BUILD)-valgrind $(BUILD)-fuzz
