"""Sources datatrove lacks: Parquet/JSONL document folders (here), Stack v2 rows + S3 blobs, local source trees."""

from smolcorpus.readers.documents import DocumentFileReader, document_format, list_document_files

__all__ = ["DocumentFileReader", "document_format", "list_document_files"]
