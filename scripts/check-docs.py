#!/usr/bin/env python3
"""Checks that the docs stay what a newcomer reads in ten minutes, and say what the code does.

Fails (exit 1, one line per finding) when:
- README.md is larger than 12,288 bytes;
- a file under tests/ or crates/*/tests/ is longer than 1,500 lines (split it by area);
- a Markdown file, or a comment or doc comment in the library's Rust (src/, tests/, benches/,
  examples/), tells the history of the work instead of what the code does: an issue number
  ("issue 11", "(issue ..."), "before issue", a work session ("the previous session", "the
  session before", "in this session"), "previously", "was changed", "Before, ...", "Before X
  existed". "Session" alone is a domain word (a login session), so only these phrases count.

Python 3 standard library only. Run from anywhere: `python3 scripts/check-docs.py`.
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

README_MAX_BYTES = 12_288
TEST_FILE_MAX_LINES = 1_500

# The library's Rust, whose comments are checked, and where Markdown is looked for.
RUST_DIRS = ["src", "tests", "benches", "examples"]
MARKDOWN_DIRS = ["src", "tests", "benches", "examples", "fuzz", "scripts"]
SKIP_DIRS = {"target", ".git", "node_modules", "corpus", "artifacts"}

HISTORY = [
    (re.compile(r"\bissues?\s+#?\d+", re.I), "names an issue number"),
    (re.compile(r"\(\s*issue\b", re.I), "names an issue"),
    (re.compile(r"\bbefore\s+issue\b", re.I), "dates a change by an issue"),
    (re.compile(r"\b(previous|earlier|prior|last)\s+(work\s+)?session\b", re.I),
     "refers to a work session"),
    (re.compile(r"\bthe\s+session\s+before\b", re.I), "refers to a work session"),
    (re.compile(r"\b(in|during|since|until|before|after)\s+this\s+session\b", re.I),
     "refers to a work session"),
    (re.compile(r"\bwork\s+session\b", re.I), "refers to a work session"),
    (re.compile(r"\b(round|iteration)\s+of\s+work\b", re.I), "refers to a round of work"),
    (re.compile(r"\bpreviously\b", re.I), "tells what the code did before"),
    (re.compile(r"\bwas\s+changed\s+(to|from|so|because|in)\b", re.I),
     "tells what was changed"),
    (re.compile(r"(^|[.!?]\s+|^\s*[-*]\s+|//[/!]?\s+)Before,\s"), "tells what the code did before"),
    (re.compile(r"\bBefore\s+\S+(\s+\S+)?\s+existed\b"), "tells what the code did before"),
]


def walk(dirs, suffixes):
    for top in dirs:
        base = os.path.join(ROOT, top)
        if not os.path.isdir(base):
            continue
        for path, subdirs, files in os.walk(base):
            subdirs[:] = sorted(d for d in subdirs if d not in SKIP_DIRS)
            for name in sorted(files):
                if name.endswith(suffixes):
                    yield os.path.join(path, name)


def rel(path):
    return os.path.relpath(path, ROOT)


def read_lines(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().splitlines()


def comment_of(line):
    """The comment part of a line of Rust: from the first `//` outside a string literal."""
    in_string = False
    escaped = False
    i = 0
    while i < len(line) - 1:
        c = line[i]
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c == "'" and i + 2 < len(line) and line[i + 2] == "'":
            i += 2  # a char literal such as '"'
        elif c == "/" and line[i + 1] == "/":
            return line[i:]
        i += 1
    return None


def history_findings(path, lines, comments_only):
    found = []
    for number, line in enumerate(lines, 1):
        text = comment_of(line) if comments_only else line
        if not text:
            continue
        for pattern, what in HISTORY:
            match = pattern.search(text)
            if match:
                found.append(f"{rel(path)}:{number}: {what}: {match.group(0).strip()!r}")
                break
    return found


def markdown_files():
    top = [os.path.join(ROOT, name) for name in sorted(os.listdir(ROOT)) if name.endswith(".md")]
    crates = os.path.join(ROOT, "crates")
    readmes = []
    if os.path.isdir(crates):
        for crate in sorted(os.listdir(crates)):
            readme = os.path.join(crates, crate, "README.md")
            if os.path.isfile(readme):
                readmes.append(readme)
    return top + readmes + list(walk(MARKDOWN_DIRS, (".md",)))


def main():
    findings = []

    readme = os.path.join(ROOT, "README.md")
    size = os.path.getsize(readme)
    if size > README_MAX_BYTES:
        findings.append(
            f"README.md: {size} bytes, above {README_MAX_BYTES}: move detail to DESIGN.md or the crate docs"
        )

    test_dirs = ["tests"]
    crates = os.path.join(ROOT, "crates")
    if os.path.isdir(crates):
        test_dirs += [os.path.join("crates", c, "tests") for c in sorted(os.listdir(crates))]
    for path in walk(test_dirs, ("",)):
        lines = len(read_lines(path))
        if lines > TEST_FILE_MAX_LINES:
            findings.append(
                f"{rel(path)}: {lines} lines, above {TEST_FILE_MAX_LINES}: split it by area"
            )

    for path in markdown_files():
        findings += history_findings(path, read_lines(path), comments_only=False)
    for path in walk(RUST_DIRS, (".rs",)):
        findings += history_findings(path, read_lines(path), comments_only=True)

    for finding in findings:
        print(finding)
    if findings:
        print(f"check-docs: {len(findings)} finding(s)", file=sys.stderr)
        return 1
    print("check-docs: README size, test file lengths and history wording all fine")
    return 0


if __name__ == "__main__":
    sys.exit(main())
