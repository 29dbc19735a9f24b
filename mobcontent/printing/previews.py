"""Previews: PNG pages beside each PDF, and ``build/index.html``, the contact sheet.

Pages are rendered with pdfium (``pypdfium2``). Print pages are cropped to
their TrimBox, so a preview shows the sheet as the reader gets it (no bleed, no
crop marks); screen pages are the product itself, 1080 px wide. PNG encoding
dominates the cost, so the lowest useful zlib level is used; the bytes are
still reproducible.
"""
from __future__ import annotations

import io

PNG_COMPRESS_LEVEL = 1


def render_pngs(pdf: bytes, dpi: float, trim: bool = True) -> list[bytes]:
    """One PNG per page of ``pdf`` at ``dpi`` (cropped to the TrimBox when ``trim``)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        pngs = []
        for index in range(len(document)):
            page = document[index]
            crop = (0, 0, 0, 0)
            if trim:
                media = page.get_mediabox()
                box = page.get_trimbox()
                crop = (box[0] - media[0], box[1] - media[1], media[2] - box[2], media[3] - box[3])
            bitmap = page.render(scale=dpi / 72, crop=tuple(max(c, 0) for c in crop))
            buffer = io.BytesIO()
            bitmap.to_pil().save(buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
            pngs.append(buffer.getvalue())
            page.close()
        return pngs
    finally:
        document.close()
