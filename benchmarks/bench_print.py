"""Per-leaflet print time: the font kit against the variable Noto fonts, in one run.

Run from the repository root::

    .venv/bin/python benchmarks/bench_print.py [--runs N]

Builds every demo leaflet in Vietnamese (one PDF each, through
:func:`mobcontent.build.job.build_job`: translate, adapt, render, copyfit, write)
twice per run: with the font kit (static, subset faces) and with the variable
Noto Sans / Noto Serif files straight from the pip packages under the same
family names. Prints the median time per leaflet of each, and the ratio, with
WeasyPrint subsetting the embedded fonts through HarfBuzz (libharfbuzz-subset0)
and through its fontTools fallback. The first build of each kind is a warm-up
(it loads the fonts) and is not counted.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib.resources
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mobcontent.build.job import build_job
from mobcontent.build.plan import BuildOptions, plan_jobs
from mobcontent.content.load import load_project  # noqa: E402
from mobcontent.pipeline.fontkit import font_cache_dir, project_characters  # noqa: E402
from mobcontent.printing.fonts import SANS, SERIF, FontKit, prepare_font_kit  # noqa: E402
from mobcontent.printing.pdf import harfbuzz_subset_available  # noqa: E402

VARIABLE = {  # (family, weight, style) -> (module, file) of the packaged variable fonts
    (SANS, 400, "normal"): ("fontpkg_noto_sans", "NotoSans[wdth,wght].ttf"),
    (SANS, 700, "normal"): ("fontpkg_noto_sans", "NotoSans[wdth,wght].ttf"),
    (SANS, 400, "italic"): ("fontpkg_noto_sans", "NotoSans-Italic[wdth,wght].ttf"),
    (SANS, 700, "italic"): ("fontpkg_noto_sans", "NotoSans-Italic[wdth,wght].ttf"),
    (SERIF, 400, "normal"): ("fontpkg_noto_serif", "NotoSerif[wdth,wght].ttf"),
    (SERIF, 700, "normal"): ("fontpkg_noto_serif", "NotoSerif[wdth,wght].ttf"),
}


@dataclass(frozen=True)
class VariableFonts:
    """Stands in for the font kit: the same families, set in the packages' variable fonts."""

    kit: FontKit

    @property
    def key(self) -> str:
        return "variable-noto"

    @property
    def faces(self):
        return self.kit.faces

    @property
    def directory(self) -> Path:
        return Path(str(importlib.resources.files("fontpkg_noto_sans") / "files")).parent.parent

    def css(self) -> str:
        rules = []
        for (family, weight, style), (module, name) in VARIABLE.items():
            path = Path(str(importlib.resources.files(module) / "files" / name))
            rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: {style}; '
                         f'src: url("{path.as_uri()}") format("truetype"); }}')
        return "\n".join(rules)

    def missing(self, text: str, family: str = SANS) -> list[str]:
        return self.kit.missing(text, family)


def time_builds(project, jobs, kit, options) -> list[float]:
    """Seconds per job, each built once."""
    times = []
    for job in jobs:
        started = time.perf_counter()
        build_job(project, job, kit, options)
        times.append(time.perf_counter() - started)
    return times


def measure(project, jobs, kit, variable, options, runs: int) -> tuple[float, float]:
    """Median seconds per leaflet with the kit and with the variable fonts."""
    time_builds(project, jobs, kit, options)  # warm-up: fonts loaded, caches filled
    time_builds(project, jobs, variable, options)
    with_kit, with_variable = [], []
    for _ in range(runs):  # interleaved, so both see the same machine load
        with_kit += time_builds(project, jobs, kit, options)
        with_variable += time_builds(project, jobs, variable, options)
    return statistics.median(with_kit), statistics.median(with_variable)


@contextlib.contextmanager
def subsetting_by(subsetter: str):
    """Make WeasyPrint subset with HarfBuzz (if installed) or with its fontTools fallback."""
    import logging

    from weasyprint.pdf import fonts as pdf_fonts

    saved = pdf_fonts.harfbuzz_subset
    if subsetter == "fontTools":
        pdf_fonts.harfbuzz_subset = None
    logging.getLogger("weasyprint").disabled = True  # the fallback warns on every font
    try:
        yield
    finally:
        pdf_fonts.harfbuzz_subset = saved
        logging.getLogger("weasyprint").disabled = False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "demo"
        root.mkdir()
        shutil.copy(ROOT / "mobcontent.yaml", root)
        for folder in ("content", "locales"):
            shutil.copytree(ROOT / folder, root / folder)
        project = load_project(root)
        options = BuildOptions(locale="vi", formats=("pdf",))
        jobs = [job for job in plan_jobs(project, options) if job.locales == ("vi",)]
        kit = prepare_font_kit(font_cache_dir(project), project_characters(project))
        variable = VariableFonts(kit)
        print(f"{len(jobs)} demo leaflets (vi, one PDF each: layout, copyfit, write), medians of {args.runs} runs")
        subsetters = ["HarfBuzz", "fontTools"] if harfbuzz_subset_available() else ["fontTools"]
        if not harfbuzz_subset_available():
            print("  (libharfbuzz-subset0 is not installed: only the fontTools fallback is measured)")
        for subsetter in subsetters:
            with subsetting_by(subsetter):
                kit_median, variable_median = measure(project, jobs, kit, variable, options, args.runs)
            print(f"  fonts embedded with {subsetter:9}: font kit {kit_median * 1000:6.0f} ms, "
                  f"variable Noto {variable_median * 1000:6.0f} ms per leaflet — "
                  f"the kit is {variable_median / kit_median:.1f}x faster")


if __name__ == "__main__":
    main()
