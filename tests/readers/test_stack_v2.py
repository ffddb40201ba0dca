"""The Stack v2 reader against a real S3 server: moto on 127.0.0.1 holding the real files of ../shared/data/code
gzip-compressed under content/{blob_id}. Throttling comes from a small HTTP proxy in front of moto that answers
503 SlowDown to the first request for chosen keys, as S3 does under load."""

from __future__ import annotations

import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from smolcorpus.readers.source_tree import git_blob_id
from smolcorpus.readers.stack_v2 import StackV2Reader, decode_content
from tests.s3_server import ThrottlingProxy, s3_client

BUCKET = "softwareheritage"


@pytest.fixture(scope="module")
def stack_rows(shared_data, s3_endpoint, tmp_path_factory):
    """Upload the real code files, gzip-compressed, and write a Stack-v2-shaped Parquet of their rows plus bad
    rows; return (rows folder, expected good blob ids, expected drop counts)."""
    s3 = s3_client(s3_endpoint)
    s3.create_bucket(Bucket=BUCKET)
    rows, good = [], set()
    for line in (shared_data / "code" / "index.jsonl").read_text().splitlines()[:60]:
        entry = json.loads(line)
        content = (shared_data / entry["file"]).read_bytes()
        blob_id = git_blob_id(content)
        s3.put_object(Bucket=BUCKET, Key=f"content/{blob_id}", Body=gzip.compress(content))
        rows.append({"blob_id": blob_id, "language": entry["language"], "repo_name": entry["repo"],
                     "path": entry["path"], "src_encoding": "UTF-8", "length_bytes": len(content),
                     "detected_licenses": [entry["license"].split()[0]], "license_type": "permissive"})  # fmt: skip
        good.add(blob_id)
    text = "def café():\n    return 'naïve'\n".encode()
    bad = {
        "missing": ("a" * 40, None),
        "truncated": ("b" * 40, gzip.compress(text)[:15]),
        "binary": ("c" * 40, gzip.compress(b"\x7fELF\x00\x00\x01")),
        "wrong_encoding": ("d" * 40, gzip.compress(text)),
    }
    for blob_id, body in bad.values():
        if body is not None:
            s3.put_object(Bucket=BUCKET, Key=f"content/{blob_id}", Body=body)
    latin1 = "# résumé\nprint('ok')\n".encode("latin-1")
    s3.put_object(Bucket=BUCKET, Key=f"content/{'e' * 40}", Body=gzip.compress(latin1))
    good.add("e" * 40)
    base = {"repo_name": "x/y", "path": "f.py", "length_bytes": 30, "license_type": "permissive"}
    rows += [
        {**base, "blob_id": bad["missing"][0], "language": "Python", "src_encoding": "UTF-8"},
        {**base, "blob_id": bad["truncated"][0], "language": "Python", "src_encoding": "UTF-8"},
        {**base, "blob_id": bad["binary"][0], "language": "C", "src_encoding": "UTF-8"},
        {**base, "blob_id": bad["wrong_encoding"][0], "language": "Python", "src_encoding": "ascii"},
        {**base, "blob_id": "e" * 40, "language": "Python", "src_encoding": "ISO-8859-1"},
        {**base, "blob_id": None, "language": "Python", "src_encoding": "UTF-8"},
        {**base, "blob_id": "f" * 40, "language": None, "src_encoding": "UTF-8"},
        {**base, "blob_id": "9" * 40, "language": "Python", "src_encoding": "UTF-8", "length_bytes": 5_000_000},
    ]
    folder = tmp_path_factory.mktemp("stack_rows")
    half = len(rows) // 2
    pq.write_table(pa.Table.from_pylist(rows[:half]), folder / "rows-0.parquet")
    pq.write_table(pa.Table.from_pylist(rows[half:]), folder / "rows-1.parquet")
    drops = {"dropped_missing_blob": 1, "dropped_truncated_gzip": 1, "dropped_binary": 1, "dropped_undecodable": 1,
             "dropped_missing_blob_id": 1, "dropped_missing_language": 1, "dropped_too_large": 1}  # fmt: skip
    return folder, good, drops


def read(reader, world_size=1):
    return [doc for rank in range(world_size) for doc in reader.run(rank=rank, world_size=world_size)]


