"""Code filters: datatrove filters over source files, each with its own drop reason and thresholds.

Documents carry Stack-Edu-like metadata (`path`, `language`, `repo_name`, `detected_licenses`, `license_type`,
`length_bytes`); the rules themselves live in `code_rules.py`. Drop reasons become datatrove's
`dropped_<reason>` counters, so a run reports how many files each rule removed.
"""

from __future__ import annotations

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

from smolcorpus.filters import code_rules
from smolcorpus.stack_edu_languages import STACK_EDU_LANGUAGES

# SPDX ids counted as permissive (The Stack v2 marks such files license_type="permissive")
PERMISSIVE_LICENSES = frozenset(
    {
        "mit", "mit-0", "apache-2.0", "bsd-2-clause", "bsd-3-clause", "bsd-3-clause-clear", "0bsd", "isc",
        "unlicense", "cc0-1.0", "zlib", "bsl-1.0", "wtfpl", "python-2.0", "psf-2.0", "postgresql", "x11",
        "artistic-2.0", "upl-1.0", "ncsa", "cc-by-4.0", "cc-by-3.0",
    }
)  # fmt: skip


def _path(doc: Document) -> str:
    return str(doc.metadata.get("path") or doc.id)


class CodeLanguageFilter(BaseFilter):
    """Keep files whose `language` is in the allow-list (default: the 15 Stack-Edu languages). Reason:
    `language_not_allowed`."""

    name = "🧑‍💻 Code language"

    def __init__(self, languages=STACK_EDU_LANGUAGES, exclusion_writer: DiskWriter | None = None):
        super().__init__(exclusion_writer)
        self.languages = {language.lower() for language in languages}

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        return str(doc.metadata.get("language", "")).lower() in self.languages or (False, "language_not_allowed")


class PermissiveLicenseFilter(BaseFilter):
    """Keep files with `license_type == "permissive"`, or whose `detected_licenses` are all permissive SPDX ids.
    Files with no license information are dropped (`license_unknown`); others `license_not_permissive`."""

    name = "⚖️ Permissive license"

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        license_type = doc.metadata.get("license_type")
        if license_type:
            return license_type == "permissive" or (False, "license_not_permissive")
        licenses = [str(x).lower() for x in (doc.metadata.get("detected_licenses") or [])]
        if not licenses:
            return False, "license_unknown"
        return all(x in PERMISSIVE_LICENSES for x in licenses) or (False, "license_not_permissive")


class FileSizeFilter(BaseFilter):
    """Keep files of `min_bytes`..`max_bytes` UTF-8 bytes (the config's defaults: 10 B and 1 MB). Reasons:
    `file_too_small`, `file_too_large`."""

    name = "📏 File size"

    def __init__(self, min_bytes: int, max_bytes: int, exclusion_writer: DiskWriter | None = None):
        super().__init__(exclusion_writer)
        self.min_bytes, self.max_bytes = min_bytes, max_bytes

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        size = doc.metadata.get("length_bytes") or len(doc.text.encode("utf-8", errors="replace"))
        if size < self.min_bytes:
            return False, "file_too_small"
        return size <= self.max_bytes or (False, "file_too_large")


class LineLengthFilter(BaseFilter):
    """Max line ≤ `max_line_length` (1000) and mean line ≤ `max_mean_line_length` (100) characters (The Stack).
    Reasons: `max_line_length`, `mean_line_length`."""

    name = "📐 Line length"

    def __init__(self, max_line_length: int, max_mean_line_length: float,
                 exclusion_writer: DiskWriter | None = None):  # fmt: skip
        super().__init__(exclusion_writer)
        self.max_line_length, self.max_mean_line_length = max_line_length, max_mean_line_length

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        if code_rules.max_line_length(doc.text) > self.max_line_length:
            return False, "max_line_length"
        return code_rules.mean_line_length(doc.text) <= self.max_mean_line_length or (False, "mean_line_length")


class AlphanumericFilter(BaseFilter):
    """Alphanumeric characters ≥ `min_fraction` (0.25) of the file (The Stack). Reason: `alphanumeric_fraction`."""

    name = "🔤 Alphanumeric fraction"

    def __init__(self, min_fraction: float, exclusion_writer: DiskWriter | None = None):
        super().__init__(exclusion_writer)
        self.min_fraction = min_fraction

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        return code_rules.alphanumeric_fraction(doc.text) >= self.min_fraction or (False, "alphanumeric_fraction")


class GeneratedFilter(BaseFilter):
    """Lockfiles (`lockfile`) and machine-written files: IDE/build-tool files, generator banners, bundles,
    generated link indexes (`generated_<kind>`); rows The Stack v2 flags `is_generated` (`generated_flag`)."""

    name = "🤖 Generated files"

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        if doc.metadata.get("is_generated") is True:
            return False, "generated_flag"
        path = _path(doc)
        if code_rules.is_lockfile(path):
            return False, "lockfile"
        reason = code_rules.generated_reason(doc.text, path)
        return reason is None or (False, f"generated_{reason}")


class MinifiedFilter(BaseFilter):
    """`*.min.*` files and JS/CSS whose long lines have almost no whitespace. Reason: `minified`."""

    name = "🗜️ Minified code"

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        return not code_rules.is_minified(doc.text, _path(doc)) or (False, "minified")


class EncodedDataFilter(BaseFilter):
    """Base64/hex/escape runs over `max_fraction` (0.5) of the file, or one run over `max_run` (1024) characters
    (StarCoder). Reason: `encoded_data`."""

    name = "🧬 Encoded data"

    def __init__(self, max_fraction: float, max_run: int, exclusion_writer: DiskWriter | None = None):
        super().__init__(exclusion_writer)
        self.max_fraction, self.max_run = max_fraction, max_run

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        fraction, longest = code_rules.encoded_data(doc.text)
        return (fraction <= self.max_fraction and longest <= self.max_run) or (False, "encoded_data")


class DataHeavyFilter(BaseFilter):
    """Big JSON/YAML/CSV/XML files, numeric-literal dumps and literal tables (see
    `code_rules.data_heavy_reason`). Reason: `data_<kind>`."""

    name = "📊 Data-heavy files"

    def __init__(self, max_data_file_bytes: int, table_fraction: float, digit_fraction: float,
                 exclusion_writer: DiskWriter | None = None):  # fmt: skip
        super().__init__(exclusion_writer)
        self.settings = {"max_data_file_bytes": max_data_file_bytes, "table_fraction": table_fraction,
                         "digit_fraction": digit_fraction}  # fmt: skip

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        reason = code_rules.data_heavy_reason(doc.text, _path(doc), **self.settings)
        return reason is None or (False, f"data_{reason}")


class VendoredFilter(BaseFilter):
    """Files under dependency directories (`vendored_path`) or announcing another project (`vendored_header`);
    rows The Stack v2 flags `is_vendor` (`vendored_flag`)."""

    name = "📦 Vendored code"

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        if doc.metadata.get("is_vendor") is True:
            return False, "vendored_flag"
        reason = code_rules.vendored_reason(doc.text, _path(doc), doc.metadata.get("repo_name"))
        return reason is None or (False, reason)


class CommunityFileFilter(BaseFilter):
    """GitHub community health files (`code_rules.is_community_file`): codes of conduct, contributing and security
    policies, issue and pull-request templates, FUNDING and CODEOWNERS. Project administration, not teaching,
    though a classifier grades their tidy prose high. Reason: `community_file`."""

    name = "🏛️ Community files"

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        return not code_rules.is_community_file(_path(doc)) or (False, "community_file")
