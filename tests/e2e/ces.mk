# customer effort (CES) surveys and retention figures in the report (issue 14)
TESTS += tests/e2e/ces.sh
EXTRA_DIST += tests/e2e/ces.sh
