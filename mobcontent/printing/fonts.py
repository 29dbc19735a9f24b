"""The font kit: static, subset Noto faces prepared once and cached.

Leaflets are printed with fonts from pip packages (``fontpkg-noto-sans``,
``fontpkg-noto-serif``), never with whatever the machine has. Those packages
ship variable fonts of ~3,000 glyphs; embedding one costs WeasyPrint seconds per
page, so :func:`prepare_font_kit` makes static instances once, subset to
:data:`BASE_REPERTOIRE` plus the project's own characters, and caches them in
``cache_dir/<key>/``. The kit is reproducible (same inputs, same bytes) and
safe to prepare from several processes at once.

The kit also avoids the text-extraction trap described in DESIGN.md "Print":
WeasyPrint maps each glyph to the first text it drew, so a font that splits one
character into several glyphs (Noto Sans' ``ccmp`` turns ọ into o + dot below)
makes "họp" extract as "hoịp". The kit drops every one-to-many substitution
(:func:`drop_decomposing_lookups`) and draws ê̆ ô̆ ơ̆ ư̆ as one glyph each
(:func:`add_stacked_letters`); :func:`check_stacking` proves that the breve
still stacks above the circumflex or horn.

    >>> kit = prepare_font_kit(Path("build/.fonts"))          # doctest: +SKIP
    >>> kit.missing("Buôn Ma Thuột ཀ")                        # doctest: +SKIP
    ['ཀ']
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.resources
import importlib.util
import io
import json
import os
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..base.errors import ContentError
from ..base.i18n import _
from .stacking import _STACKED_BASES, BREVE, _shape

# Bump when the way the kit is made changes, so old caches are not reused.
KIT_VERSION = "1"

SANS = "MC Sans"
SERIF = "MC Serif"


def _span(first: int, last: int) -> str:
    return "".join(chr(cp) for cp in range(first, last + 1))


BASE_REPERTOIRE: str = "".join([
    _span(0x0020, 0x007E),  # Basic Latin
    _span(0x00A0, 0x00FF),  # Latin-1 Supplement (incl. U+00A0 no-break space)
    _span(0x0100, 0x017F),  # Latin Extended-A (ĕ ĭ ŏ ŭ č)
    _span(0x0180, 0x024F),  # Latin Extended-B (ƀ ơ ư)
    "\u02BC\u02C6\u02C7\u02D8\u02D9\u02DA\u02DB\u02DC\u02DD",  # spacing accents, ʼ
    _span(0x0300, 0x036F),  # Combining Diacritical Marks (U+0306 for ê̆ ô̆ ơ̆ ư̆)
    _span(0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese)
    _span(0x2000, 0x206F),  # General Punctuation (’ – — … • U+2011 U+2060)
    _span(0x20A0, 0x20CF),  # Currency Symbols (₫)
    "№™→✓☎⚠",               # kept only where the font has them
])

# The OpenType features the PDF renderer (Pango/HarfBuzz) applies to Latin text
# by default; everything else (small caps, old-style figures, Indic shaping...)
# is dropped to keep the kit small.
LAYOUT_FEATURES = ("ccmp", "locl", "rlig", "liga", "clig", "calt", "rclt",
                   "kern", "mark", "mkmk", "curs", "dist", "abvm", "blwm")

_WIDTH = 100.0  # normal width: the packages' fonts also have condensed widths


@dataclass(frozen=True)
class FontFace:
    """One static face of the kit, as CSS ``@font-face`` describes it."""

    family: str
    weight: int
    style: str  # "normal" | "italic"
    path: Path


@dataclass(frozen=True)
class _FaceSpec:
    """Which face to make, and from which packaged variable font."""

    family: str
    weight: int
    style: str
    distribution: str  # pip name, for versions and install hints
    module: str
    filename: str

    @property
    def kit_filename(self) -> str:
        slug = self.family.lower().replace(" ", "-")
        return f"{slug}-{self.weight}-{self.style}.ttf"


_SANS_UPRIGHT = ("fontpkg-noto-sans", "fontpkg_noto_sans", "NotoSans[wdth,wght].ttf")
_SANS_ITALIC = ("fontpkg-noto-sans", "fontpkg_noto_sans", "NotoSans-Italic[wdth,wght].ttf")
_SERIF_UPRIGHT = ("fontpkg-noto-serif", "fontpkg_noto_serif", "NotoSerif[wdth,wght].ttf")

_FACE_SPECS = (
    _FaceSpec(SANS, 400, "normal", *_SANS_UPRIGHT),
    _FaceSpec(SANS, 700, "normal", *_SANS_UPRIGHT),
    _FaceSpec(SANS, 400, "italic", *_SANS_ITALIC),
    _FaceSpec(SANS, 700, "italic", *_SANS_ITALIC),
    _FaceSpec(SERIF, 400, "normal", *_SERIF_UPRIGHT),
    _FaceSpec(SERIF, 700, "normal", *_SERIF_UPRIGHT),
)


@dataclass(frozen=True)
class FontKit:
    """A prepared kit: its directory, its faces and the key it is cached under."""

    directory: Path
    faces: tuple[FontFace, ...]
    key: str

    def css(self) -> str:
        """Return ``@font-face`` rules for every face, with absolute ``file://`` URLs.

        WeasyPrint needs the same ``FontConfiguration`` passed to ``CSS()`` and
        ``write_pdf()`` for these rules to take effect.

        >>> face = FontFace("MC Sans", 700, "italic", Path("/kit/mc sans.ttf"))
        >>> print(FontKit(Path("/kit"), (face,), "0").css())
        @font-face { font-family: "MC Sans"; font-weight: 700; font-style: italic; src: url("file:///kit/mc%20sans.ttf") format("truetype"); }
        """
        return "\n".join(_font_face_rule(face) for face in self.faces)

    def face(self, family: str = SANS, weight: int = 400, style: str = "normal") -> FontFace:
        """Return the face of ``family`` with that weight and style."""
        for face in self.faces:
            if (face.family, face.weight, face.style) == (family, weight, style):
                return face
        known = ", ".join(sorted({f.family for f in self.faces}))
        raise ValueError(f"no {family} {weight} {style} face in the font kit (families: {known})")

    def missing(self, text: str, family: str = SANS) -> list[str]:
        """Characters of ``text`` the family's Regular face has no glyph for.

        Each character is listed once, in order of first appearance. Controls
        and line separators (``\\n``, ``\\t``) are ignored: they are never drawn.

        >>> kit.missing("Cột mốc\\nê̆ ཀ")                      # doctest: +SKIP
        ['ཀ']
        """
        covered = _cmap_codepoints(self.face(family).path)
        found: dict[str, None] = {}
        for char in text:
            if ord(char) not in covered and not _is_invisible(char):
                found.setdefault(char)
        return list(found)


def prepare_font_kit(cache_dir: Path, extra_chars: str = "") -> FontKit:
    """Return the font kit for ``extra_chars``, building it into ``cache_dir`` once.

    The kit lives in ``cache_dir/<key>/``, where the key hashes everything that
    goes into it (package versions, source fonts, repertoire, fontTools and
    :data:`KIT_VERSION`); a later call with the same inputs only checks that the
    directory is there. A kit is built in a hidden temporary directory and
    renamed into place, so a crash never leaves half a kit and two processes
    racing both end up with the same complete one.

    ``extra_chars`` are the project's characters beyond :data:`BASE_REPERTOIRE`;
    those the fonts lack are simply not in the kit, and :meth:`FontKit.missing`
    reports them.
    """
    sources = _find_sources()
    repertoire = _normalize_repertoire(BASE_REPERTOIRE + extra_chars)
    key = _kit_key(sources, repertoire)
    directory = Path(cache_dir).absolute() / key
    faces = tuple(FontFace(s.family, s.weight, s.style, directory / s.kit_filename)
                  for s in _FACE_SPECS)
    if not _is_complete(faces):
        _build_kit(directory, faces, sources, repertoire)
    return FontKit(directory, faces, key)


def drop_decomposing_lookups(font) -> list[str]:
    """Remove every one-to-many GSUB substitution from ``font``'s features.

    Why: WeasyPrint maps a glyph to the text of the first cluster it drew, so a
    character drawn as several glyphs (Noto Sans' ``ccmp`` decomposes ẹ ị ọ ụ
    into base + U+0323) corrupts the PDF's text layer. Multiple substitutions,
    and contextual lookups that call one, are removed from every feature;
    precomposed glyphs then draw those letters whole. Returns ``feature:lookup``
    labels of what was removed.
    """
    if "GSUB" not in font:
        return []
    table = font["GSUB"].table
    lookups = table.LookupList.Lookup if table.LookupList else []
    bad = {i for i in range(len(lookups)) if _decomposes(lookups, i, set())}
    dropped = []
    for record in table.FeatureList.FeatureRecord:
        feature = record.Feature
        dropped += [f"{record.FeatureTag}:{i}" for i in feature.LookupListIndex if i in bad]
        feature.LookupListIndex = [i for i in feature.LookupListIndex if i not in bad]
        feature.LookupCount = len(feature.LookupListIndex)
    return dropped


def add_stacked_letters(font) -> list[str]:
    """Give ê̆ ô̆ ơ̆ ư̆ Ê̆ Ô̆ Ơ̆ Ư̆ one glyph each: a composite of the letter and the breve.

    Why: WeasyPrint draws a positioned mark by moving left, drawing it, and
    moving right again; pypdf, poppler and pdfium all read that jump as a space,
    so "ư̆a" extracts as "ư̆ a" and cannot be searched. A ``ccmp`` ligature to one
    glyph keeps the text layer whole. The breve sits exactly where the font's
    own mark positioning (GPOS) puts it, so the letters look the same. Returns
    the letters that got a glyph; a font that does not shape a pair as letter +
    breve is left as it is.
    """
    import uharfbuzz as hb

    shaper = hb.Font(hb.Face(_font_bytes(font)))
    order = font.getGlyphOrder()
    ligatures, added = {}, []
    for base in _STACKED_BASES:
        placed = _shape(shaper, base + BREVE)
        if len(placed) != 2 or any(glyph == 0 for glyph, _ in placed):
            continue
        (letter, _), (mark, offset) = placed
        parts = (order[letter], order[mark])
        ligatures[parts] = _add_composite(font, parts, offset)
        added.append(base + BREVE)
    _add_ccmp_ligatures(font, ligatures)
    return added


def _add_composite(font, parts: tuple[str, str], offset: tuple[int, int]) -> str:
    """Add a glyph made of ``parts[0]`` and ``parts[1]`` moved by ``offset``."""
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib.tables._g_l_y_f import USE_MY_METRICS

    name = "_".join(parts)
    glyf = font["glyf"]
    pen = TTGlyphPen(glyf)
    pen.addComponent(parts[0], (1, 0, 0, 1, 0, 0))
    pen.addComponent(parts[1], (1, 0, 0, 1, *offset))
    glyph = pen.glyph()
    glyph.components[0].flags |= USE_MY_METRICS  # the letter's advance, not the mark's
    font.setGlyphOrder(font.getGlyphOrder() + [name])
    glyf[name] = glyph
    glyph.recalcBounds(glyf)
    font["hmtx"][name] = (font["hmtx"][parts[0]][0], glyph.xMin)
    if "GDEF" in font and font["GDEF"].table.GlyphClassDef:
        font["GDEF"].table.GlyphClassDef.classDefs[name] = 1  # a base glyph, not a mark
    return name


def _add_ccmp_ligatures(font, ligatures: dict[tuple[str, str], str]) -> None:
    """Append one ligature lookup to every ``ccmp`` feature: it runs after the font's own."""
    from fontTools.otlLib.builder import buildLigatureSubstSubtable, buildLookup

    if not ligatures or "GSUB" not in font:
        return
    table = font["GSUB"].table
    table.LookupList.Lookup.append(buildLookup([buildLigatureSubstSubtable(ligatures)]))
    table.LookupList.LookupCount = len(table.LookupList.Lookup)
    index = table.LookupList.LookupCount - 1
    for record in table.FeatureList.FeatureRecord:
        if record.FeatureTag == "ccmp":
            record.Feature.LookupListIndex.append(index)
            record.Feature.LookupCount = len(record.Feature.LookupListIndex)


