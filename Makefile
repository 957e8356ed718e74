# The two commands of the README: `make lab` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.kernelsim-installed

.PHONY: lab test setup system-packages exercises clean

setup: $(STAMP)

# Debian's graphviz gives the diagram its `dot` renderer, and fonts-nanum gives
# the Korean course's plots their Hangul; without root or apt-get the course
# falls back to a pip-installed renderer and English plot labels.
NANUM := /usr/share/fonts/truetype/nanum/NanumGothic.ttf

system-packages:
	@need=""; command -v dot >/dev/null 2>&1 || need="graphviz"; [ -e $(NANUM) ] || need="$$need fonts-nanum"; \
	if [ -n "$$need" ] && command -v apt-get >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi; \
	  if [ "$$SUDO" != none ]; then \
	    echo "Installing$$need with apt-get"; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$need >/dev/null || echo "warning: apt-get could not install$$need"; \
	  else echo "note: no root for apt-get; the diagram will use its pip-installed renderer and plots English labels"; fi; \
	fi

$(STAMP): pyproject.toml Makefile
	@$(MAKE) --no-print-directory system-packages
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[course,test]"
	@touch $(STAMP)

# JupyterLab with the same settings as Binder (binder/configure-lab), opened on
# the course index; LANG=ko... (or `make lab LANG=ko`) opens the Korean course.
COURSE_LANG    := $(if $(filter ko%,$(LANG)),ko,en)
LAB_CONFIGURED := $(VENV)/.kernelsim-lab-configured

$(LAB_CONFIGURED): $(STAMP) binder/configure-lab
	binder/configure-lab $(VENV)
	@touch $@

lab: setup $(LAB_CONFIGURED)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" KUBECONFIG="$${KERNELSIM_HOME:-$$HOME/.kernelsim}/kubeconfig" \
	  $(VENV)/bin/jupyter lab \
	  --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=. \
	  --LabApp.default_url=/lab/tree/course/$(COURSE_LANG)/00_index.ipynb \
	  $(if $(filter 0,$(shell id -u)),--ServerApp.allow_root=True)

test: setup
	$(PY) -m pytest -q

# Instructors: rebuild solutions/ from solutions/*.md and exercises/ with
# `nbgrader generate_assignment` (docs/instructors.md).
exercises: setup
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) solutions/build.py --release

clean:
	rm -rf $(VENV)
