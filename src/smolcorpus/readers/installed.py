"""Real documents and source code every smolcorpus installation carries, for the offline demo and smoke tests.

Documents: the long descriptions (READMEs) of the installed distributions, from their METADATA files, and the
interpreter's own help topics (`pydoc_data.topics`, the text `help()` shows). Code: the source trees of a few
installed dependencies, with the licence their distribution metadata declares.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from dataclasses import dataclass

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


# (distribution, import name): permissively licensed pure-Python dependencies smolcorpus always installs
DEMO_CODE_PACKAGES = (("datatrove", "datatrove"), ("trafilatura", "trafilatura"), ("pydantic", "pydantic"),
                      ("PyYAML", "yaml"), ("fsspec", "fsspec"), ("huggingface_hub", "huggingface_hub"))  # fmt: skip
_CLASSIFIER_SPDX = {"MIT License": "MIT", "Apache Software License": "Apache-2.0", "BSD License": "BSD-3-Clause",
                    "ISC License (ISCL)": "ISC", "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0"}  # fmt: skip


@dataclass
class InstalledTree:
    root: str
    repo_name: str
    license: str | None


def distribution_license(dist: importlib.metadata.Distribution) -> str | None:
    """The SPDX id a distribution declares: License-Expression, else a short License field, else its classifier."""
    metadata = dist.metadata
    expression = metadata.get("License-Expression")
    if expression:
        return expression
    field = (metadata.get("License") or "").strip()
    if field and len(field) <= 40 and "\n" not in field:
        return field
    for classifier in metadata.get_all("Classifier") or []:
        name = classifier.rsplit(" :: ", 1)[-1]
        if classifier.startswith("License ::") and name in _CLASSIFIER_SPDX:
            return _CLASSIFIER_SPDX[name]
    return None


def installed_source_trees(packages=DEMO_CODE_PACKAGES) -> list[InstalledTree]:
    """The package folders of `packages` that are installed, as source trees named `pypi/<distribution>`."""
    trees = []
    for distribution, import_name in packages:
        try:
            dist = importlib.metadata.distribution(distribution)
            spec = importlib.util.find_spec(import_name)
        except (importlib.metadata.PackageNotFoundError, ImportError, ValueError):
            continue
        if spec is None or not spec.submodule_search_locations:
            continue
        root = next(iter(spec.submodule_search_locations))
        trees.append(InstalledTree(root, f"pypi/{distribution}", distribution_license(dist)))
    return trees
