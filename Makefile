# The README's two commands:
#   make demo   install what is needed, build Release, run the main job on a built-in default
#   make check  install, build (ASan+UBSan), run every test, replay and run the fuzzers
JOBS ?= $(shell nproc)
BUILD ?= build/release
CHECK ?= build/check
FUZZ ?= build/fuzz
FUZZ_SECONDS ?= 20

.PHONY: all deps build demo check test fuzz bench install clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DICMPKIT_BUILD_TESTS=OFF

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@scripts/demo.sh $(BUILD)/src/cli/icmpkit

$(CHECK)/build.ninja:
	cmake -S . -B $(CHECK) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DICMPKIT_SANITIZE=ON \
	  -DICMPKIT_BUILD_TESTS=ON

$(FUZZ)/build.ninja:
	CXX=clang++ cmake -S . -B $(FUZZ) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_STANDARD=20 \
	  -DICMPKIT_PURE_ONLY=ON -DICMPKIT_FUZZ=ON -DICMPKIT_BUILD_TESTS=OFF -DICMPKIT_FUZZ_SECONDS=$(FUZZ_SECONDS)

test: deps $(CHECK)/build.ninja
	cmake --build $(CHECK) -j $(JOBS)
	cd $(CHECK) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS)

fuzz: deps $(FUZZ)/build.ninja
	cmake --build $(FUZZ) -j $(JOBS)
	cd $(FUZZ) && ctest --output-on-failure

check: test fuzz

bench: deps
	cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DICMPKIT_BUILD_BENCH=ON -DICMPKIT_BUILD_TESTS=OFF
	cmake --build build/bench -j $(JOBS)
	bench/run_all.sh build/bench

install: build
	cmake --install $(BUILD) $(if $(PREFIX),--prefix $(PREFIX))

clean:
	rm -rf build
