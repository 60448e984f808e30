"""Course content loader: the files under content/ become modules, lessons and questions.

product §4: content is data kept as files and loaded by a CLI command; reloading is idempotent
and versioned. The loader works in two phases:

1. Read and check every file. Any problem raises `ContentError` naming the file and the
   reason, and the database is not touched at all.
2. Apply the differences. A module whose files changed gets `version + 1`; lessons are updated
   in place by slug; a changed question becomes a new `Question` row (revision + 1) so that
   old attempts keep exactly what they were asked. Nothing is ever deleted: what disappeared
   from the files becomes inactive. A `ContentLoad` row records every load that changed
   anything. The caller commits.

Messages here are for the operator running the command, so they are in English.
"""
from .loader import load_content
from .reader import ContentError, read_content, render_markdown
from .specs import LoadReport

__all__ = ["ContentError", "LoadReport", "load_content", "read_content", "render_markdown"]
