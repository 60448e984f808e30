"""PDF: parsed with pypdf and searched, object by object, for anything that runs or hides files."""
import io
import re

from .refusals import PADDING, UploadRefused, refuse_active_markers

#: PDF names that mean scripts, actions that run or fetch things, or files inside the file.
FORBIDDEN_PDF_NAMES = frozenset({
    "JavaScript", "JS", "Launch", "EmbeddedFiles", "EmbeddedFile", "FileAttachment",
    "RichMedia", "RichMediaExecute", "XFA", "GoToE", "ImportData", "SubmitForm", "Rendition",
    "Sound", "Movie",
})
EMBEDDED_PDF_NAMES = frozenset({"EmbeddedFiles", "EmbeddedFile", "FileAttachment", "GoToE"})
MAX_PDF_OBJECTS = 200_000

_STREAM_START = re.compile(rb"stream\r?\n")
#: A literal string, with escapes and one level of nested parentheses.
_LITERAL_STRING = re.compile(rb"\((?:\\.|[^\\()]|\((?:\\.|[^\\()])*\))*\)", re.S)
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def check_pdf(data):
    """A PDF that parses, has pages, and has no scripts, actions or embedded files anywhere."""
    tail = data[-2048:]
    eof = tail.rfind(b"%%EOF")
    if eof < 0:
        raise UploadRefused("truncated")
    if tail[eof + 5:].strip(PADDING):
        raise UploadRefused("polyglot")
    # Outside stream bodies (page drawings, images) a PDF is text: no HTML belongs there, and
    # every name is checked, including objects no cross-reference table points to.
    skeleton = _without_stream_bodies(data)
    if b"javascript:" in skeleton.lower():  # a link that runs a script
        raise UploadRefused("pdf_active")
    refuse_active_markers([skeleton[5:]])
    names = _NAME.findall(_LITERAL_STRING.sub(b"()", skeleton))  # not the slashes in a URL
    _refuse_names(_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name).decode("latin-1")
                  for name in names)
    reader = _open_pdf(data)
    _walk_pdf_objects(reader)


def _without_stream_bodies(data):
    """The PDF with every stream's bytes left out, in one linear pass."""
    parts, i = [], 0
    while (match := _STREAM_START.search(data, i)) is not None:
        end = data.find(b"endstream", match.end())
        if end < 0:
            break
        parts.append(data[i:match.start()])
        i = end + len(b"endstream")
    parts.append(data[i:])
    return b" stream endstream ".join(parts)


def _refuse_names(names):
    for name in names:
        if name in FORBIDDEN_PDF_NAMES:
            raise UploadRefused("pdf_embedded" if name in EMBEDDED_PDF_NAMES else "pdf_active")


def _open_pdf(data):
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:  # noqa: BLE001 - unknown or broken encryption
                opened = 0
            if not opened:
                raise UploadRefused("pdf_encrypted")
        pages = len(reader.pages)
    except UploadRefused:
        raise
    except Exception:  # noqa: BLE001 - pypdf raises many kinds on malformed input
        raise UploadRefused("pdf_unreadable") from None
    if pages < 1:
        raise UploadRefused("pdf_no_pages")
    return reader


def _walk_pdf_objects(reader):
    """Every object in the cross-reference tables (compressed object streams included) and
    everything reachable from the trailer: no forbidden key or name value anywhere."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen, stack = set(), [reader.trailer]
    for generation, entries in reader.xref.items():
        stack.extend(IndirectObject(num, generation, reader) for num in entries)
    stack.extend(IndirectObject(num, 0, reader) for num in reader.xref_objStm)
    try:
        while stack:
            item = stack.pop()
            if isinstance(item, IndirectObject):
                key = (item.idnum, item.generation)
                if key in seen:
                    continue
                seen.add(key)
                if len(seen) > MAX_PDF_OBJECTS:
                    raise UploadRefused("pdf_unreadable")
                item = item.get_object()
            if isinstance(item, DictionaryObject):  # stream objects are dictionaries too
                _refuse_names(str(k)[1:] for k in item.keys())
                stack.extend(item.values())
            elif isinstance(item, ArrayObject):
                stack.extend(item)
            elif isinstance(item, NameObject):
                _refuse_names([str(item)[1:]])
    except UploadRefused:
        raise
    except Exception:  # noqa: BLE001 - a broken object somewhere in the tree
        raise UploadRefused("pdf_unreadable") from None
