# Thin wrapper: `make check`, `make test` and `make demo` work from a fresh clone.
# The real build is CMake (CMakeLists.txt); grading is build/bin/conclab.
BUILD ?= build
JOBS ?= $(shell nproc)
CONCLAB := $(BUILD)/bin/conclab
EX ?=
# make check EX=pool_copy TEST=no_lost_wakeups_stress SEED=561456735 grades
# one test with the seed a report printed (replays its schedule);
# ARGS adds options of `conclab grade` (e.g. ARGS="--json results.json").
TEST ?=
SEED ?=
ARGS ?=

.PHONY: all check test demo setup build clean handout

all: build

setup:
	@bash ci/setup.sh

$(BUILD)/build.ninja: CMakeLists.txt
	@bash ci/setup.sh
	cmake -S . -B $(BUILD) -G Ninja

build: $(BUILD)/build.ninja
	@cmake --build $(BUILD) --target conclab -- -j $(JOBS)

# Grade the exercises in this working tree with their visible tests.
# It also writes $(BUILD)/report.html (docs/reports.md) and prints its path.
check: build
	@$(CONCLAB) grade . --visible $(addprefix --exercise ,$(EX)) $(addprefix --test ,$(TEST)) \
		$(addprefix --seed ,$(SEED)) --html $(BUILD)/report.html $(ARGS)

# The project's own test suite (what CI runs).
test: $(BUILD)/build.ninja
	@cmake --build $(BUILD) -- -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

# Grade the bundled sample class and show the gradebook and one report.
demo: build
	@bash demo/run.sh $(BUILD)

# Write the student repository (no reference/, no hidden graders) to OUT.
OUT ?= ../conclab-handout
handout: build
	@$(CONCLAB) handout --out $(OUT)

clean:
	rm -rf $(BUILD)
