"""The *print* stage: HTML → PDF with WeasyPrint, reading only what it may.

Rendering reads files through :class:`SafeFetcher`, which allows ``data:``
URLs and regular files inside a few folders (the project's ``content/assets``,
the layouts, the font kit and the CMYK profile), after resolving symlinks — no
network, no other file. One ``FontConfiguration`` per font kit is reused per process.

Printing is two steps so that copyfit can lay a leaflet out several times and
write it once: :func:`render_document` (HTML → laid-out pages) and
:func:`write_pdf` (pages → PDF bytes). :func:`write_pdf` finishes every PDF
the same way:

- the BleedBox is exactly the TrimBox plus :data:`BLEED_MM` on each side (the
  CSS bleed is wider, to leave room for the crop marks outside it);
- dates come from the leaflet (never the clock) and the /ID and the XMP
  DocumentID from the inputs, so the same inputs give the same bytes;
- ``pdf/x-4`` adds the CMYK output intent (:func:`cmyk_profile`) and maps any
  stray DeviceRGB (WeasyPrint draws crop marks in RGB black) to sRGB with a
  DefaultRGB colour space; ``pdf/a-2b`` adds WeasyPrint's sRGB output intent.
"""
from __future__ import annotations

import atexit
import contextlib
import ctypes.util
import hashlib
import io
import logging
import mimetypes
import os
import re
import sys
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..base.errors import BuildError, ContentError
from ..base.files import read_regular
from ..base.i18n import _
from ..base.lasting import lasting
from .svg import svg_problem

BLEED_MM = 3.0
MM = 72 / 25.4  # PDF points per millimetre
VARIANTS = ("pdf/x-4", "pdf/a-2b")

#: Where the CMYK print characterization is looked for: ``$MOBCONTENT_CMYK_PROFILE``,
#: then Ghostscript's, from Debian's ``libgs-common`` package.
CMYK_PROFILES = (Path("/usr/share/color/icc/ghostscript/default_cmyk.icc"),)
CMYK_PACKAGE = "libgs-common"

#: WeasyPrint's notice that libharfbuzz-subset is absent: the build says it once itself.
HARFBUZZ_NOTICE = "Using fontTools instead of HarfBuzz-Subset"

_FONT_CONFIGS: dict[str, object] = {}


def font_configuration(fonts_key: str = ""):
    """The process's WeasyPrint FontConfiguration for one font kit (building one costs
    ~100 ms, so it is reused). One per kit: fontconfig would otherwise hold two faces
    named "MC Sans 400" once a kit changes, and pick either."""
    if fonts_key not in _FONT_CONFIGS:
        load_weasyprint()
        from weasyprint.text.fonts import FontConfiguration
        if not _FONT_CONFIGS:
            atexit.register(_remove_fonts_folders)
        _FONT_CONFIGS[fonts_key] = FontConfiguration()
    return _FONT_CONFIGS[fonts_key]


def _remove_fonts_folders() -> None:
    """At exit, the temporary folder WeasyPrint copies each configuration's fonts into.
    The configuration's ``__del__`` removes it, but only once nothing holds the
    configuration (the parsed stylesheets do), and never when a program ends without
    tearing the interpreter down (:func:`mobcontent.app.cli.end_process`). It may run
    again later: a folder already gone is no error."""
    for config in _FONT_CONFIGS.values():
        config.__del__()


def load_weasyprint() -> None:
    """Import WeasyPrint, once per process: a build does it before its worker processes
    fork, so that they share it rather than each importing it again.

    WeasyPrint finds Pango and HarfBuzz by trying several names for each library; cffi
    hands every name without a full file name to :func:`ctypes.util.find_library`, which
    runs ``ldconfig`` (and more) each time: 0.17 s of a 0.4 s import. On Linux the names
    that are full file names (``libpango-1.0.so.0``) are found by the dynamic loader
    itself, so the import first runs without that search, its messages kept quiet; if a
    library is not found that way, it runs again as WeasyPrint does it.
    """
    if "weasyprint.text.fonts" in sys.modules:
        return
    with lasting():  # its modules live as long as the process
        _import_weasyprint()


def _import_weasyprint() -> None:
    if sys.platform.startswith("linux"):
        search = ctypes.util.find_library
        ctypes.util.find_library = _no_library_search
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # WeasyPrint prints when a library is missing
                import weasyprint.text.fonts
            _sized_arrays_unparsed()
            return
        except OSError:  # found only by the search: forget the half-done import, do it again with it
            for name in [name for name in sys.modules if name.split(".")[0] == "weasyprint"]:
                del sys.modules[name]
        finally:
            ctypes.util.find_library = search
    import weasyprint.text.fonts  # noqa: F401
    _sized_arrays_unparsed()


