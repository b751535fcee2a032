# Stagewise. The two commands a newcomer needs:
#   make run    install what is missing, build, create the demo database
#               (with the Synthea patients of tests/data/synthea), serve
#   make test   install what tests need, build everything, run every suite
# Other targets: make (build only), make bench, make clean, make fhir-tables,
#   make install [PREFIX=/usr/local] [DESTDIR=], make uninstall
#   (docs/operations.md "Install").

MAKEFLAGS  += --no-print-directory
BUILD      ?= build
DB         ?= stagewise.db
LISTEN     ?= 127.0.0.1:8080
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_GEN   = cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

PREFIX     ?= /usr/local
DESTDIR    ?=
INSTALL_BUILD = $(BUILD)-install

.PHONY: all build run test bench clean fhir-tables install uninstall

all: build

build:
	@sh scripts/deps.sh build
	@$(CMAKE_GEN) -DSW_TESTS=OFF -DSW_SANITIZER_TREE=OFF -DSW_BENCH=OFF >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

run: build
	@test -f $(DB) || { $(BUILD)/stagewise init --db sqlite:$(DB) --demo && \
	    $(BUILD)/stagewise import --db sqlite:$(DB) tests/data/synthea; }
	@exec $(BUILD)/stagewise serve --db sqlite:$(DB) --listen $(LISTEN)

test:
	@sh scripts/deps.sh test
	@sh scripts/npm-deps.sh
	@$(CMAKE_GEN) -DSW_TESTS=ON -DSW_WERROR=ON -DSW_SANITIZER_TREE=ON -DSW_BENCH=OFF >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)
	@sh tests/run.sh $(BUILD) $(JOBS)

bench:
	@sh scripts/deps.sh bench
	@$(CMAKE_GEN) -DSW_BENCH=ON -DSW_TESTS=OFF -DSW_SANITIZER_TREE=OFF >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)
	@sh bench/run.sh $(BUILD)

# Regenerates src/fhir/gen/ from the pinned FHIR R4 definitions (npm).
fhir-tables:
	@cd tools/fhir-gen && npm ci --silent && node generate.mjs

# A build of its own whose program looks for the web app and the courses
# under PREFIX/share/stagewise; the configuration file is kept if present.
install:
	@sh scripts/deps.sh build
	@cmake -S . -B $(INSTALL_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DCMAKE_INSTALL_PREFIX=$(PREFIX) -DSW_INSTALLED_PATHS=ON \
	    -DSW_TESTS=OFF -DSW_SANITIZER_TREE=OFF -DSW_BENCH=OFF >/dev/null
	@cmake --build $(INSTALL_BUILD) -j$(JOBS) --target stagewise
	@DESTDIR="$(DESTDIR)" cmake --install $(INSTALL_BUILD)

# Removes what install wrote, except the configuration file and the data.
uninstall:
	@test -f $(INSTALL_BUILD)/install_manifest.txt || \
	    { echo "make uninstall: run make install first"; exit 1; }
	@grep -v '/stagewise\.conf$$' $(INSTALL_BUILD)/install_manifest.txt | \
	    while read -r f; do rm -f "$(DESTDIR)$$f"; done

clean:
	rm -rf $(BUILD)
