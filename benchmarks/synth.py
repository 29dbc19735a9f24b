"""A synthetic content project at scale, for benchmarks.

``make_project(root, messages=500, leaflets=200)`` copies the demo's audiences and
locale definitions, writes ``messages`` messages built from the demo messages'
bodies, ``leaflets`` A5 leaflets of two messages each in vi, rad and cmo, and PO
files for rad and cmo filled by pseudo-translation (each word's letters
reversed, placeholders and Markdown kept), so that builds do the real work of a
translated project.

    python benchmarks/synth.py /tmp/synth 500 200
"""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from mobcontent.content.load import load_project  # noqa: E402
from mobcontent.pipeline.translate import message_blocks  # noqa: E402

WORD = re.compile(r"\{[^{}]*\}|\]\([^)]*\)|\w+")


def pseudo(text: str) -> str:
    """Reverse the letters of each word; keep {placeholders} and link targets.

    >>> pseudo("Gọi {hotline} **ngay**")
    'iọG {hotline} **yagn**'
    """
    return WORD.sub(lambda m: m.group(0) if m.group(0)[0] in "{]" else m.group(0)[::-1], text)


def po_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def po_file(locale: str, entries: list[tuple[str | None, str, str]]) -> str:
    lines = ['msgid ""', 'msgstr ""', f'"Language: {locale}\\n"', '"MIME-Version: 1.0\\n"',
             '"Content-Type: text/plain; charset=UTF-8\\n"', '"Content-Transfer-Encoding: 8bit\\n"',
             '"Plural-Forms: nplurals=1; plural=0;\\n"', ""]
    for context, msgid, msgstr in entries:
        if "{" in msgid:
            lines.append("#, python-brace-format")
        if context:
            lines.append(f"msgctxt {po_quote(context)}")
        lines += [f"msgid {po_quote(msgid)}", f"msgstr {po_quote(msgstr)}", ""]
    return "\n".join(lines)


def _short(body: str, words: int = 110) -> str:
    """The first paragraphs of a body, about ``words`` words: two fit an A5 flyer."""
    kept, count = [], 0
    for block in body.strip().split("\n\n"):
        if count >= words:
            break
        kept.append(block)
        count += len(block.split())
    return "\n\n".join(kept) + "\n"


def make_project(root: Path, messages: int = 500, leaflets: int = 200) -> Path:
    if root.exists():
        shutil.rmtree(root)
    (root / "content" / "messages").mkdir(parents=True)
    (root / "content" / "leaflets").mkdir(parents=True)
    (root / "content" / "assets").mkdir(parents=True)
    (root / "mobcontent.yaml").write_text("name: Synthetic\nlocales: [vi, rad, cmo]\nissuer: Ban tuyên truyền\n",
                                          encoding="utf-8")
    audiences = (REPO / "content" / "audiences.yaml").read_text(encoding="utf-8")
    (root / "content" / "audiences.yaml").write_text(audiences, encoding="utf-8")
    for code in ("rad", "cmo"):
        (root / "locales" / code).mkdir(parents=True)
        shutil.copy(REPO / "locales" / code / "locale.yaml", root / "locales" / code / "locale.yaml")
    demo = load_project(REPO)
    sources = [m for m in demo.messages.values() if not m.audience and m.status == "approved"
               and not any(c.conditions for c in m.chunks)]
    for i in range(messages):
        source = sources[i % len(sources)]
        body = _short((REPO / source.path).read_text(encoding="utf-8").split("---\n", 2)[2])
        text = f"---\ntitle: {source.title} ({i})\ntopics: [t{i % 10}]\nstatus: approved\n---\n{body}"
        (root / "content" / "messages" / f"m{i:04d}.md").write_text(text, encoding="utf-8")
    ethnic = ["ede", "mnong", "kinh"]
    for j in range(leaflets):
        pair = [f"m{(2 * j) % messages:04d}", f"m{(2 * j + 1) % messages:04d}"]
        (root / "content" / "leaflets" / f"l{j:04d}.yaml").write_text(
            f"title: Tờ rơi số {j}\naudience: {{ethnic: {ethnic[j % 3]}, religion: none, zone: ea-kiet}}\n"
            f"locales: [vi, rad, cmo]\nlayout: a5-flyer\nmessages: [{', '.join(pair)}]\n"
            f"date: 2026-11-01\nedition: \"S-{j}\"\n", encoding="utf-8")
    project = load_project(root)
    for code in ("rad", "cmo"):
        folder = root / "locales" / code / "LC_MESSAGES" / "messages"
        folder.mkdir(parents=True)
        for message in project.messages.values():
            entries = [(None, message.title, pseudo(message.title))]
            entries += [(None, b.text, pseudo(b.text)) for b, _ in message_blocks(message)]
            unique = list({e[1]: e for e in entries}.values())
            (folder / f"{message.slug}.po").write_text(po_file(code, unique), encoding="utf-8")
        terms = []
        for dim in ("ethnic", "religion", "zone"):
            for profile in project.audiences.profiles(dim).values():
                terms.append((f"{dim}.{profile.id}.name", profile.name, pseudo(profile.name)))
                terms += [(f"{dim}.{profile.id}.terms.{k}", v, pseudo(v)) for k, v in profile.terms.items()]
                terms += [(f"{dim}.{profile.id}.{k}", v, pseudo(v)) for k, v in profile.fields.items()]
        (root / "locales" / code / "LC_MESSAGES" / "audiences.po").write_text(po_file(code, terms), encoding="utf-8")
    return root


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/mobcontent-synth")
    n_messages = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    n_leaflets = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    make_project(target, n_messages, n_leaflets)
    print(f"{target}: {n_messages} messages, {n_leaflets} leaflets × 3 locales")