#: A C array type of a named item and a length: ``hb_codepoint_t[487]``.
SIZED_ARRAY = re.compile(r"([A-Za-z_][A-Za-z_0-9]*(?: [A-Za-z_][A-Za-z_0-9]*)*)\[(0|[1-9][0-9]*)\]")


def _sized_arrays_unparsed() -> None:
    """WeasyPrint asks cffi for an array of each size it embeds a font with
    (``ffi.new(f"hb_codepoint_t[{len(glyphs)}]")``), and cffi parses each new type name
    with pycparser, after declaring every type WeasyPrint knows: about 2 ms a size, in
    each worker, for each size it meets (70 ms of a worker's first leaflets here, more
    in a project of many scripts). The array is made from its item type, parsed once,
    and its length, as cffi's parser would make it (``model.ArrayType(item, length)``);
    any other type name is parsed as before. Left as it is if cffi is not as expected."""
    from weasyprint.text.ffi import ffi
    try:
        from cffi import model
        plain = ffi._parser.parse_type
        if not callable(plain) or getattr(plain, "sized_arrays", False):
            return
    except (ImportError, AttributeError):
        return
    items: dict[str, object] = {}

    def parse_type(cdecl):
        match = SIZED_ARRAY.fullmatch(cdecl) if isinstance(cdecl, str) else None
        if match is None:
            return plain(cdecl)
        if match[1] not in items:
            items[match[1]] = plain(match[1])
        return model.ArrayType(items[match[1]], int(match[2]))

    parse_type.sized_arrays = True
    ffi._parser.parse_type = parse_type


def _no_library_search(_name: str) -> None:
    """:func:`ctypes.util.find_library` that finds nothing: cffi then lets the dynamic
    loader look the name up itself."""


def harfbuzz_subset_available() -> bool:
    """Whether WeasyPrint found libharfbuzz-subset (embedding fonts is ~10x faster with it)."""
    load_weasyprint()
    from weasyprint.text.ffi import harfbuzz_subset
    return harfbuzz_subset is not None


def cmyk_profile() -> Path:
    """The ICC profile of the CMYK output intent; BuildError naming the package if absent."""
    override = os.environ.get("MOBCONTENT_CMYK_PROFILE")
    candidates = [Path(override)] if override else list(CMYK_PROFILES)
    for path in candidates:
        if path.is_file():
            return path
    raise BuildError(
        _("no CMYK output profile for PDF/X-4 (looked for {paths})").format(paths=", ".join(map(str, candidates))),
        hint=_("install Debian's {package} (sudo apt-get install {package}), "
               "or set MOBCONTENT_CMYK_PROFILE to a CMYK .icc file").format(package=CMYK_PACKAGE),
        code="output-intent-missing")


#: The fetchers made in this thread, by the real folders they may read: making one (its
#: urllib opener) costs about as much as a leaflet's Markdown.
_FETCHERS = threading.local()


def make_fetcher(allowed: list[Path]):
    """A URL fetcher that reads only ``data:`` URLs and regular files under ``allowed``
    (where each folder really is now: one made for the same real folders is used again)."""
    roots = tuple(Path(os.path.realpath(p)) for p in allowed)
    kept = _FETCHERS.__dict__.setdefault("fetchers", {})
    if roots not in kept:
        if len(kept) >= 16:
            kept.clear()
        kept[roots] = _fetcher(roots)
    return kept[roots]


def _fetcher(roots: tuple[Path, ...]):
    load_weasyprint()
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class _Refused(FatalURLFetchingError):
        def __init__(self, error: ContentError):
            super().__init__(str(error))
            self.error = error

    class SafeFetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, fail_on_errors=True)

        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                real = Path(os.path.realpath(unquote(urlsplit(url).path)))
                inside = next((root for root in roots if real == root or root in real.parents), None)
                if inside is not None:
                    rel = _shown_path(real, inside)
                    try:
                        data = read_regular(real, rel)
                    except ContentError as exc:
                        raise _Refused(exc) from None
                    problem = svg_problem(data) if _looks_like_svg(real, data) else None
                    if problem:
                        raise _Refused(ContentError(problem, rel, 1, _("simplify the drawing, or export it as PNG"),
                                                    code="svg-too-complex"))
                    kind = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(real.as_uri(), data, {"Content-Type": kind})
            raise FatalURLFetchingError(_("blocked resource {url}: only files in content/assets/, "
                                          "the layouts and the font kit may be used").format(url=repr(url[:200])))

    return SafeFetcher()


