"""Dask.distributed integration test: a LocalCluster with 2 worker processes maps
`barometer partial` over row ranges and files, `barometer merge` reduces, and the
result equals `barometer COMMAND` on the whole file (counts exactly, other numbers to
1e-12 relative; share's SEs and intervals 1e-11). A malformed shard fails the job naming the shard and line.

Run: BAROMETER=.build/debug/barometer python3 Tests/Integrations/dask/test_dask.py
(the Swift test `AccumulationTests.daskLocalCluster` runs it when dask is installed)."""

import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Sources", "Integrations", "dask"))

from barometer_dask import ShardError, row_ranges, run_sharded  # noqa: E402

SURVEY = os.path.join(ROOT, "Fixtures", "surveys", "kz2019-synthetic.csv")
CODEBOOK = os.path.join(ROOT, "Fixtures", "surveys", "kz2019-synthetic.codebook.json")
BAROMETER = os.environ.get("BAROMETER", os.path.join(ROOT, ".build", "debug", "barometer"))


def same(a, b, path="$", rel=1e-12):
    if isinstance(b, dict):
        assert isinstance(a, dict) and a.keys() == b.keys(), f"{path}: keys"
        for k in b:
            same(a[k], b[k], f"{path}.{k}", rel)
    elif isinstance(b, list):
        assert isinstance(a, list) and len(a) == len(b), f"{path}: lengths"
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{i}]", rel)
    elif isinstance(b, bool) or b is None or isinstance(b, str):
        assert a == b, f"{path}: {a!r} vs {b!r}"
    elif isinstance(b, int) and isinstance(a, int):
        assert a == b, f"{path}: {a} vs {b} (counts must be exact)"
    elif path.endswith(".designEffect"):
        pass  # (N - n)/N with weights summing to n: ill-conditioned, compared elsewhere
    else:
        assert abs(a - b) <= rel * max(abs(a), abs(b)), f"{path}: {a} vs {b}"


def whole(args):
    argv = [BAROMETER] + [SURVEY if a == "{shard}" else a for a in args] + ["--format", "json"]
    return json.loads(subprocess.run(argv, capture_output=True, text=True, check=True).stdout)


def main():
    from distributed import Client, LocalCluster

    commands = [
        ["freq", "{shard}", "--codebook", CODEBOOK, "q_leader_opinion"],
        ["crosstab", "{shard}", "--codebook", CODEBOOK, "--rows", "q_leader_opinion", "--cols", "sex"],
        ["mean", "{shard}", "--codebook", CODEBOOK, "q_eeu_benefit", "agegroup"],
        ["corr", "{shard}", "--codebook", CODEBOOK, "q_leader_opinion", "q_us_opinion", "agegroup"],
    ]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        ranges = row_ranges(SURVEY, 5)
        assert len(ranges) == 5
        for args in commands:
            merged = json.loads(run_sharded(client, args, ranges, "json", BAROMETER))
            same(merged, whole(args))
        # share --by: the ShareTable with its logit intervals (SEs and intervals at 1e-11, as PartialShareTests).
        share = ["share", "{shard}", "--codebook", CODEBOOK, "--of", "q_us_opinion in 1,2", "--by", "agegroup", "--weight", "wt"]
        same(json.loads(run_sharded(client, share, ranges, "json", BAROMETER)), whole(share), rel=1e-11)
        # Whole files as shards, and a malformed shard failing the job with its line.
        with tempfile.TemporaryDirectory() as tmp:
            with open(SURVEY) as f:
                lines = f.read().splitlines()
            files = []
            for k, chunk in enumerate([lines[1:1000], lines[1000:2500], lines[2500:]]):
                p = os.path.join(tmp, f"part{k}.csv")
                with open(p, "w") as f:
                    f.write("\n".join([lines[0]] + chunk) + "\n")
                files.append(p)
            merged = json.loads(run_sharded(client, commands[0], files, "json", BAROMETER))
            same(merged, whole(commands[0]))
            bad = os.path.join(tmp, "bad.csv")
            with open(bad, "w") as f:
                f.write("\n".join([lines[0], lines[1], "1,2,\"unterminated", lines[3]]) + "\n")
            try:
                run_sharded(client, commands[0], files[:1] + [bad], "json", BAROMETER)
            except ShardError as e:
                assert "bad.csv" in str(e), str(e)
                print("malformed shard reported:", e)
            else:
                raise AssertionError("a malformed shard did not fail the job")
    print("dask LocalCluster (2 workers): partial/merge equals the single pass")


if __name__ == "__main__":
    main()
