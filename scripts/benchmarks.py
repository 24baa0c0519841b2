#!/usr/bin/env python3
"""BENCHMARKS.md from the benchmarks' own output.

    python3 scripts/benchmarks.py run [NAME ...]   run benches, save outputs in benches/results/
    python3 scripts/benchmarks.py [render]         write BENCHMARKS.md's tables from the outputs
    python3 scripts/benchmarks.py check            fail if BENCHMARKS.md differs from a render

Every bench prints one `BENCHMARK {json}` line per target it measures (fields: id, measure,
target, value, unit, baseline, baseline_value, baseline_unit if not the unit, ratio,
ratio_iqr, pairs, met (null for a comparison without a target), test_mode). `run`
saves a bench's whole output with a header (date, nproc, CPU model, load average at the start
and the end); `render` turns the saved lines into the table rows, so that a row always says what
a bench printed. Standard library only.
"""

import datetime
import difflib
import json
import os
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benches" / "results"
DOCUMENT = ROOT / "BENCHMARKS.md"
BEGIN = "<!-- benchmarks:begin (written by scripts/benchmarks.py render) -->"
END = "<!-- benchmarks:end -->"

# Every bench, in the table's order: its name and the command that runs it.
BENCHES = [
    ("codice_fiscale", "cargo bench -p inps-pin-benches --bench codice_fiscale -- --warm-up-time 1 --measurement-time 2"),
    ("entered_pin", "cargo bench -p inps-pin-benches --bench entered_pin -- --warm-up-time 1 --measurement-time 2"),
    ("hot_paths", "cargo bench -p inps-pin-benches --bench hot_paths -- --warm-up-time 1 --measurement-time 2"),
    ("authorise", "cargo bench -p inps-pin-benches --bench authorise -- --warm-up-time 1 --measurement-time 2"),
    ("login", "cargo bench -p inps-pin-benches --bench login"),
    ("account_size", "cargo bench -p inps-pin-benches --bench account_size -- --warm-up-time 1 --measurement-time 2"),
    ("r30_timing", "cargo bench -p inps-pin-benches --bench r30_timing"),
    ("civil_time", "cargo bench -p inps-pin-benches --bench civil_time -- --warm-up-time 1 --measurement-time 2"),
    ("sealed_load", "cargo bench -p inps-pin-benches --bench sealed_load -- --warm-up-time 1 --measurement-time 2"),
    (
        "population",
        "cargo run --release -p inps-pin-benches --example population -- 100000",
    ),
    ("ticker", "cargo bench -p inps-pin-sqlx --bench ticker"),
    ("http_logins", "cargo bench -p inps-pin-server --bench http_logins"),
    ("clickday_sqlite", "cargo run --release -p inps-pin-server --example clickday"),
    (
        "clickday_postgres",
        "cargo run --release -p inps-pin-server --example clickday -- --postgres",
    ),
]
COMMANDS = dict(BENCHES)


def header_value(lines, key):
    prefix = f"# {key}: "
    for line in lines:
        if line.startswith(prefix):
            return line[len(prefix):].strip()
    return None