def _shown_path(real: Path, root: Path) -> str:
    """A fetched file as the user knows it (``content/assets/x.svg``)."""
    inner = real.relative_to(root).as_posix()
    if root.parts[-2:] == ("content", "assets"):
        return f"content/assets/{inner}"
    return f"{root.name}/{inner}"


def _looks_like_svg(path: Path, data: bytes) -> bool:
    head = data[:512].lstrip().lower()
    return path.suffix.lower() in (".svg", ".svgz") or head.startswith((b"<svg", b"<?xml", b"<!doctype svg"))


@dataclass(frozen=True)
class PdfSettings:
    """How a document is written: conformance, dates, identity, bleed."""

    identifier: str  # hashed into /ID and the XMP DocumentID
    variant: str | None = None  # None (draft) | "pdf/x-4" | "pdf/a-2b"
    bleed_mm: float = BLEED_MM  # 0 for screen layouts


@dataclass(frozen=True)
class Printed:
    """A PDF and what is known about it."""

    pdf: bytes
    pages: int
    warnings: tuple[str, ...] = ()


@dataclass
class Rendered:
    """A laid-out document and the warnings WeasyPrint logged while laying it out."""

    document: object  # weasyprint.Document
    warnings: list[str] = field(default_factory=list)
    html: str = ""  # the HTML it was laid out from

    @property
    def pages(self) -> int:
        return len(self.document.pages)


class _WarningCollector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


class _collect_warnings:
    """Context manager: the WeasyPrint warnings logged inside it."""

    def __enter__(self) -> list[str]:
        self.collector = _WarningCollector()
        logging.getLogger("weasyprint").addHandler(self.collector)
        return self.collector.messages

    def __exit__(self, *exc):
        logging.getLogger("weasyprint").removeHandler(self.collector)
        return False


def output_intent_css(variant: str | None) -> str:
    """The ``@color-profile`` rule a PDF/X-4 document needs (empty otherwise)."""
    if variant != "pdf/x-4":
        return ""
    return ("@color-profile device-cmyk { src: url(%s); components: c, m, y, k; }"
            % cmyk_profile().absolute().as_uri())


def render_document(html: str, base_dir: Path, allowed: list[Path], variant: str | None = None,
                    fonts_key: str = "") -> Rendered:
    """Lay ``html`` out into pages (no PDF yet); ``variant`` adds what it needs to the CSS,
    ``fonts_key`` (the font kit's key) chooses the FontConfiguration."""
    load_weasyprint()
    from weasyprint import CSS, HTML
    from weasyprint.urls import FatalURLFetchingError

    extra = output_intent_css(variant)
    if extra:
        allowed = [*allowed, cmyk_profile()]
    fetcher = make_fetcher(allowed)
    with _collect_warnings() as warnings:
        try:
            profiles: dict = {}  # shared, so the @color-profile of ``extra`` reaches the document
            fonts = font_configuration(fonts_key)
            base_url = base_dir.as_uri() + "/"
            body, stylesheets = _parsed_styles(html, base_url, fetcher, fonts, (fonts_key, *map(str, allowed)),
                                               warnings)
            if extra:
                stylesheets.append(CSS(string=extra, url_fetcher=fetcher, font_config=fonts, color_profiles=profiles))
            document = HTML(string=body, base_url=base_url, url_fetcher=fetcher).render(
                font_config=fonts, stylesheets=stylesheets, color_profiles=profiles)
        except FatalURLFetchingError as exc:
            if isinstance(getattr(exc, "error", None), ContentError):
                raise exc.error from None
            if isinstance(exc.__cause__, MemoryError):  # the worker's memory cap, met while reading a file
                raise exc.__cause__ from None
            raise BuildError(str(exc.__cause__ or exc), code="resource-blocked") from None
    return Rendered(document, list(warnings), html)


#: The stylesheets parsed in this process, by their text, base URL and font kit: copyfit
#: lays a leaflet out several times, and the leaflets of a build share their layouts'
#: CSS, which costs ~10 % of a layout to parse. Bounded: the oldest goes first.
_STYLES: OrderedDict = OrderedDict()
_STYLES_KEPT = 64
_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
#: What a stylesheet moved out of the document could change: it then stays in the document.
_STYLE_RISKS = ("@counter-style", "@color-profile", "@layer", "@import", "@namespace")


