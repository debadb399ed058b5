"""--manifest: what the user knows about a page overrides what was inferred, and says so."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from extractor.cli import main
from extractor.engines.manifest import read_manifest
from extractor.pipeline import Extractor

SEED = Path(__file__).resolve().parents[1] / "seeds" / "003_fa9ed41a6c031e20.txt"


def test_manifest_values_override_inferred_ones(tmp_path):
    notice_path = tmp_path / SEED.name
    shutil.copy(SEED, notice_path)
    manifest = tmp_path / "m.csv"
    manifest.write_text("source_path,province,city,county,published,url\n"
                        f"{SEED.name},河南省,周口市,沈丘县,2021-12-14,http://www.shenqiu.gov.cn/a.html\n",
                        encoding="utf-8")
    notice = Extractor(manifest=read_manifest(manifest)).extract_path(notice_path)
    doc = notice.document
    assert (doc.province, doc.city, doc.county, str(doc.published)) == ("河南省", "周口市", "沈丘县", "2021-12-14")
    assert doc.url == "http://www.shenqiu.gov.cn/a.html"
    assert "city←manifest" in doc.evidence and "published←manifest" in doc.evidence
    assert all(d.city == "周口市" for d in notice.directives)


def test_manifest_through_the_command_line(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"source_path,city\n{SEED},测试市\n", encoding="utf-8")
    out = tmp_path / "d.csv"
    assert main(["extract", str(SEED), "-o", str(out), "--manifest", str(manifest), "--jobs", "1", "-q"]) == 0
    rows = list(csv.DictReader(open(out, encoding="utf-8-sig")))
    assert rows and {r["city"] for r in rows} == {"测试市"}


@pytest.mark.parametrize(("text", "needle"), [
    ("path,city\na.txt,宁波市\n", "needs a 'source_path' column"),
    ("source_path,town\na.txt,x\n", "unknown manifest columns ['town']"),
])
def test_bad_manifest_is_named(tmp_path, text, needle):
    manifest = tmp_path / "m.csv"
    manifest.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as err:
        read_manifest(manifest)
    assert str(manifest) in str(err.value) and needle in str(err.value)
