"""The lake: Parquet tables in the shape of docs/lake.md, read by every analytics engine."""

from joinedup.lake.manifest import Manifest, ManifestError, read_manifest
from joinedup.lake.reader import LakeError, LakeReport, Problem, check_lake, open_lake, read_table
from joinedup.lake.schema import SCHEMA_VERSION, TABLE_ORDER, TABLES
from joinedup.lake.writer import LakeWriteError, staged_directory, write_table

__all__ = [
    "SCHEMA_VERSION",
    "TABLES",
    "TABLE_ORDER",
    "LakeError",
    "LakeReport",
    "LakeWriteError",
    "Manifest",
    "ManifestError",
    "Problem",
    "check_lake",
    "open_lake",
    "read_manifest",
    "read_table",
    "staged_directory",
    "write_table",
]
