"""File answers of the case-log (exports)."""
import tempfile

from flask import Response, stream_with_context

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
FILE_CHUNK = 64 * 1024


def attachment(body, content_type, filename):
    """A download. `content_type` is sent as given (a `mimetype` would get a second charset).
    werkzeug quotes the file name (and adds `filename*` for a name that is not plain ASCII),
    so no name can break the header."""
    response = Response(body, content_type=content_type)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response


def streamed(chunks, content_type, filename):
    """A download produced while it is sent: `chunks` (an iterator of bytes) runs inside the
    request's context, so it may read the database and translate, one piece at a time."""
    return attachment(stream_with_context(chunks), content_type, filename)


def written_file(write, content_type, filename):
    """A download written first to a temporary file by `write(file)` — for formats such as
    XLSX that are complete only at the end — then sent from disk in pieces."""
    file = tempfile.TemporaryFile()
    try:
        write(file)
        size = file.tell()
        file.seek(0)
    except BaseException:
        file.close()
        raise

    def pieces():
        with file:
            while piece := file.read(FILE_CHUNK):
                yield piece

    response = attachment(pieces(), content_type, filename)
    response.content_length = size
    response.call_on_close(file.close)  # also when the client goes before the first piece
    return response
