"""Real English documents every Python installation carries, for the offline demo and smoke tests.

Two sources, both written by people for people: the long descriptions (READMEs) of the installed distributions,
from their METADATA files, and the interpreter's own help topics (`pydoc_data.topics`, the text `help()` shows).
"""

from __future__ import annotations

import importlib.metadata

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

MIN_CHARS = 200  # shorter descriptions are one-line summaries, not documents


def installed_documents() -> list[Document]:
    """All such documents, sorted by id (so every task of a run sees the same list)."""
    documents = []
    seen = set()
    for dist in importlib.metadata.distributions():
        name = dist.metadata.get("Name")
        if not name or name.lower() in seen:
            continue
        seen.add(name.lower())
        body = dist.metadata.get_payload() or dist.metadata.get("Description") or ""
        if len(body.strip()) < MIN_CHARS:
            continue
        documents.append(
            Document(
                text=body.strip(),
                id=f"package-readme/{name.lower()}",
                metadata={"source": "package-readme", "package": name, "version": dist.version},
            )
        )
    from pydoc_data.topics import topics

    for topic, text in topics.items():
        documents.append(Document(text=text.strip(), id=f"python-help/{topic}", metadata={"source": "python-help"}))
    return sorted(documents, key=lambda doc: doc.id)


class InstalledDocumentsReader(PipelineStep):
    """Yield `installed_documents()[rank::world_size]`."""

    name = "🐍 Installed Python documents"
    type = "📖 - READER"

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        for document in installed_documents()[rank::world_size]:
            self.stat_update("documents")
            self.update_doc_stats(document)
            yield document
