"""Run Barometer over shards on a Dask.distributed cluster.

The pattern (map, then reduce) is the one of `barometer partial` / `barometer merge`:
each worker runs ``barometer partial COMMAND SHARD ARGS... --state-out STATE`` on its
shard (a file, or a row range of one CSV file) and returns the state's bytes; the
client writes the states and runs ``barometer merge STATE... [--format ...]``, which
prints exactly what ``barometer COMMAND`` prints on the whole data. Dask schedules;
Barometer only accumulates and merges.

    from distributed import Client, LocalCluster
    from barometer_dask import run_sharded, row_ranges

    with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster) as client:
        shards = row_ranges("survey.csv", 8)              # or a list of CSV file paths
        print(run_sharded(client, ["freq", "{shard}", "--codebook", "cb.json", "q1"], shards))

A shard that fails (a malformed row, an unknown variable) fails the whole job with
``ShardError`` naming the shard and Barometer's message (which names file and line).
The barometer binary must be on every worker (``barometer=`` path or ``$BAROMETER``).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Sequence, Union


class ShardError(RuntimeError):
    """A shard's `barometer partial` failed; the message names the shard."""


@dataclass(frozen=True)
class RowRange:
    """Data rows [start_byte, end_byte) of a CSV file whose first line is the header.

    Boundaries are at line starts: a quoted field spanning lines must not cross one
    (split such files into whole files instead)."""

    path: str
    start_byte: int
    end_byte: int

    def __str__(self) -> str:
        return f"{self.path} bytes {self.start_byte}-{self.end_byte}"


Shard = Union[str, RowRange]


def row_ranges(path: str, count: int) -> list[RowRange]:
    """Splits the data rows of a CSV file into `count` byte ranges at line starts."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        header = f.readline()
        first = len(header)
        cuts = [first]
        for k in range(1, count):
            target = first + (size - first) * k // count
            if target <= cuts[-1]:
                continue
            f.seek(target - 1)
            f.readline()  # finish the line holding the target byte
            pos = min(f.tell(), size)
            if pos > cuts[-1]:
                cuts.append(pos)
        cuts.append(size)
    return [RowRange(path, a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def _barometer(explicit: str | None) -> str:
    return explicit or os.environ.get("BAROMETER", "barometer")


def partial_state(args: Sequence[str], shard: Shard, barometer: str | None = None) -> bytes:
    """Runs `barometer partial` on one shard (on a worker); returns the state file's bytes.

    `args` is the command line after `barometer partial`, with "{shard}" where the
    data file goes."""
    with tempfile.TemporaryDirectory(prefix="barometer-shard-") as tmp:
        if isinstance(shard, RowRange):
            data = os.path.join(tmp, "shard.csv")
            with open(shard.path, "rb") as src, open(data, "wb") as dst:
                dst.write(src.readline())
                src.seek(shard.start_byte)
                dst.write(src.read(shard.end_byte - shard.start_byte))
        else:
            data = shard
        state = os.path.join(tmp, "shard.state")
        argv = [_barometer(barometer), "partial"] + [data if a == "{shard}" else a for a in args]
        argv += ["--state-out", state]
        run = subprocess.run(argv, capture_output=True, text=True)
        if run.returncode != 0:
            raise ShardError(f"shard {shard}: {run.stderr.strip() or run.stdout.strip()}")
        with open(state, "rb") as f:
            return f.read()


def merge_states(states: Sequence[bytes], output_format: str = "table", barometer: str | None = None) -> str:
    """Runs `barometer merge` over state bytes; returns what it prints."""
    with tempfile.TemporaryDirectory(prefix="barometer-merge-") as tmp:
        paths = []
        for k, s in enumerate(states):
            p = os.path.join(tmp, f"part{k:05d}.state")
            with open(p, "wb") as f:
                f.write(s)
            paths.append(p)
        run = subprocess.run([_barometer(barometer), "merge", *paths, "--format", output_format],
                             capture_output=True, text=True)
        if run.returncode != 0:
            raise ShardError(f"merge: {run.stderr.strip()}")
        return run.stdout


def run_sharded(client, args: Sequence[str], shards: Sequence[Shard], output_format: str = "table",
                barometer: str | None = None) -> str:
    """Maps `barometer partial ARGS` over `shards` on the cluster, merges on the client.

    Any failing shard fails the job (its ShardError is re-raised here)."""
    futures = client.map(partial_state, [list(args)] * len(shards), list(shards),
                         [barometer] * len(shards), pure=False)
    states = client.gather(futures)  # raises the first shard's error
    return merge_states(states, output_format, barometer)
