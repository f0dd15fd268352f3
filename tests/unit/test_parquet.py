"""parquet: typed columns, deterministic bytes, comparison by content across writer versions."""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from opendata_mh.generate import diff_files, generate
from opendata_mh.parquet import same_content


def test_typed_columns_and_nulls(package_dir: Path) -> None:
    t = pq.read_table(package_dir / "parquet" / "small.parquet")
    assert t.schema.field("value").type == pa.int64()
    assert pa.types.is_dictionary(t.schema.field("form").type)
    assert pa.types.is_dictionary(t.schema.field("cell_type").type)
    assert t.column_names[:2] == ["year_from", "year_to"]  # the CSV's columns
    assert t.schema.field("year_from").type == pa.int64()
    rows = t.to_pylist()
    assert rows[1]["value"] is None and rows[1]["cell_type"] == "masked"
    assert (rows[1]["value_lower"], rows[1]["value_upper"]) == (1, 4)
    # pandas gets nullable integers from the file itself
    df = pq.read_table(package_dir / "parquet" / "small.parquet").to_pandas()
    assert str(df["value"].dtype) == "Int64" and df["value"].isna().sum() == 2


def test_same_bytes_every_run(metadata_dir: Path, tmp_path: Path) -> None:
    generate(metadata_dir, tmp_path / "a")
    generate(metadata_dir, tmp_path / "b")
    for p in (tmp_path / "a" / "parquet").iterdir():
        assert p.read_bytes() == (tmp_path / "b" / "parquet" / p.name).read_bytes()


def test_same_content_ignores_writer_version_only(package_dir: Path) -> None:
    path = package_dir / "parquet" / "small.parquet"
    raw = path.read_bytes()
    table = pq.read_table(path)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="snappy")  # another writer, other bytes
    assert buf.getvalue() != raw and same_content(raw, buf.getvalue())
    assert not same_content(raw, b"not parquet")
    changed = table.set_column(4, "value", pa.array([99] * table.num_rows, type=pa.int64()))
    buf2 = io.BytesIO()
    pq.write_table(changed, buf2)
    assert not same_content(raw, buf2.getvalue())
    files = {"parquet/small.parquet": buf.getvalue()}
    changes = [c for c in diff_files(files, package_dir) if c.path == "parquet/small.parquet"]
    assert changes == []
