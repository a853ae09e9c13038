"""Time ``appeal-kit --help`` and ``appeal-kit build --help`` against importing typer and rich.

The baseline is ``python -c "import typer, rich.console"``: what any Typer CLI
with rich output pays before it does anything. The three commands run one after
the other in the same loop, N times, and the medians are compared; the machine
may be shared, so read the ratios, not the seconds. The target (issue 13) is
``appeal-kit --help`` <= 1.5x the baseline.

    python benchmarks/bench_startup.py              # 15 rounds, the console's language
    python benchmarks/bench_startup.py --runs 31 --lang zh
    python benchmarks/bench_startup.py --before /tmp/old-checkout   # also an older tree, same loop
    python benchmarks/bench_startup.py --no-bytecode-cache   # our modules compiled on every start
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "import typer, rich.console"


def entry_point() -> Path:
    """The installed ``appeal-kit`` console script next to this Python."""
    script = Path(sys.executable).parent / "appeal-kit"
    if not script.is_file():
        found = shutil.which("appeal-kit")
        if found is None:
            raise SystemExit("appeal-kit is not installed here: pip install -e . first")
        script = Path(found)
    return script


def timed(command: list[str], env: dict[str, str]) -> float:
    """Wall-clock seconds of one run; a failing command stops the benchmark."""
    start = time.perf_counter()
    # Outside the checkout, so the import path is the installed one (or PYTHONPATH's).
    proc = subprocess.run(
        command, capture_output=True, check=False, env=env, cwd=tempfile.gettempdir()
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {proc.stderr.decode(errors='replace')}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="rounds of the loop (default 15)")
    parser.add_argument("--lang", choices=("en", "zh"), help="APPEAL_KIT_LANG for our commands")
    parser.add_argument(
        "--before",
        type=Path,
        help="also time the appeal_kit in this folder (e.g. an older checkout), same loop",
    )
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="run copies of the trees without .pyc files: our modules compiled on every start",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as scratch:
        run(args, Path(scratch))


def source_only(tree: Path, target: Path) -> Path:
    """A copy of ``tree``'s appeal_kit package without any ``__pycache__``; its parent folder."""
    shutil.copytree(
        tree / "appeal_kit", target / "appeal_kit", ignore=shutil.ignore_patterns("__pycache__")
    )
    return target


def run(args: argparse.Namespace, scratch: Path) -> None:
    """The timing loop and its report."""
    env = dict(os.environ)
    if args.lang:
        env["APPEAL_KIT_LANG"] = args.lang
    ours = env
    before = args.before.resolve() if args.before is not None else None
    if args.no_bytecode_cache:
        # Each tree is copied without its .pyc files and run so that none are written.
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        ours = dict(env, PYTHONPATH=str(source_only(ROOT, scratch / "now")))
        if before is not None:
            before = source_only(before, scratch / "before")
    else:
        # An installed appeal-kit has its .pyc files (pip compiles them, as it did typer's and
        # rich's); an editable checkout run with PYTHONDONTWRITEBYTECODE=1 never gets them and
        # compiles every module from source on each start. The warm-up run writes them.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    # The console script is run by this Python, as its shebang would, so PYTHONPATH can swap trees.
    script = [sys.executable, str(entry_point())]
    commands: dict[str, tuple[list[str], dict[str, str]]] = {
        "baseline": ([sys.executable, "-c", BASELINE], env),
        "--help": ([*script, "--help"], ours),
        "build --help": ([*script, "build", "--help"], ours),
    }
    if before is not None:
        old = dict(env, PYTHONPATH=str(before))
        commands["before --help"] = ([*script, "--help"], old)
        commands["before build --help"] = ([*script, "build", "--help"], old)
    for command, command_env in commands.values():
        timed(command, command_env)  # warm the page cache and the bytecode caches
    walls: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, (command, command_env) in commands.items():
            walls[name].append(timed(command, command_env))
    base = statistics.median(walls["baseline"])
    print(f'baseline: python -c "{BASELINE}", median {base * 1000:6.1f} ms')
    for name, times in walls.items():
        if name == "baseline":
            continue
        median = statistics.median(times)
        print(
            f"appeal-kit {name:20s} median {median * 1000:6.1f} ms, "
            f"ratio to baseline {median / base:5.2f}"
        )
    cache = "without" if args.no_bytecode_cache else "with"
    print(
        f"({args.runs} rounds, alternating, {cache} bytecode caches; "
        "target: appeal-kit --help / baseline <= 1.5)"
    )


if __name__ == "__main__":
    main()