def test_rows_become_documents_and_bad_rows_are_counted(stack_rows, s3_endpoint, shared_data):
    folder, good, drops = stack_rows
    options = {"key": "x", "secret": "x", "client_kwargs": {"endpoint_url": s3_endpoint, "region_name": "us-east-1"}}
    reader = StackV2Reader([str(folder)], storage_options=options, concurrency=8, backoff=0.05)
    docs = read(reader, world_size=2)
    assert {d.id for d in docs} == good
    stats = {k: int(v.total) for k, v in reader.stats.stats.items()}
    for reason, count in drops.items():
        assert stats.get(reason) == count, reason
    assert stats["rows"] == len(good) + sum(drops.values())
    assert reader.expected_documents() == stats["rows"]  # the progress bar's total, from the Parquet footers
    latin = next(d for d in docs if d.id == "e" * 40)
    assert latin.text == "# résumé\nprint('ok')\n"
    first = json.loads((shared_data / "code" / "index.jsonl").read_text().splitlines()[0])
    doc = next(d for d in docs if d.metadata["path"] == first["path"])
    assert doc.text == (shared_data / first["file"]).read_text() and doc.metadata["language"] == first["language"]


def test_throttling_is_retried_not_fatal(stack_rows, s3_endpoint):
    folder, good, _ = stack_rows
    throttled = set(sorted(good)[:5])
    proxy = ThrottlingProxy(s3_endpoint, throttled)
    options = {"key": "x", "secret": "x", "client_kwargs": {"endpoint_url": proxy.url, "region_name": "us-east-1"}}
    reader = StackV2Reader([str(folder)], storage_options=options, concurrency=4, backoff=0.05)
    docs = read(reader)
    assert proxy.throttle_hits == 5
    assert {d.id for d in docs} == good
    stats = {k: int(v.total) for k, v in reader.stats.stats.items()}
    assert "dropped_fetch_failed" not in stats  # s3fs retried the SlowDowns itself


class ThrottledMemoryFS:
    """What the reader's own retry loop sees when S3 keeps throttling past s3fs's retries: `cat` returns the
    throttling error for chosen paths the first `times` calls (our retry logic, tested without a server)."""

    def __init__(self, blobs: dict[str, bytes], throttled: set[str], times: int):
        self.blobs, self.throttled, self.times, self.calls = blobs, throttled, times, 0

    def _strip_protocol(self, url):
        return url.removeprefix("s3://")

    def cat(self, urls, on_error="return", batch_size=None):
        self.calls += 1
        out = {}
        for url in urls:
            key = self._strip_protocol(url)
            if key in self.throttled and self.calls <= self.times:
                out[key] = OSError("An error occurred (SlowDown) when calling the GetObject operation")
            else:
                out[key] = self.blobs.get(key, FileNotFoundError(key))
        return out


def test_reader_retry_loop_on_persistent_throttling():
    blobs = {"b/c/1": gzip.compress(b"one"), "b/c/2": gzip.compress(b"two")}
    reader = StackV2Reader(["unused"], content_url="s3://b/c", max_attempts=3, backoff=0.01)
    fs = ThrottledMemoryFS(blobs, {"b/c/2"}, times=2)
    results = reader._fetch(fs, ["s3://b/c/1", "s3://b/c/2", "s3://b/c/3"])
    assert results["s3://b/c/2"] == blobs["b/c/2"] and fs.calls == 3
    assert isinstance(results["s3://b/c/3"], FileNotFoundError)  # a missing blob is not retried
    fs = ThrottledMemoryFS(blobs, {"b/c/2"}, times=10)
    assert isinstance(reader._fetch(fs, ["s3://b/c/2"])["s3://b/c/2"], OSError)  # gives up, returns the error


def test_decode_content_reasons():
    assert decode_content(gzip.compress("é".encode()), "UTF-8") == ("é", None)
    assert decode_content(b"not gzip at all", "UTF-8") == (None, "truncated_gzip")
    assert decode_content(gzip.compress(b"x"), "no-such-codec") == ("x", None)


def test_rows_of_the_wrong_types_are_counted_drops(shared_data, tmp_path):
    """Parquet files from other tools carry Stack v2 columns with other types (lengths as strings, licences as one
    string, numeric ids, flags as text): each such row is dropped as `wrong_type_<column>`, the good rows of the
    same files are read, and nothing raises. Contents come from a `content` column (no S3 needed)."""
    code = (shared_data / "code" / "python" / "TheAlgorithms__Python" / "sorts" / "bogo_sort.py").read_text()
    good = {"blob_id": "a" * 40, "language": "Python", "repo_name": "x/y", "path": "bogo_sort.py",
            "length_bytes": len(code), "content": code}  # fmt: skip
    wrong = {
        "length_bytes": "1234",
        "detected_licenses": "MIT",
        "blob_id": 12345,
        "language": 7,
        "is_vendor": "false",
    }
    rows_written = 0
    for i, (column, value) in enumerate(wrong.items()):
        # one file per wrong column (a Parquet column has one type); next to the bad row a good row with that
        # column null, where a null is allowed
        rows = [{**good, "blob_id": f"{i}" * 40, column: value}]
        if column not in ("blob_id", "language"):
            rows.append({**good, "blob_id": f"g{i}" * 20, column: None})
        pq.write_table(pa.Table.from_pylist(rows), tmp_path / f"rows-{i}.parquet")
        rows_written += len(rows)
    reader = StackV2Reader([str(tmp_path)], content_url=str(tmp_path / "unused"))
    docs = read(reader)
    stats = {key: value.total for key, value in reader.stats.stats.items()}
    for column in wrong:
        assert stats.get(f"dropped_wrong_type_{column}", 0) >= 1, (column, stats)
    assert stats["rows"] == rows_written
    assert sum(v for k, v in stats.items() if k.startswith("dropped_")) + len(docs) == stats["rows"]
    assert all(doc.text == code for doc in docs) and len(docs) >= 3


