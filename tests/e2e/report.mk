# report --html rendered by headless Chromium (skips without chromium); the benchmark's
# generator and the PNG helper ship with it.
TESTS += tests/e2e/report_html.sh
EXTRA_DIST += tests/e2e/report_html.sh tests/e2e/png_colours.py tests/bench/report_bench.sh \
	tests/bench/report_gen.sql tests/bench/report_history.sh
# the report reads the figures tickets keep, never messages or events (issue 10)
TESTS += tests/e2e/report_kept.sh
EXTRA_DIST += tests/e2e/report_kept.sh
