# 韶关户籍政策助手 — the front door. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      ?= .venv
BIN       := $(VENV)/bin
PY        := $(BIN)/python
RASA      := $(BIN)/rasa
MODEL     := models/shaoguan-hukou.tar.gz
RASA_PORT ?= 5005
ACTION_PORT ?= 5055
WEB_PORT  ?= 8080

# Embedded defaults (SQLite, local action server). Override from the environment.
# An address, not "localhost": Rasa's aiohttp client looks a name up in a thread on every action
# call (8% of the Rasa process's CPU under load in make bench).
export ACTION_ENDPOINT_URL ?= http://127.0.0.1:$(ACTION_PORT)/webhook
export TRACKER_DB_DIALECT  ?= sqlite
export TRACKER_DB          ?= var/tracker.db
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONPATH := $(CURDIR)

TRAINING_INPUTS := config.yml $(wildcard bot/domain/*.yml) $(wildcard data/nlu/*.yml) \
	$(wildcard data/stories/*.yml) policy_kb/data/glossary.yml $(wildcard bot/components/*.py)
WEBCHAT_SOURCES := $(addprefix webchat/,index.html app.js style.css favicon.svg build.mjs package.json)

.PHONY: help setup generate train webchat chromium run test test-unit test-data test-conversations test-e2e eval import-applications staff-user report lock clean lint

help: ## list the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-20s %s\n", $$1, $$2}'

# Rasa 3.6 needs Python 3.10: take python3.10 from PATH if it really runs, else pyenv's.
$(VENV)/.installed: requirements.lock
	@py=""; for c in python3.10 $$(ls -d $$HOME/.pyenv/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V -r) /usr/bin/python3.10 /usr/local/bin/python3.10; do \
	  if "$$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; then py="$$c"; break; fi; done; \
	if [ -z "$$py" ]; then echo "错误：未找到 Python 3.10（Rasa 3.6 需要 Python 3.10）。请安装 python3.10 或用 pyenv 安装 3.10.x。" >&2; exit 1; fi; \
	echo "使用 $$py 创建虚拟环境 $(VENV)"; \
	"$$py" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade 'pip==24.0'
	$(PY) -m pip install --quiet --no-deps -r requirements.lock
	$(PY) -m pip check
	@touch $@

setup: $(VENV)/.installed ## create the virtualenv and install the locked dependencies

data/nlu/glossary.yml: policy_kb/data/glossary.yml $(VENV)/.installed
	$(PY) -m policy_kb.authoring.export_nlu > $@.tmp && mv $@.tmp $@

generate: data/nlu/glossary.yml ## regenerate NLU synonyms/lookups from the glossary

# Trains only when training data, config or the glossary changed (make compares timestamps;
# Rasa's own cache then reuses every unchanged component).
$(MODEL): $(VENV)/.installed data/nlu/glossary.yml $(TRAINING_INPUTS)
	$(PY) -m policy_kb.authoring.check
	$(RASA) train --config config.yml --domain bot/domain --data data --out models --fixed-model-name shaoguan-hukou
	@touch $@

train: $(MODEL) ## train the model if its inputs changed

webchat/node_modules/.installed: webchat/package-lock.json webchat/package.json
	cd webchat && npm ci
	@touch $@

# Rebuilds webchat/dist (not committed) only when a source or the lockfile changed.
webchat/dist/index.html: webchat/node_modules/.installed $(WEBCHAT_SOURCES)
	cd webchat && npm run --silent build

webchat: webchat/dist/index.html ## build the web chat page into webchat/dist (npm ci + esbuild)

# A CJK font too, or the test's screenshot shows boxes instead of Chinese.
/usr/bin/chromium:
	apt-get update && apt-get install -y chromium fonts-wqy-microhei

chromium: /usr/bin/chromium ## install Debian's chromium (and a CJK font) for the browser test, if missing (needs root)

run: $(MODEL) webchat ## start the action server, Rasa (REST on :5005) and the chat page (http://localhost:8080/)
	@mkdir -p var
	$(PY) -m launcher.embedded --model $(MODEL) --rasa-port $(RASA_PORT) --action-port $(ACTION_PORT) --web-port $(WEB_PORT)

test: lint test-unit test-data test-conversations test-e2e ## every test tier (lint first: ruff and the layer contracts)

lint: $(VENV)/.installed ## ruff (check and format) and the layer contracts in pyproject.toml (lint-imports)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test-unit: $(MODEL) ## pytest for policy_kb, components, channels and actions
	$(PY) -m pytest -q tests --ignore=tests/e2e

test-data: $(VENV)/.installed data/nlu/glossary.yml ## rasa data validate, warnings fail
	$(RASA) data validate --config config.yml --domain bot/domain --data data --fail-on-warnings

test-conversations: $(MODEL) ## conversation tests (NLU + dialogue), failing on any wrong prediction
	$(RASA) test core --e2e --model $(MODEL) --stories tests/conversations --fail-on-prediction-errors --out var/results/conversations

test-e2e: $(MODEL) webchat /usr/bin/chromium ## start the whole stack; ask it over REST and in headless Chromium
	$(PY) -m pytest -q tests/e2e

# Baseline (b) of the evaluation is trained here, never into models/.
EVAL_MODELS ?= var/eval-models

# The blind sets of issue 16 (tests/eval/sets/), one per session: each was a session's unseen figure and then
# informed the next session's fixes; "tenth" (written blind on 2026-12-08, eighth session) is the figure to
# quote (README, 评测).
BLIND_SETS := tests/eval/sets

eval: $(MODEL) ## held-out accuracy vs two baselines, NLU cross-validation, eligibility, the blind sets (reports/; not a gate)
	$(PY) -m tests.eval.run_eval --model $(MODEL) --baseline-dir $(EVAL_MODELS)
	$(PY) -m tests.eval.eligibility_eval --model $(MODEL)
	$(PY) -m tests.eval.eligibility_eval --model $(MODEL) --profiles tests/eval/eligibility_profiles_unseen.yml
	$(PY) -m tests.eval.blind_eval --model $(MODEL) --label first \
	  --questions $(BLIND_SETS)/real_questions_first.yml --dialogues $(BLIND_SETS)/dialogues_first.yml
	$(PY) -m tests.eval.eligibility_eval --model $(MODEL) --profiles $(BLIND_SETS)/eligibility_first.yml
	$(PY) -m tests.eval.blind_eval --model $(MODEL) --label final \
	  --questions $(BLIND_SETS)/real_questions_final.yml --dialogues $(BLIND_SETS)/dialogues_final.yml
	$(PY) -m tests.eval.eligibility_eval --model $(MODEL) --profiles $(BLIND_SETS)/eligibility_final.yml
	$(PY) -m tests.eval.blind_eval --model $(MODEL) --label fresh \
	  --questions $(BLIND_SETS)/real_questions_fresh.yml --dialogues $(BLIND_SETS)/dialogues_fresh.yml
	$(PY) -m tests.eval.eligibility_eval --model $(MODEL) --profiles $(BLIND_SETS)/eligibility_fresh.yml
	$(PY) -m tests.eval.blind_eval --model $(MODEL) --label fourth \
	  --questions $(BLIND_SETS)/real_questions_fourth.yml --dialogues $(BLIND_SETS)/dialogues_fourth.yml
	$(PY) -m tests.eval.eligibility_eval --model $(MODEL) --profiles $(BLIND_SETS)/eligibility_fourth.yml
	$(PY) -m tests.eval.blind_eval --model $(MODEL) --label fifth \
	  --questions $(BLIND_SETS)/real_questions_fifth.yml --dialogues $(BLIND_SETS)/dialogues_fifth.yml
	$(PY) -m tests.eval.eligibility_eval --model $(MODEL) --profiles $(BLIND_SETS)/eligibility_fifth.yml
	$(PY) -m tests.eval.blind_eval --model $(MODEL) --label sixth \
	  --questions $(BLIND_SETS)/real_questions_sixth.yml --dialogues $(BLIND_SETS)/dialogues_sixth.yml
	$(PY) -m tests.eval.eligibility_eval --model $(MODEL) --profiles $(BLIND_SETS)/eligibility_sixth.yml
	$(PY) -m tests.eval.blind_eval --model $(MODEL) --label seventh \
	  --questions $(BLIND_SETS)/real_questions_seventh.yml --dialogues $(BLIND_SETS)/dialogues_seventh.yml
	$(PY) -m tests.eval.eligibility_eval --model $(MODEL) --profiles $(BLIND_SETS)/eligibility_seventh.yml
	$(PY) -m tests.eval.blind_eval --model $(MODEL) --label eighth \
	  --questions $(BLIND_SETS)/real_questions_eighth.yml --dialogues $(BLIND_SETS)/dialogues_eighth.yml
	$(PY) -m tests.eval.eligibility_eval --model $(MODEL) --profiles $(BLIND_SETS)/eligibility_eighth.yml
	$(PY) -m tests.eval.blind_eval --model $(MODEL) --label ninth \
	  --questions $(BLIND_SETS)/real_questions_ninth.yml --dialogues $(BLIND_SETS)/dialogues_ninth.yml
	$(PY) -m tests.eval.eligibility_eval --model $(MODEL) --profiles $(BLIND_SETS)/eligibility_ninth.yml
	$(PY) -m tests.eval.blind_eval --model $(MODEL) --label tenth \
	  --questions $(BLIND_SETS)/real_questions_tenth.yml --dialogues $(BLIND_SETS)/dialogues_tenth.yml
	$(PY) -m tests.eval.eligibility_eval --model $(MODEL) --profiles $(BLIND_SETS)/eligibility_tenth.yml

# Figures, never a gate: load over REST at 1/5/20/50 conversations vs a bare Rasa yardstick, memory,
# cold start, answer-change and training times, a per-message profile (reports/bench.md, .json, .png).
# SKIP_TRAINING=1 leaves out the training from scratch (~1–2 min); BENCH_ARGS passes more options
# (e.g. BENCH_ARGS="--seconds 10 --levels 1,20 --no-profile"; python -m bench --help lists them).
.PHONY: bench
bench: $(MODEL) ## 性能基准：吞吐、延迟、内存、冷启动、训练与改答案生效时间（reports/bench.md；SKIP_TRAINING=1）
	$(PY) -m bench $(if $(SKIP_TRAINING),--skip-training) $(BENCH_ARGS)

# The embedded profile migrates by itself (each process on first use); this is for a database that
# is shared or watched, and says what it did. The scaled profile: make migrate-scaled, below.
.PHONY: migrate
migrate: $(VENV)/.installed ## 数据库迁移：把 STATUS_DB_URL、CONSOLE_DB_URL（默认 var/ 下的 SQLite）升级到最新结构
	$(PY) -m deploy.migrate

# Reads STATUS_DB_URL / STATUS_HMAC_SECRET like the action server; ONLY_VALID=1 imports the good
# rows of a file that has bad ones (by default such a file imports nothing).
import-applications: $(VENV)/.installed ## 导入户籍系统导出的申请进度（FILE=路径.csv/.xlsx）
	@if [ -z "$(FILE)" ]; then echo "错误：请用 FILE 指定导出文件，例如 make import-applications FILE=导出.csv" >&2; exit 2; fi
	$(PY) -m status_store.importer "$(FILE)" $(if $(ONLY_VALID),--only-valid)

# Console accounts go into CONSOLE_DB_URL (default var/console.db). The password is asked twice
# without echo, or read from STAFF_PASSWORD for scripts; it is never a command-line argument.
# USERNAME/ROLE count only when given on make's command line: sudo exports USERNAME=root.
staff-user: $(VENV)/.installed ## 创建/更新坐席账号（USERNAME=… ROLE=hotline|comms|reviewer|admin；DISABLE=1 停用）
	@$(PY) -m console.staff_user \
	  $(if $(filter command line,$(origin USERNAME)),--username "$(USERNAME)") \
	  $(if $(filter command line,$(origin ROLE)),--role "$(ROLE)") $(if $(DISABLE),--disable)

report: $(VENV)/.installed ## 居民问了、助手没答好的问题（按相似度归组）和评价最差的答案；DRAFT=N 输出第 N 组的 FAQ 草稿
	$(PY) -m console.insights $(if $(DRAFT),--draft $(DRAFT))

# FAQ upkeep by the communications team (README「常见问题维护」). None of it retrains: FAQ phrasings
# feed the search index, which the running assistant rebuilds when the published version changes.
# FAQ_SIMILARITY: how alike (0–1) two questions may be before the check calls them near-duplicates.
FAQ_SIMILARITY ?= 0.80
.PHONY: faq-check faq-export faq-import faq-publish faq-history faq-rollback

faq-check: $(VENV)/.installed ## 检查常见问题：条款引用、复核日期、微信长度、近似重复（FAQ_SIMILARITY=0.80）
	$(PY) -m policy_kb.authoring.faq_lint --threshold $(FAQ_SIMILARITY)

faq-export: $(VENV)/.installed ## 常见问题导出为表格（FILE=faqs.xlsx）
	@if [ -z "$(FILE)" ]; then echo "错误：请用 FILE 指定表格文件，例如 make faq-export FILE=faqs.xlsx" >&2; exit 2; fi
	$(PY) -m policy_kb.authoring.faq_xlsx export "$(FILE)"

faq-import: $(VENV)/.installed ## 从表格导入常见问题，有错误则一条也不写入（FILE=faqs.xlsx）
	@if [ -z "$(FILE)" ]; then echo "错误：请用 FILE 指定表格文件，例如 make faq-import FILE=faqs.xlsx" >&2; exit 2; fi
	$(PY) -m policy_kb.authoring.faq_xlsx import "$(FILE)"

faq-publish: $(VENV)/.installed ## 检查并发布常见问题新版本，助手下一条消息起生效（NOTE=说明）
	$(PY) -m policy_kb.authoring.publish publish --threshold $(FAQ_SIMILARITY) --note "$(NOTE)"

faq-history: $(VENV)/.installed ## 列出已发布的版本和回滚记录
	$(PY) -m policy_kb.authoring.publish history

faq-rollback: $(VENV)/.installed ## 切换回已发布的某个版本（VERSION=2，NOTE=原因）
	@if [ -z "$(VERSION)" ]; then echo "错误：请用 VERSION 指定版本号，例如 make faq-rollback VERSION=2（版本号见 make faq-history）" >&2; exit 2; fi
	$(PY) -m policy_kb.authoring.publish rollback "$(VERSION)" --note "$(NOTE)"

# ── Scaled deployment and fault drills (deploy/README.md) ──────────────────────────────────────
# Two Rasa servers and two action servers behind nginx, conversations in PostgreSQL, the ticket lock
# in Redis. PG_URL names the server (each store gets a database of its own on it); REDIS_URL ends in
# the database number. The drills need PostgreSQL, Redis and nginx and take minutes: not in make test.
PG_URL      ?= postgresql://postgres@127.0.0.1:5432/test
REDIS_URL   ?= redis://127.0.0.1:6379/5
SCALED_PORT ?= 8088
RETENTION_DAYS ?= 180
.PHONY: nginx run-scaled migrate-scaled chaos purge

# policy-rc.d in containers keeps Debian from starting a system nginx; we run our own.
/usr/sbin/nginx:
	apt-get update && apt-get install -y --no-install-recommends nginx

nginx: /usr/sbin/nginx ## install Debian's nginx for the scaled profile, if missing (needs root)

# An explicit step: run-scaled only checks the schema and refuses a database that is behind.
migrate-scaled: $(VENV)/.installed ## 扩展部署的数据库迁移：在 PG_URL 的服务器上建库、升级到最新结构（run-scaled 之前运行）
	$(PY) -m deploy.migrate --pg-url "$(PG_URL)"

run-scaled: $(MODEL) webchat /usr/sbin/nginx ## 扩展部署：2 个 Rasa + 2 个动作服务器，nginx 负载均衡，PostgreSQL + Redis（http://127.0.0.1:8088/）
	$(PY) -m deploy.scaled --model $(MODEL) --pg-url "$(PG_URL)" --redis-url "$(REDIS_URL)" --port $(SCALED_PORT)

chaos: $(MODEL) /usr/sbin/nginx ## 故障演练：杀进程、断数据库和 Redis、同一会话并发，检查居民仍得到礼貌答复（约 2 分钟）
	SCALED_DRILLS=1 $(PY) -m pytest -q tests/scaled

# TRACKER_URL: the tracker database as a SQLAlchemy URL, if not the one in bot/endpoints.yml;
# DRY_RUN=1 counts without deleting.
purge: $(VENV)/.installed ## 删除最近活动早于 RETENTION_DAYS 天（默认 180）的对话和居民反馈记录（DRY_RUN=1 只统计）
	SQLALCHEMY_SILENCE_UBER_WARNING=1 $(PY) -W ignore -m bot.retention --days $(RETENTION_DAYS) $(if $(TRACKER_URL),--tracker-url "$(TRACKER_URL)") $(if $(DRY_RUN),--dry-run)

lock: ## re-resolve requirements.in into the full pin list requirements.lock
	rm -rf var/lockenv && $(BIN)/python -m venv var/lockenv && var/lockenv/bin/pip install --quiet 'pip==24.0' && \
	var/lockenv/bin/pip install --quiet -r requirements.in && \
	(echo "# Full lock of every transitive dependency; regenerate with make lock."; var/lockenv/bin/pip freeze --all | grep -v '^pip==') > requirements.lock

clean: ## remove the virtualenv, models and run-time data
	rm -rf $(VENV) models var reports results .pytest_cache webchat/dist webchat/node_modules
