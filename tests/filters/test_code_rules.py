"""The pure code rules: the fast implementations agree with their plain definitions on the real files of
../shared/data/code, and catch what they are meant to catch."""

import base64
import json
import os

import pytest

from smolcorpus.filters import code_rules


@pytest.fixture(scope="module")
def code_texts(shared_data):
    texts = []
    for line in (shared_data / "code" / "index.jsonl").read_text().splitlines():
        entry = json.loads(line)
        texts.append((shared_data / entry["file"]).read_bytes().decode("utf-8", errors="replace"))
    return texts


def reference_encoded_data(text):
    runs = [len(m.group()) for m in code_rules._ENCODED_RUN.finditer(text) if code_rules._looks_encoded(m.group())]
    return sum(runs) / max(len(text), 1), max(runs, default=0)


def test_fast_rules_match_their_definitions_on_real_files(code_texts):
    assert sum(not t.isascii() for t in code_texts) > 10  # both paths of alphanumeric_fraction run
    for text in code_texts:
        expected = sum(c.isalnum() for c in text) / max(len(text), 1)
        assert code_rules.alphanumeric_fraction(text) == pytest.approx(expected, abs=1e-12)
        assert code_rules.encoded_data(text) == reference_encoded_data(text)


def test_encoded_runs_are_found_inside_code():
    blob = base64.b64encode(os.urandom(600)).decode()
    text = f'ICON = "data:image/png;base64,{blob}"\nprint(ICON)\n'
    fraction, longest = code_rules.encoded_data(text)
    assert longest >= len(blob) and fraction > 0.8
    escaped = "".join(f"\\x{b:02x}" for b in os.urandom(40))
    assert code_rules.encoded_data(f"payload = b'{escaped}'")[1] == len(escaped)
    assert code_rules.encoded_data("a_very_long_identifier_name_" * 5) == (0.0, 0)  # no digits: not data
    assert code_rules.alphanumeric_fraction("ab, 12 çé!") == pytest.approx(6 / 10)
