# Thin wrapper over CMake in build/.  `make bench` and `make test` install missing Debian
# packages first (scripts/deps.sh).  CI=true (as CI sets it) turns warnings into errors.
BUILD    ?= build
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
WERROR   ?= $(if $(filter true 1 yes,$(CI)),ON,OFF)
CMAKE_ARGS ?=
ARGS     ?=

.PHONY: all build bench quick test deps clean

all: build

deps:
	@scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DPB_WERROR=$(WERROR) $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The main job: the full sweep, table on stdout, run directory under results/.
bench: build
	$(BUILD)/parbench run $(ARGS)

# The same sweep at ~20x smaller sizes (under 30 s), for checking an installation.
quick: build
	$(BUILD)/parbench run --quick $(ARGS)

test: build
	cd $(BUILD) && ctest --output-on-failure --timeout 300 $(CTEST_ARGS)

clean:
	rm -rf $(BUILD)
