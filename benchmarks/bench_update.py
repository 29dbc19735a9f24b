"""Benchmark: ``mobcontent update`` against GNU ``msgmerge`` and ``pybabel update``.

Makes a synthetic project of N translated entries (Vietnamese-like sentences from the
demo's words), then edits the source: 10% typo-level edits (one or two letters), 5% heavy
edits (half the words replaced), the rest unchanged. Measures the time of each tool and
how many typo edits each found (fuzzy, with the right old translation) and how many
fuzzy matches were wrong (the translation of another sentence).

    .venv/bin/python benchmarks/bench_update.py --entries 10000 --baseline-entries 2000

mobcontent runs on the project layout (one PO per message, 20 entries each) and on one
single catalog (the data the other tools get).
"""
from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mobcontent.formats.po import Entry, PoFile, format_po, read_po  # noqa: E402
from mobcontent.l10n.update import update_project  # noqa: E402

WORDS = ("bà con buôn bon làng cột mốc biên giới đồn biên phòng báo ngay khi thấy hư hỏng giữ gìn đất đai ông "
         "bà tổ tiên bình yên rẫy rừng cháy mùa khô không đốt gọi công an cấp cứu xe máy đội mũ bảo hiểm "
         "rượu bia lái xe tiêm chủng trẻ em sốt xuất huyết muỗi nước sạch đuối nước sông suối lừa đảo mạng "
         "điện thoại mã tiền chuyển ngân hàng người thân già làng trưởng thôn họp tổ chức lễ hội mừng lúa mới "
         "ma túy mua bán người kết hôn sớm tảo hôn hòa giải cơ sở vượt biên trái phép pháp luật nhà nước").split()
HEADER = Entry(msgid="", msgstr="Project-Id-Version: bench\nMIME-Version: 1.0\nContent-Type: text/plain; "
               "charset=UTF-8\nContent-Transfer-Encoding: 8bit\nLanguage: rad\nPlural-Forms: nplurals=1; "
               "plural=0;\n")


def sentences(rng: random.Random, count: int) -> list[str]:
    out, seen = [], set()
    while len(out) < count:
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 30))).capitalize() + "."
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def typo(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 2)):
        i = rng.randrange(1, len(chars) - 1)
        op = rng.choice("sdi")
        if op == "s":
            chars[i] = rng.choice("aăâeêioôơuưy")
        elif op == "d":
            del chars[i]
        else:
            chars.insert(i, rng.choice("aeiou"))
    return "".join(chars)


