#!/usr/bin/env python3
"""Word-level F1 of extracted texts against ground truth.

Usage: f1.py PAIRS_FILE OUT_DIR [--per-file]
PAIRS_FILE lines: <output base name>\t<ground-truth path>. Words are NFKC-normalised, lower-cased runs of
letters and digits; F1 compares them as multisets (order-insensitive), summed over all files (micro average).
"""
import collections
import re
import sys
import unicodedata
from pathlib import Path

WORD = re.compile(r"[^\W_]+", re.UNICODE)


def words(text):
    return collections.Counter(WORD.findall(unicodedata.normalize("NFKC", text).lower()))


def main():
    pairs, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    per_file = "--per-file" in sys.argv
    tp = fp = fn = 0
    for line in pairs.read_text().splitlines():
        name, truth = line.split("\t")
        got_path = out_dir / (name + ".txt")
        got = words(got_path.read_text(errors="replace")) if got_path.exists() else collections.Counter()
        want = words(Path(truth).read_text(errors="replace"))
        common = sum((got & want).values())
        tp += common
        fp += sum(got.values()) - common
        fn += sum(want.values()) - common
        if per_file:
            g, w = sum(got.values()), sum(want.values())
            f = 2 * common / (g + w) if g + w else 1.0
            print(f"  {f:.3f}  {name}", file=sys.stderr)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"{f1:.4f} {precision:.4f} {recall:.4f}")


if __name__ == "__main__":
    main()
