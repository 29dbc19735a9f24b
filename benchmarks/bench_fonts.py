"""How long the font kit takes to prepare, and what it saves per printed page.

Run from the repository root::

    .venv/bin/python benchmarks/bench_fonts.py

Prints: prepare_font_kit cold (instancing six faces) and warm (cache hit, in this
process and in a fresh one), then the time to write a one-page A5 PDF of
Vietnamese text with (a) the variable Noto Sans straight from the package and
(b) the kit's static Regular face; median of 3 runs each, and the ratio. The
page timings are taken twice: with WeasyPrint subsetting through HarfBuzz
(libharfbuzz-subset0 installed) and with its fontTools fallback.
"""
from __future__ import annotations

import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mobcontent.printing.fonts import prepare_font_kit  # noqa: E402

RUNS = 3
PARAGRAPH = (
    "Cùng bảo vệ cột mốc biên giới. Buổi họp của buôn được tổ chức chiều thứ Bảy; "
    "bà con hãy gọi 113 khi cần. Những người trẻ tuổi, đường dây nóng, nghiêm cấm, "
    "phòng chống mua bán người. Mỗi gia đình hãy cùng nhau giữ gìn an ninh trật tự, "
    "báo ngay cho trưởng buôn khi thấy người lạ đến hỏi đường ra biên giới."
)
WARM_IN_FRESH_PROCESS = """
import sys, time
from pathlib import Path
started = time.perf_counter()
from mobcontent.printing.fonts import prepare_font_kit
imported = time.perf_counter()
prepare_font_kit(Path(sys.argv[1]))
done = time.perf_counter()
print(f"{(imported - started) * 1000:.1f} {(done - imported) * 1000:.1f}")
"""


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def median_time(action) -> float:
    return statistics.median(timed(action) for _ in range(RUNS))


def write_a5(font_url: str) -> bytes:
    """Lay out and write one A5 page of Vietnamese in the font at ``font_url``."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    css = CSS(string=f'@font-face {{ font-family: "Bench"; src: url("{font_url}"); }}'
              '@page { size: A5; margin: 12mm } body { font-family: "Bench"; font-size: 10pt }',
              font_config=config)
    html = HTML(string="".join(f"<p>{PARAGRAPH}</p>" for _ in range(6)))
    document = html.render(stylesheets=[css], font_config=config)
    assert len(document.pages) == 1, f"{len(document.pages)} pages: shorten the text"
    return document.write_pdf()


def main() -> None:
    import fontpkg_noto_sans
    from weasyprint.text.ffi import harfbuzz_subset

    variable = Path(fontpkg_noto_sans.__file__).parent / "files" / "NotoSans[wdth,wght].ttf"
    with tempfile.TemporaryDirectory() as cache:
        cold = timed(lambda: prepare_font_kit(Path(cache)))
        warm = median_time(lambda: prepare_font_kit(Path(cache)))
        fresh = subprocess.run([sys.executable, "-c", WARM_IN_FRESH_PROCESS, cache], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.split()
        kit = prepare_font_kit(Path(cache))
        print(f"prepare_font_kit cold (6 faces):       {cold:8.2f} s")
        print(f"prepare_font_kit warm, same process:   {warm * 1000:8.2f} ms")
        print(f"prepare_font_kit warm, fresh process:  {float(fresh[1]):8.2f} ms"
              f"  (+ {fresh[0]} ms to import mobcontent.printing.fonts)")
        if not harfbuzz_subset:
            print("libharfbuzz-subset is not installed: both page timings use fontTools")
        for subsetter in ("HarfBuzz", "fontTools"):
            with subsetting_by(subsetter):
                with_variable = median_time(lambda: write_a5(variable.as_uri()))
                with_kit = median_time(lambda: write_a5(kit.face().path.as_uri()))
            print(f"A5 page, {subsetter} subsetting: variable Noto Sans {with_variable:7.3f} s, "
                  f"font kit {with_kit:7.3f} s (medians of {RUNS}): "
                  f"{with_variable / with_kit:.1f}x faster")


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


if __name__ == "__main__":
    main()
