"""The Stack-Edu languages: the config's default allow-list, each readable from a source tree by its extension,
and present among the real code files of ../shared/data."""

import json

from smolcorpus.config import StackEduConfig
from smolcorpus.readers.source_tree import EXTENSION_LANGUAGES
from smolcorpus.stack_edu_languages import STACK_EDU_LANGUAGES


def test_fifteen_languages_are_the_default_and_each_has_an_extension():
    assert len(set(STACK_EDU_LANGUAGES)) == 15
    assert StackEduConfig.model_fields["languages"].default_factory() == list(STACK_EDU_LANGUAGES)
    assert set(STACK_EDU_LANGUAGES) <= set(EXTENSION_LANGUAGES.values())


def test_the_shared_code_files_cover_most_of_them(shared_data):
    entries = [json.loads(line) for line in (shared_data / "code" / "index.jsonl").read_text().splitlines()]
    present = {entry["language"] for entry in entries}
    assert len(set(STACK_EDU_LANGUAGES) & present) >= 12, sorted(set(STACK_EDU_LANGUAGES) - present)
