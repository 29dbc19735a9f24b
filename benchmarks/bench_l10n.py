"""Benchmark: translation memory in ``mobcontent update``, and the orthography and
glossary checks, on the synthetic 10,000-entry catalogs of ``bench_update.py``.

A project of N translated entries (one PO per message, 20 entries each), once updated, gets new
messages holding M more entries: half are sentences already translated in another
message (translation memory fills them, reviewed), a quarter are typo-level edits of
translated sentences (fuzzy, with the score), a quarter are new text. The update that
fills them is timed, and its fills are checked against the known translations. Then the
orthography and glossary checks run over every translated entry (pseudo-translations: words
reversed, so the syllable check has plenty to say).

    .venv/bin/python benchmarks/bench_l10n.py --entries 10000 --new 2000

and writes its section of ``docs/performance.md`` (between the bench_l10n markers).
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_update import fake_project, po_text, pseudo, read_result, sentences, typo  # noqa: E402

from mobcontent.l10n.update import update_project  # noqa: E402


def make_project(root: Path, entries: int, new: int, seed: int = 7):
    rng = random.Random(seed)
    old = sentences(rng, entries + new // 4)
    translated, fresh = old[:entries], old[entries:]
    base = root / "locales/templates/messages"
    out = root / "locales/rad/LC_MESSAGES/messages"
    base.mkdir(parents=True)
    out.mkdir(parents=True)
    for start in range(0, entries, 20):
        name = f"m{start // 20:04d}"
        chunk = translated[start:start + 20]
        (base / f"{name}.pot").write_text(po_text(chunk), encoding="utf-8")
        (out / f"{name}.po").write_text(po_text(chunk, [pseudo(t) for t in chunk]), encoding="utf-8")
    update_project(fake_project(root))  # the project as a previous update left it
    exact = rng.sample(translated, new // 2)
    typos = [(t, typo(rng, t)) for t in rng.sample(translated, new // 4)]
    added = exact + [t for _o, t in typos] + fresh
    rng.shuffle(added)
    for start in range(0, len(added), 20):
        (base / f"n{start // 20:04d}.pot").write_text(po_text(added[start:start + 20]), encoding="utf-8")
    return exact, typos, fresh


def bench_update(entries: int, new: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        exact, typos, fresh = make_project(root, entries, new)
        begin, cpu = time.perf_counter(), time.process_time()
        report = update_project(fake_project(root))
        elapsed, cpu = time.perf_counter() - begin, time.process_time() - cpu
        result = {}
        for path in (root / "locales/rad/LC_MESSAGES/messages").glob("n*.po"):
            result.update(read_result(path))
        filled_right = sum(result.get(t) == (pseudo(t), False) for t in exact)
        typo_right = sum(result.get(t) == (pseudo(o), True) for o, t in typos)
        wrong = sum(1 for t in fresh if result.get(t, ("", False))[0])
        return {"seconds": elapsed, "cpu": cpu, "files": len(report.files), "exact": len(exact), "filled": filled_right,
                "typos": len(typos), "typo_fuzzy": typo_right, "fresh": len(fresh), "fresh_wrong": wrong}


def bench_checks(entries: int) -> dict:
    """The orthography and glossary checks over ``entries`` translated rad entries (one PO
    per 20), with the demo's rad rules and a glossary of 15 made-up terms."""
    from mobcontent.checks.glossary import check_glossary
    from mobcontent.checks.orthography import check_orthography
    from mobcontent.content.load import load_project
    repo = Path(__file__).resolve().parent.parent
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel in ("mobcontent.yaml", "content/audiences.yaml", "locales/rad/locale.yaml",
                    "locales/rad/glossary.yaml"):
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes((repo / rel).read_bytes())
        (root / "mobcontent.yaml").write_text("name: bench\nlocales: [vi, rad]\n", encoding="utf-8")
        glossary = (root / "locales/rad/glossary.yaml")
        glossary.write_text(glossary.read_text(encoding="utf-8") + "".join(
            f"  - term: {w}\n    translation: {pseudo(w)}\n" for w in ("cột mốc", "biên giới", "rẫy", "rừng",
                                                                         "ma túy", "lừa đảo")), encoding="utf-8")
        texts = sentences(rng, entries)
        out = root / "locales/rad/LC_MESSAGES/messages"
        out.mkdir(parents=True)
        for start in range(0, entries, 20):
            chunk = texts[start:start + 20]
            (out / f"m{start // 20:04d}.po").write_text(po_text(chunk, [pseudo(t) for t in chunk]), encoding="utf-8")
        project = load_project(root)
        timings = {}
        for name, check in (("orthography", check_orthography), ("glossary", check_glossary)):
            begin, cpu = time.perf_counter(), time.process_time()
            found = list(check(project))
            timings[name] = (time.perf_counter() - begin, len(found), time.process_time() - cpu)
        return timings


START, END = "<!-- benchmarks/bench_l10n.py -->", "<!-- /benchmarks/bench_l10n.py -->"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=10000)
    parser.add_argument("--new", type=int, default=2000)
    parser.add_argument("--output", type=Path, default=Path(__file__).resolve().parent.parent / "docs" / "performance.md",
                        help="the Markdown file whose section between the bench_l10n markers is replaced")
    args = parser.parse_args()
    runs = [bench_update(args.entries, args.new) for _ in range(3)]
    best = min(runs, key=lambda r: r["seconds"])
    checks = [bench_checks(args.entries) for _ in range(3)]
    seconds = {name: min(run[name][0] for run in checks) for name in ("orthography", "glossary")}
    cpu = {name: min(run[name][2] for run in checks) for name in ("orthography", "glossary")}
    lines = [
        START,
        "## Translator workflow: translation memory, orthography and glossary checks",
        "",
        f"Measured by `benchmarks/bench_l10n.py` on {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {time.strftime('%Y-%m-%d')}; best of 3 (the machine is shared: "
        f"load average {os.getloadavg()[0]:.1f} when it started).",
        "",
        "| measurement | wall seconds | CPU seconds | target |",
        "|---|---|---|---|",
        f"| `update` filling {args.new} new entries from the memory of {args.entries} translated ones "
        f"({best['files']} PO files, one per message) | {best['seconds']:.2f} "
        "(runs: " + ", ".join(f"{r['seconds']:.2f}" for r in runs) + f") | {min(r['cpu'] for r in runs):.2f} | < 3 s |",
        f"| orthography check (letters, untranslated, syllables) over {args.entries} translated entries "
        f"({checks[0]['orthography'][1]} findings on pseudo-translations) | {seconds['orthography']:.2f} | "
        f"{cpu['orthography']:.2f} | reported |",
        f"| glossary check (terms, forbidden variants, inconsistent translations) over {args.entries} entries "
        f"| {seconds['glossary']:.2f} | {cpu['glossary']:.2f} | reported |",
        "",
        f"What the memory filled: {best['filled']}/{best['exact']} sentences already translated elsewhere became "
        f"reviewed translations; {best['typo_fuzzy']}/{best['typos']} typo-level edits were offered fuzzy with the "
        f"right translation and their score; {best['fresh_wrong']}/{best['fresh']} new sentences got a "
        "translation (wrong matches). The update reads every PO file of the locale once, indexes its "
        "translations (exact table, audience-term table, word-pair index) and asks rapidfuzz to score only "
        "the few candidates the index returns.",
        END,
    ]
    print("\n".join(lines))
    text = args.output.read_text(encoding="utf-8") if args.output.is_file() else ""
    if START in text and END in text:
        text = text[:text.index(START)] + "\n".join(lines) + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    args.output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
