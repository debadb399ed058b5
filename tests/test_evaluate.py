"""evaluate: document fields come from the document table, so a notice with no directive still
has its place, level and dates scored."""
from __future__ import annotations

from extractor.analysis.evaluate import evaluate

GOLD = [{"file": "a.txt", "province": "浙江省", "city": "宁波市", "county": "镇海区", "admin_level": "county",
         "published": None, "meeting_date": None, "directives": []}]
DOC = {"source_path": "notices/a.txt", "province": "浙江省", "city": "宁波市", "county": "镇海区",
       "admin_level": "county", "published": "", "meeting_date": ""}


def test_fields_of_a_notice_without_directives_are_read_from_its_document_row():
    s = evaluate(GOLD, [], {"a.txt": DOC}).summary
    assert (s["province_accuracy"], s["city_accuracy"], s["county_accuracy"], s["admin_level_accuracy"]) == (1, 1, 1, 1)
    assert s["published_accuracy"] is None  # null in the gold: not knowable, not scored


def test_without_a_document_row_such_a_notice_scores_its_fields_wrong():
    s = evaluate(GOLD, []).summary
    assert s["province_accuracy"] == 0 and s["admin_level_accuracy"] == 0


def test_a_wrong_level_is_counted_wrong():
    s = evaluate(GOLD, [], {"a.txt": {**DOC, "admin_level": "city"}}).summary
    assert s["admin_level_accuracy"] == 0 and s["county_accuracy"] == 1
