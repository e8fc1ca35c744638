# Two commands matter: `make demo` and `make test`. Both set up whatever is missing first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup system models lrs demo test lint docs bench soak package package-check clean

setup: system $(STAMP) models

system:
	@PYTHON=$(PYTHON) scripts/ensure-system-packages.sh runtime test

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@# mediapipe drags in the GUI build of OpenCV, which bundles Qt 5 and breaks Qt 6 (see
	@# docs/platform.md). Keep exactly one OpenCV: the headless build. All opencv-* share cv2/,
	@# so remove every one first, then reinstall the headless one whole.
	$(BIN)/python -m pip uninstall --quiet -y opencv-python opencv-contrib-python \
		opencv-python-headless opencv-contrib-python-headless
	$(BIN)/python -m pip install --quiet --no-deps --force-reinstall \
		'opencv-contrib-python-headless>=4.10,<5'
	@touch $(STAMP)

# The BlazeFace models come from the last mediapipe wheel that shipped them (see docs/platform.md),
# fetched from PyPI into the product's cache and checked against pinned SHA-256 sums.
# The script is a fast no-op when the cached files are there with the right hashes.
models: $(STAMP)
	@$(BIN)/python scripts/fetch_face_model.py

demo: setup
	@scripts/run-demo.sh $(BIN)/kiosk

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The suite reports to a real learning record store: Ralph, in a virtual environment of its own
# (its web stack stays out of the kiosk's). About 25 s the first time.
RALPH := .venv-ralph
lrs: $(RALPH)/.installed

$(RALPH)/.installed:
	@test -x $(RALPH)/bin/python || $(PYTHON) -m venv $(RALPH)
	$(RALPH)/bin/python -m pip install --quiet 'ralph-malph[lrs,cli]==5.1.0' 'requests>=2,<3'
	@touch $@

test: lint lrs
	$(BIN)/python -m pytest

# Measurements, never timed assertions in tests: about 20 minutes with the defaults, on a
# machine doing nothing else. Each script saves its figures (bench/out/); report.py writes
# bench/results.md and the README's performance summary from them.
bench: setup
	$(BIN)/python bench/bench_events.py
	$(BIN)/python bench/bench_kiosk.py
	$(BIN)/python bench/report.py

# An hour of exam at four times the analysis rate, PSS every minute (bench/out/soak.json).
soak: setup
	$(BIN)/python bench/bench_kiosk.py --soak 60
	$(BIN)/python bench/report.py

# The installed kiosk: a PyInstaller bundle (dist/kiosk/, the face models inside) and a .deb
# that installs it to /opt/kiosk (packaging/build_deb.py); package-check installs that .deb on
# this machine as root, checks the installed program and removes it (packaging/check_installed.py).
package: setup
	@scripts/ensure-system-packages.sh package
	$(BIN)/python -m pip install --quiet 'pyinstaller==6.*'
	$(BIN)/pyinstaller --noconfirm --log-level ERROR --distpath dist --workpath build/pyinstaller \
		packaging/kiosk.spec
	$(BIN)/python packaging/build_deb.py

package-check: package
	$(BIN)/python packaging/check_installed.py dist/kiosk_*.deb

docs: setup
	$(BIN)/python -m bridge.docs > docs/events.md
	$(BIN)/python -m kiosk.config.docs > docs/configuration.md
	$(BIN)/python -m kiosk.report.docs > docs/xapi.md

clean:
	rm -rf $(VENV) $(RALPH) .pytest_cache .mypy_cache .ruff_cache build dist models