def _parsed_styles(html: str, base_url: str, fetcher, fonts, context: tuple, warnings: list[str]):
    """``(html, stylesheets)``: the document's ``<style>`` elements, each parsed once per
    process and given to WeasyPrint as a stylesheet in the same order, and the document
    without them; ``(html, [])`` when that could lay it out differently (a linked
    stylesheet, an ``!important`` outside them, or a rule that belongs to the document:
    :data:`_STYLE_RISKS`). What WeasyPrint warned of while parsing one is added to
    ``warnings`` each time, as if it had been parsed again. ``context`` (the font kit,
    the folders it may read) is part of the key.

    WeasyPrint gives these stylesheets the user origin, below the author's: so none may
    stay in the document. In the same order they cascade as they did; ``!important``
    inside them keeps its meaning."""
    from weasyprint import CSS

    found = _STYLE.findall(html)
    if not found or "<link" in html or any(risk in block for block in found for risk in _STYLE_RISKS):
        return html, []
    body = _STYLE.sub("<style></style>", html)
    if "!important" in body:
        return html, []
    sheets = []
    for block in found:
        key = (hashlib.sha256(block.encode()).hexdigest(), base_url, context)
        if key in _STYLES:
            _STYLES.move_to_end(key)
            warnings.extend(_STYLES[key][1])
        else:
            with _collect_warnings() as said:
                parsed = CSS(string=block, base_url=base_url, url_fetcher=fetcher, font_config=fonts)
            _STYLES[key] = (parsed, tuple(said))  # ``warnings`` heard them too
            while len(_STYLES) > _STYLES_KEPT:
                _STYLES.popitem(last=False)
        sheets.append(_STYLES[key][0])
    return body, sheets


def write_pdf(rendered: Rendered, settings: PdfSettings) -> Printed:
    """Write a laid-out document as PDF bytes, finished as the module docstring says."""
    digest = hashlib.sha256(settings.identifier.encode()).hexdigest()
    options = {"pdf_identifier": digest[:32].encode()}
    if settings.variant:
        options["pdf_variant"] = settings.variant
    finisher = _Finisher(settings, uuid.UUID(digest[:32]))
    with _collect_warnings() as warnings:
        pdf = rendered.document.write_pdf(finisher=finisher, **options)
    return Printed(pdf, len(rendered.document.pages), tuple(rendered.warnings + warnings))


class _Finisher:
    """WeasyPrint ``finisher``: last changes to the PDF object tree before it is written."""

    def __init__(self, settings: PdfSettings, document_id: uuid.UUID):
        self.settings = settings
        self.document_id = document_id

    def __call__(self, document, pdf):
        for page in _pdf_pages(pdf):
            self.set_bleed_box(page)
        self.fix_document_id(pdf)
        if self.settings.variant == "pdf/x-4":
            self.add_default_rgb(pdf)

    def set_bleed_box(self, page) -> None:
        left, top, right, bottom = (float(v) for v in page["TrimBox"])
        bleed = self.settings.bleed_mm * MM
        media = [float(v) for v in page["MediaBox"]]
        box = [max(left - bleed, media[0]), max(top - bleed, media[1]),
               min(right + bleed, media[2]), min(bottom + bleed, media[3])]
        import pydyf
        page["BleedBox"] = pydyf.Array([round(v, 6) for v in box])

    def fix_document_id(self, pdf) -> None:
        """WeasyPrint's PDF/X writer puts a random uuid4 in the XMP; use one from the inputs."""
        reference = pdf.catalog.get("Metadata")
        if not reference:
            return
        if isinstance(reference, bytes):
            reference = reference.decode()
        stream = pdf.objects[int(str(reference).split()[0])]
        stream.stream = [re.sub(rb"xmp\.did:[0-9a-f-]{36}", f"xmp.did:{self.document_id}".encode(), chunk)
                         if isinstance(chunk, bytes) else chunk for chunk in stream.stream]

    def add_default_rgb(self, pdf) -> None:
        """Map DeviceRGB to sRGB, so nothing in a PDF/X-4 file is device-dependent RGB."""
        from importlib.resources import files

        import pydyf

        profile = pydyf.Stream([(files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()],
                               pydyf.Dictionary({"N": 3}), compress=True)
        pdf.add_object(profile)
        for obj in pdf.objects:
            if isinstance(obj, pydyf.Dictionary) and "lab-d50" in obj and "DefaultRGB" not in obj:
                obj["DefaultRGB"] = pydyf.Array(("/ICCBased", profile.reference))


def _pdf_pages(pdf):
    import pydyf
    return [obj for obj in pdf.objects if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/Page"]