# --- kit building -----------------------------------------------------------

def _find_sources() -> dict[tuple[str, str], Path]:
    """Locate each packaged variable font, keyed by (module, filename)."""
    sources = {}
    for spec in _FACE_SPECS:
        if importlib.util.find_spec(spec.module) is None:
            raise ContentError(
                _("font package {package} is not installed").format(package=spec.distribution),
                hint=_("install it: pip install {package}").format(package=spec.distribution))
        path = Path(str(importlib.resources.files(spec.module) / "files" / spec.filename))
        if not path.is_file():
            raise ContentError(
                _("font package {package} has no {file}").format(package=spec.distribution, file=spec.filename),
                path=str(path),
                hint=_("reinstall it: pip install --force-reinstall {package}").format(package=spec.distribution))
        sources[(spec.module, spec.filename)] = path
    return sources


def _normalize_repertoire(chars: str) -> str:
    """Sorted, de-duplicated characters, without controls: a stable key input."""
    return "".join(sorted({c for c in chars if unicodedata.category(c) != "Cc"}))


def _kit_key(sources: dict[tuple[str, str], Path], repertoire: str) -> str:
    """Hex digest of everything that decides the kit's bytes."""
    import fontTools

    inputs = {
        "kit": KIT_VERSION,
        "fonttools": fontTools.version,
        "packages": {s.distribution: _package_version(s.distribution) for s in _FACE_SPECS},
        "sources": {f"{m}/{f}": _file_sha256(p) for (m, f), p in sorted(sources.items())},
        "faces": [[s.family, s.weight, s.style, s.filename] for s in _FACE_SPECS],
        "features": LAYOUT_FEATURES,
        "repertoire": repertoire,
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def _package_version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        raise ContentError(_("font package {package} is not installed").format(package=distribution),
                           hint=_("install it: pip install {package}").format(package=distribution)) from None


def _file_sha256(path: Path) -> str:
    # Keyed on the file's identity so a warm call does not re-read 2 MB fonts.
    stat = path.stat()
    return _sha256_of(str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)


@lru_cache(maxsize=32)
def _sha256_of(path: str, size: int, mtime_ns: int, inode: int) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _is_complete(faces: tuple[FontFace, ...]) -> bool:
    return all(face.path.is_file() for face in faces)


def _build_kit(directory: Path, faces: tuple[FontFace, ...],
               sources: dict[tuple[str, str], Path], repertoire: str) -> None:
    """Build every face into a hidden temporary directory, then rename it into place."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    if directory.exists() and not _is_complete(faces):
        _set_aside(directory)
    building = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    building.chmod(0o755)  # mkdtemp's 0700 would hide a shared cache from other users
    try:
        for source, specs in _specs_by_source().items():
            _build_faces(sources[source], specs, repertoire, building)
        _publish(building, directory)
    finally:
        shutil.rmtree(building, ignore_errors=True)


def _specs_by_source() -> dict[tuple[str, str], list[_FaceSpec]]:
    grouped: dict[tuple[str, str], list[_FaceSpec]] = {}
    for spec in _FACE_SPECS:
        grouped.setdefault((spec.module, spec.filename), []).append(spec)
    return grouped


def _build_faces(source: Path, specs: list[_FaceSpec], repertoire: str, into: Path) -> None:
    """Subset one variable font once, then make a static instance per face."""
    from fontTools.ttLib import TTFont
    from fontTools.varLib.instancer import instantiateVariableFont

    font = TTFont(source, recalcTimestamp=False)
    modified = font["head"].modified  # the source's own date: never the clock
    drop_decomposing_lookups(font)
    _subset(font, repertoire)
    for spec in specs:
        static = instantiateVariableFont(
            font, {"wght": spec.weight, "wdth": _WIDTH}, static=True, updateFontNames=True)
        static["head"].modified = modified
        static.recalcTimestamp = False
        add_stacked_letters(static)
        _write_file(into / spec.kit_filename, _font_bytes(static))


def _subset(font, repertoire: str) -> None:
    from fontTools import subset

    options = subset.Options()
    options.layout_features = list(LAYOUT_FEATURES)
    options.name_IDs = ["*"]  # the instancer renames faces from STAT's names
    options.hinting = False  # WeasyPrint drops hinting from PDFs anyway
    options.notdef_outline = True  # a missing glyph shows as a box, not nothing
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in repertoire])
    subsetter.subset(font)


def _font_bytes(font) -> bytes:
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())  # the rename that publishes the kit must not outrun the data


def _publish(building: Path, directory: Path) -> None:
    """Rename the finished kit into place; if another process won the race, keep theirs."""
    try:
        os.rename(building, directory)
    except OSError:
        if not directory.is_dir():
            raise


def _set_aside(directory: Path) -> None:
    """Move an incomplete kit (files deleted by hand) out of the way of a rebuild."""
    stale = Path(tempfile.mkdtemp(prefix=f".{directory.name}.stale.", dir=directory.parent))
    try:
        os.rename(directory, stale / "kit")
    except FileNotFoundError:
        pass  # another process moved it first
    shutil.rmtree(stale, ignore_errors=True)


def _decomposes(lookups, index: int, seen: set[int]) -> bool:
    """True if the lookup is a multiple substitution or calls one (type 2, via 5/6)."""
    if index in seen:
        return False
    seen.add(index)
    lookup = lookups[index]
    kind, subtables = lookup.LookupType, lookup.SubTable
    if kind == 7:  # extension: look through to the real subtables
        subtables = [s.ExtSubTable for s in subtables]
        kind = subtables[0].LookupType
    if kind == 2:
        return True
    if kind in (5, 6):
        return any(_decomposes(lookups, nested, seen) for nested in _nested_lookups(subtables))
    return False


def _nested_lookups(subtables) -> set[int]:
    """Lookup indices that contextual subtables (formats 1, 2 and 3) call."""
    records = []
    for subtable in subtables:
        records += getattr(subtable, "SubstLookupRecord", None) or []  # format 3
        for set_name, rule_name in _RULE_SETS:  # formats 1 and 2
            for rule_set in getattr(subtable, set_name, None) or []:
                for rule in (getattr(rule_set, rule_name, None) or []) if rule_set else []:
                    records += rule.SubstLookupRecord or []
    return {record.LookupListIndex for record in records}


_RULE_SETS = (("SubRuleSet", "SubRule"), ("SubClassSet", "SubClassRule"),
              ("ChainSubRuleSet", "ChainSubRule"), ("ChainSubClassSet", "ChainSubClassRule"))


# --- CSS and coverage ---------------------------------------------------------

def _font_face_rule(face: FontFace) -> str:
    return (f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; '
            f'font-style: {face.style}; '
            f'src: url("{face.path.absolute().as_uri()}") format("truetype"); }}')


@lru_cache(maxsize=32)
def _cmap_codepoints(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


def _is_invisible(char: str) -> bool:
    # Controls and line/paragraph separators are layout, never drawn as glyphs.
    return unicodedata.category(char) in ("Cc", "Zl", "Zp")