def test_a_blob_that_inflates_past_max_bytes_is_dropped_without_inflating_it_all():
    """A 2 MB gzip blob of a 1.1 GB file: at most max_bytes + 1 bytes are inflated (a row's length may lie)."""
    import zlib

    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"print('x')\n" * 100_000
    blob = b"".join(deflate.compress(chunk) for _ in range(1000)) + deflate.flush()
    assert len(blob) < 3_000_000
    assert decode_content(blob, "UTF-8", max_bytes=1_000_000) == (None, "too_large")
    small = gzip.compress(b"print('x')\n")
    assert decode_content(small, "UTF-8", max_bytes=1_000_000) == ("print('x')\n", None)
    assert decode_content(small[:-6], "UTF-8", max_bytes=1_000_000) == (None, "truncated_gzip")


def test_a_blob_id_that_is_not_a_sha1_never_names_a_path(shared_data, tmp_path):
    """A row whose blob_id climbs out of a local content_url (`../outside_secret`) or names anything but 40 hex
    digits is a counted `bad_blob_id` drop: the file beside the blobs is never read. A real blob is read, for each
    row that names it (forks share files; its id in upper case too), fetched once."""
    content = (shared_data / "code" / "python" / "TheAlgorithms__Python" / "sorts" / "bogo_sort.py").read_bytes()
    blobs = tmp_path / "content"
    blobs.mkdir()
    blob_id = git_blob_id(content)
    (blobs / blob_id).write_bytes(gzip.compress(content))
    secret = b"password = hunter2\n"
    (tmp_path / "outside_secret").write_bytes(gzip.compress(secret))
    (blobs / "sub").mkdir()
    (blobs / "sub" / blob_id).write_bytes(gzip.compress(secret))
    base = {"language": "Python", "repo_name": "x/y", "path": "f.py", "src_encoding": "UTF-8", "length_bytes": 30}
    hostile = ["../outside_secret", f"sub/{blob_id}", f"{blob_id}/../../outside_secret", blob_id[:39], "g" * 40]
    rows = [{**base, "blob_id": bad} for bad in hostile]
    rows += [{**base, "blob_id": blob_id}, {**base, "blob_id": blob_id.upper()}]
    folder = tmp_path / "rows"
    folder.mkdir()
    pq.write_table(pa.Table.from_pylist(rows), folder / "rows.parquet")
    reader = StackV2Reader([str(folder)], content_url=str(blobs))
    docs = read(reader)
    stats = {key: value.total for key, value in reader.stats.stats.items()}
    assert stats["dropped_bad_blob_id"] == len(hostile)
    assert [doc.text.encode() for doc in docs] == [content, content]
    assert all(b"hunter2" not in doc.text.encode() for doc in docs)


def test_a_blob_still_throttled_after_every_retry_fails_the_task_instead_of_dropping_the_row():
    """Whether a row is kept must not depend on how busy S3 was: persistent throttling fails the task (a rerun
    retries it); a missing blob is still a counted drop."""
    from smolcorpus.readers.stack_v2 import BlobFetchError

    blobs = {"b/c/" + "1" * 40: gzip.compress(b"one")}
    reader = StackV2Reader(["unused"], content_url="s3://b/c", max_attempts=2, backoff=0.01)
    reader._rank, reader.drop_ledger = 0, None
    row = {"language": "Python", "repo_name": "x/y", "path": "f.py", "src_encoding": "UTF-8", "length_bytes": 3}
    rows = [{**row, "blob_id": "1" * 40}, {**row, "blob_id": "2" * 40}]
    kept = list(reader._documents(ThrottledMemoryFS(blobs, set(), times=0), rows))
    assert [doc.text for doc in kept] == ["one"]
    assert reader.stats["dropped_missing_blob"].total == 1
    throttled = ThrottledMemoryFS(blobs, {"b/c/" + "1" * 40}, times=10)
    with pytest.raises(BlobFetchError, match="still failing after 2 attempts .*SlowDown.*rerun"):
        list(reader._documents(throttled, rows[:1]))