def heavy(rng: random.Random, text: str) -> str:
    words = text.rstrip(".").split()
    for i in rng.sample(range(len(words)), len(words) // 2 + 1):
        words[i] = rng.choice(WORDS)
    rng.shuffle(words)
    return " ".join(words) + "!"


def pseudo(text: str) -> str:
    return " ".join(w[::-1] for w in text.split())


def make_data(entries: int, seed: int = 1):
    rng = random.Random(seed)
    old = sentences(rng, entries)
    new, kinds = [], []
    for text in old:
        roll = rng.random()
        if roll < 0.10:
            new.append(typo(rng, text)); kinds.append("typo")
        elif roll < 0.15:
            new.append(heavy(rng, text)); kinds.append("heavy")
        else:
            new.append(text); kinds.append("same")
    return old, new, kinds


def score(result: dict[str, tuple[str, bool]], old, new, kinds) -> dict:
    """``result``: new msgid → (msgstr, fuzzy). Typo edits found, wrong fuzzy matches."""
    found = wrong = heavy_found = 0
    for before, after, kind in zip(old, new, kinds):
        msgstr, fuzzy = result.get(after, ("", False))
        if kind == "same" or not msgstr:
            continue
        if msgstr == pseudo(before):
            found += kind == "typo"
            heavy_found += kind == "heavy"
        else:
            wrong += 1
    return {"typo_found": found, "typo_total": kinds.count("typo"), "heavy_matched": heavy_found,
            "wrong": wrong}


def po_text(msgids, msgstrs=None) -> str:
    entries = tuple(Entry(msgid=m, msgstr=s) for m, s in zip(msgids, msgstrs or [""] * len(msgids)))
    return format_po(PoFile(HEADER, entries))


def read_result(path: Path) -> dict:
    return {e.msgid: (e.msgstr, e.fuzzy) for e in read_po(path.read_bytes()).entries if not e.obsolete}


def fake_project(root: Path):
    config = SimpleNamespace(locales=("vi", "rad"), source_locale="vi", vi_tone_style="keep", name="bench")
    audiences = SimpleNamespace(profiles=lambda dimension: {})
    return SimpleNamespace(root=root, config=config, locales={}, audiences=audiences)


def run_mobcontent(work: Path, old, new, per_file: int) -> tuple[float, dict]:
    root = work / f"mobcontent-{per_file}"
    for start in range(0, len(old), per_file):
        name = f"m{start // per_file:04d}"
        pot = root / "locales/templates/messages" / f"{name}.pot"
        po = root / "locales/rad/LC_MESSAGES/messages" / f"{name}.po"
        pot.parent.mkdir(parents=True, exist_ok=True)
        po.parent.mkdir(parents=True, exist_ok=True)
        pot.write_text(po_text(new[start:start + per_file]), encoding="utf-8")
        po.write_text(po_text(old[start:start + per_file], [pseudo(t) for t in old[start:start + per_file]]),
                      encoding="utf-8")
    begin = time.perf_counter()
    update_project(fake_project(root))
    elapsed = time.perf_counter() - begin
    result = {}
    for path in (root / "locales/rad/LC_MESSAGES/messages").glob("*.po"):
        result.update(read_result(path))
    return elapsed, result


def run_tool(work: Path, name: str, command, old, new) -> tuple[float, dict]:
    folder = work / name
    folder.mkdir()
    (folder / "old.po").write_text(po_text(old, [pseudo(t) for t in old]), encoding="utf-8")
    (folder / "new.pot").write_text(po_text(new), encoding="utf-8")
    begin = time.perf_counter()
    subprocess.run(command(folder), check=True, capture_output=True)
    elapsed = time.perf_counter() - begin
    return elapsed, read_result(folder / "out.po")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=10000)
    parser.add_argument("--baseline-entries", type=int, default=2000,
                        help="entries for msgmerge and pybabel (pybabel is quadratic: 10,000 takes many minutes)")
    parser.add_argument("--no-pybabel", action="store_true", help="leave pybabel out")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for size in sorted({args.entries, args.baseline_entries}):
            old, new, kinds = make_data(size)
            sub = work / str(size)
            sub.mkdir()
            for per_file, label in ((20, "mobcontent update (PO per message)"),
                                    (size, "mobcontent update (one catalog)")):
                elapsed, result = run_mobcontent(sub, old, new, per_file)
                rows.append((size, label, elapsed, score(result, old, new, kinds)))
            if size != args.baseline_entries:
                continue
            if shutil.which("msgmerge"):
                elapsed, result = run_tool(sub, "msgmerge", lambda f: ["msgmerge", "-q", "-o", str(f / "out.po"),
                                                                        str(f / "old.po"), str(f / "new.pot")],
                                           old, new)
                rows.append((size, "GNU msgmerge", elapsed, score(result, old, new, kinds)))
            pybabel = shutil.which("pybabel") or str(Path(sys.executable).parent / "pybabel")
            if Path(pybabel).exists() and not args.no_pybabel:
                def command(f):
                    shutil.copy(f / "old.po", f / "out.po")
                    return [pybabel, "-q", "update", "-i", str(f / "new.pot"), "-o", str(f / "out.po"), "-l", "vi"]
                elapsed, result = run_tool(sub, "pybabel", command, old, new)
                rows.append((size, "pybabel update", elapsed, score(result, old, new, kinds)))
    print(f"{'entries':>7}  {'tool':<38} {'seconds':>8}  {'typo edits found':>16}  {'heavy matched':>13}  wrong")
    for size, label, elapsed, s in rows:
        print(f"{size:>7}  {label:<38} {elapsed:>8.2f}  {s['typo_found']:>7}/{s['typo_total']:<8}  "
              f"{s['heavy_matched']:>13}  {s['wrong']}")


if __name__ == "__main__":
    main()
