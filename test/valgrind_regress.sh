#!/usr/bin/env bash
# Memory check of all C code (issue 9): pg_regress tests and the fuzz test against a server under
# valgrind memcheck (scripts/valgrind.sh), failing on any report with a frame in buurtmonitor.so.
#   BM_VALGRIND unset or 0   skipped (developers' quick runs of scripts/test.sh)
#   BM_VALGRIND=1            what CI runs (.ci/run sets it): the regression tests of the C code on
#                            synthetic data (VALGRIND_TESTS below) and the fuzz test in its reduced
#                            mode (FUZZ_QUICK=1)
#   BM_VALGRIND=full         the whole regression suite and the full fuzz test (over an hour)
#   BM_VALGRIND=1 bash test/valgrind_regress.sh 100_aggregates 400_development   a subset, no fuzz
# docs/developing.md ("Memory checks") says why the CI subset is what it is.
set -euo pipefail
VALGRIND_TESTS="100_aggregates 110_aggregates_compensated 120_aggregates_parallel 130_weighted_quantile
200_overlap 210_crosswalk 215_crosswalk_formats 225_overlap_dirty 250_interpolate
400_development 420_significance 440_signals 500_deprivation 510_index_pipeline 520_sensitivity
550_social_score 551_priority_score 560_shrinkage 570_pca 600_classify 700_spatial_weights 710_spatial_stats
720_correlation 890_error_messages"
case "${BM_VALGRIND:-0}" in
    0) echo "valgrind_regress: skipped (BM_VALGRIND=1 for the CI memory check, full for everything)"; exit 0 ;;
    full) BM_SKIP_BUILD=1 BM_VALGRIND_FUZZ=full exec bash "$(dirname "$0")/../scripts/valgrind.sh" ;;
esac
if [ $# -gt 0 ]; then
    BM_SKIP_BUILD=1 exec bash "$(dirname "$0")/../scripts/valgrind.sh" "$@"
fi
BM_SKIP_BUILD=1 BM_VALGRIND_FUZZ=quick exec bash "$(dirname "$0")/../scripts/valgrind.sh" $VALGRIND_TESTS
