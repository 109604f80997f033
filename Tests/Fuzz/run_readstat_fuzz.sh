#!/bin/sh
# Kept for existing instructions: the ReadStat harness now runs through the
# common driver (Tests/Fuzz/run_fuzz.sh). Usage: Tests/Fuzz/run_readstat_fuzz.sh [seconds]
FUZZ_SECONDS=${1:-300} exec "$(dirname "$0")/run_fuzz.sh" readstat
