# Thin wrapper over CMake in build/.  `make bench` and `make test` install missing Debian
# packages first (scripts/deps.sh).  CI=true (as CI sets it) turns warnings into errors.
BUILD    ?= build
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
WERROR   ?= $(if $(filter true 1 yes,$(CI)),ON,OFF)
# CI must find every dependency: nothing is silently left out there
REQUIRE_ALL ?= $(WERROR)
CMAKE_ARGS ?=
ARGS     ?=

MAKEFLAGS += --no-print-directory

.PHONY: all build bench quick test test-sanitize test-valgrind deps clean

all: build

deps:
	@scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DPB_WERROR=$(WERROR) \
		-DPB_REQUIRE_ALL=$(REQUIRE_ALL) $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The main job: the full sweep, table on stdout, run directory under results/.
bench: build
	$(BUILD)/parbench run $(ARGS)

# The same sweep at ~20x smaller sizes (under 30 s), for checking an installation.
quick: build
	$(BUILD)/parbench run --quick $(ARGS)

test: build
	cd $(BUILD) && ctest --output-on-failure --timeout 300 $(CTEST_ARGS)
ifneq ($(filter true 1 yes,$(CI)),)
	@$(MAKE) test-sanitize
	@$(MAKE) test-valgrind
endif

# The suite again under ASan+UBSan and under TSan (without OpenMP: libgomp is not
# instrumented). CI runs it after `make test`.
test-sanitize: deps
	@for s in address thread; do \
		cmake -S . -B $(BUILD)-$$s -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPB_SANITIZE=$$s \
			-DPB_WERROR=$(WERROR) -DPB_REQUIRE_ALL=$(REQUIRE_ALL) $(CMAKE_ARGS) >/dev/null && \
		cmake --build $(BUILD)-$$s -j $(JOBS) >/dev/null && \
		(cd $(BUILD)-$$s && ctest --output-on-failure --timeout 600 $(CTEST_ARGS)) || exit 1; \
	done

# valgrind memcheck of quick runs, in a portable build (valgrind cannot decode AVX-512).
test-valgrind: deps
	@cmake -S . -B $(BUILD)-valgrind -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPB_NATIVE=OFF \
		-DPB_WERROR=$(WERROR) -DPB_REQUIRE_ALL=$(REQUIRE_ALL) $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD)-valgrind -j $(JOBS) >/dev/null
	cd $(BUILD)-valgrind && ctest --output-on-failure -L valgrind $(CTEST_ARGS)

clean:
	rm -rf $(BUILD) $(BUILD)-address $(BUILD)-thread $(BUILD)-valgrind
