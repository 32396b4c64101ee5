# crm_extended developer commands (settings: see scripts/crmx.py or README.md)
PYTHON ?= python3

.PHONY: demo test test-host test-neighbours bench load lint fuzz

demo:   ## create the demo database if missing and serve it on http://127.0.0.1:8069
	@$(PYTHON) scripts/crmx.py demo

test:   ## run every test (Odoo tests, then out-of-process pytest tests)
	@$(PYTHON) scripts/crmx.py test

test-host:  ## run Odoo's own crm, sale and sale_crm tests on a database with crm_extended
	@$(PYTHON) scripts/crmx.py test-host

test-neighbours:  ## OCA's account_financial_risk and sale_financial_risk beside the addon: both sides' tests
	@$(PYTHON) scripts/crmx.py test-neighbours

bench:  ## benchmark on a scratch database, printing ratios to raw SQL
	@$(PYTHON) scripts/crmx.py bench

fuzz:   ## the gates' stateful fuzzer alone, longer (CRMX_FUZZ_EXAMPLES, default 3000)
	@$(PYTHON) scripts/crmx.py fuzz

load:   ## load test: seeded scratch databases, two prefork servers, Locust users (CRMX_LOAD_*)
	@$(PYTHON) scripts/crmx.py load

lint:
	@ruff check crm_extended tests scripts && ruff format --check crm_extended tests scripts