def load_average():
    try:
        return " ".join(pathlib.Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def cpu_model():
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def run(names):
    unknown = [name for name in names if name not in COMMANDS]
    if unknown:
        sys.exit(f"unknown benches: {', '.join(unknown)} (known: {', '.join(COMMANDS)})")
    RESULTS.mkdir(parents=True, exist_ok=True)
    failed = []
    for name in names or list(COMMANDS):
        command = COMMANDS[name]
        # Built first, so that the run's output and load are the bench's own.
        build = command.replace("cargo bench", "cargo bench --no-run", 1).replace(
            "cargo run --release", "cargo build --release", 1
        ).split(" -- ")[0]
        print(f"== {name}: {build}", flush=True)
        subprocess.run(build, shell=True, cwd=ROOT, check=True)
        print(f"== {name}: {command}", flush=True)
        started = datetime.datetime.now(datetime.timezone.utc)
        header = [
            f"# benchmark: {name}",
            f"# command: {command}",
            f"# date: {started.strftime('%Y-%m-%dT%H:%M:%SZ')}",
            f"# nproc: {os.cpu_count()}",
            f"# cpu: {cpu_model()}",
            f"# load average at the start: {load_average()}",
        ]
        done = subprocess.run(
            command,
            shell=True,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        header.append(f"# load average at the end: {load_average()}")
        header.append(f"# exit status: {done.returncode}")
        output = "\n".join(header) + "\n" + done.stdout
        # Saved whatever the exit status: a bench that asserts a target prints its rows first,
        # and a row that misses its target belongs in the table all the same.
        (RESULTS / f"{name}.txt").write_text(output)
        rows = [line for line in done.stdout.splitlines() if line.startswith("BENCHMARK ")]
        print(f"== {name}: {len(rows)} result lines saved in benches/results/{name}.txt")
        if done.returncode != 0:
            failed.append(name)
            print(f"== {name} failed (exit status {done.returncode})", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}")


def number(value):
    """A figure with the digits that matter, thousands separated."""
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:,.1f}"
    return f"{value:,.2f}"


def quantity(value, unit):
    if value is None:
        return "—"
    if unit == "ns" and abs(value) >= 1000:
        value, unit = value / 1000, "µs"
        if abs(value) >= 1000:
            value, unit = value / 1000, "ms"
    if unit == "%":
        return f"{number(value)} %"
    return f"{number(value)} {unit}"


def ratio_text(row):
    ratio = row.get("ratio")
    if ratio is None:
        return "—"
    iqr = row.get("ratio_iqr")
    text = f"{ratio:.3f}" if abs(ratio) < 10 else f"{ratio:.1f}"
    if iqr:
        text += f" (IQR {iqr[0]:.3f}–{iqr[1]:.3f})"
    return text


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def read_results():
    """(bench name, header, rows) for every saved output, in the table's order."""
    found = []
    names = [name for name, _ in BENCHES]
    files = sorted(RESULTS.glob("*.txt"), key=lambda p: (
        names.index(p.stem) if p.stem in names else len(names), p.stem))
    for path in files:
        lines = path.read_text().splitlines()
        header = {
            key: header_value(lines, key)
            for key in ("command", "date", "nproc", "cpu", "load average at the start",
                        "exit status")
        }
        rows = []
        for line in lines:
            if line.startswith("BENCHMARK "):
                row = json.loads(line[len("BENCHMARK "):])
                row["bench"] = path.stem
                rows.append(row)
        found.append((path.stem, header, rows))
    return found


def short_cpu(cpu):
    return re.sub(r"\s+", " ", re.sub(r"\((R|TM)\)|CPU|Processor", "", cpu or "")).strip()


def render_tables():
    results = read_results()
    out = []
    out.append(
        "| Measure | Target | Measured | Baseline in the same run | Ratio | Met | "
        "Machine, load | Rerun |"
    )
    out.append("|---|---|---:|---|---:|:---:|---|---|")
    ids = set()
    for name, header, rows in results:
        load = (header["load average at the start"] or "?").split()[0]
        machine = f"{header['nproc']} cores, load {load}"
        for row in rows:
            if row["id"] in ids:
                raise SystemExit(f"{name}: the row id {row['id']} appears twice")
            ids.add(row["id"])
            baseline = row["baseline"]
            if row.get("baseline_value") is not None:
                unit = row.get("baseline_unit") or row["unit"]
                baseline += f": {quantity(row['baseline_value'], unit)}"
            met = "—" if row["met"] is None else "yes" if row["met"] else "**no**"
            if row.get("test_mode"):
                met += " (test mode)"
            out.append(
                "| "
                + " | ".join(
                    cell(c)
                    for c in (
                        row["measure"],
                        row["target"],
                        quantity(row["value"], row["unit"]),
                        baseline,
                        ratio_text(row),
                        met,
                        machine,
                        f"`{header['command']}`",
                    )
                )
                + " |"
            )
    out.append("")
    out.append("The runs the rows come from (`benches/results/NAME.txt`):")
    out.append("")
    out.append(
        "| Bench | Date (UTC) | nproc | CPU | Load average at the start (1, 5, 15 min) "
        "| Exit status |"
    )
    out.append("|---|---|---:|---|---|---:|")
    for name, header, rows in results:
        out.append(
            f"| [{name}](benches/results/{name}.txt) | {header['date']} | {header['nproc']} | "
            f"{short_cpu(header['cpu'])} | {header['load average at the start']} | "
            f"{header['exit status']} |"
        )
    missing = [name for name, _ in BENCHES if not (RESULTS / f"{name}.txt").exists()]
    if missing:
        out.append("")
        out.append(
            "No saved output yet, so no row: "
            + ", ".join(f"`{name}` (`{COMMANDS[name]}`)" for name in missing)
            + "."
        )
    return "\n".join(out) + "\n"


def rendered():
    text = DOCUMENT.read_text()
    start = text.find(BEGIN)
    end = text.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"BENCHMARKS.md has no markers {BEGIN!r} ... {END!r}")
    return text[: start + len(BEGIN)] + "\n" + render_tables() + text[end:]


def main(argv):
    command = argv[0] if argv else "render"
    if command == "run":
        run(argv[1:])
        DOCUMENT.write_text(rendered())
    elif command == "render":
        DOCUMENT.write_text(rendered())
    elif command == "check":
        expected = rendered()
        actual = DOCUMENT.read_text()
        if expected != actual:
            sys.stdout.writelines(
                difflib.unified_diff(
                    actual.splitlines(True),
                    expected.splitlines(True),
                    "BENCHMARKS.md",
                    "BENCHMARKS.md as rendered from benches/results/",
                )
            )
            sys.exit("BENCHMARKS.md differs from the saved outputs: run "
                     "`python3 scripts/benchmarks.py render`")
        saved = sum(1 for name, _ in BENCHES if (RESULTS / f"{name}.txt").exists())
        print(f"BENCHMARKS.md matches the saved outputs of {saved} of {len(BENCHES)} benches")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
