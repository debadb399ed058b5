"""clean: normalisation functions one by one, then page-level body selection."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.stages.clean import (clean_text, fold_width, normalize_newlines, strip_mojibake, strip_pinyin_glosses,
                             to_simplified)

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


# -- character-level ---------------------------------------------------------------------------
def test_fold_width_keeps_length_and_chinese_stops():
    raw = "会议强调：（一）要严格落实，１２道卡口；①加强监测、做好保障。"
    folded = fold_width(raw)
    assert len(folded) == len(raw)
    assert folded == "会议强调:(一)要严格落实,12道卡口;①加强监测、做好保障。"


@pytest.mark.parametrize(("raw", "clean"), [
    ("打贏疫情防控阻擊戰(zhàn)。", "打贏疫情防控阻擊戰。"),
    ("會(huì )議", "會議"),
    ("社區(qū)防控", "社區防控"),
    ("確保“應收盡收”(柳柯)", "確保“應收盡收”(柳柯)"),     # a byline is not a gloss
    ("新冠肺炎(COVID-19)疫情", "新冠肺炎(COVID-19)疫情"),   # nor an abbreviation
    ("I级(Ⅰ级)响应", "I级(Ⅰ级)响应"),
])
def test_strip_pinyin_glosses(raw, clean):
    assert strip_pinyin_glosses(raw) == clean


def test_to_simplified_reports_the_script():
    text, script = to_simplified("會議強調,要堅決打贏疫情防控阻擊戰。")
    assert (text, script) == ("会议强调,要坚决打赢疫情防控阻击战。", "traditional")
    assert to_simplified("会议强调,要坚决打赢阻击战。")[1] == "simplified"


@pytest.mark.parametrize(("raw", "clean"), [
    ("疫情防控??工作", "疫情防控工作"),
    ("测量体温!”?", "测量体温!”"),
    ("要加强\ufffd\ufffd监测", "要加强监测"),
    ("瑞德西韦为何未临床先申请专利?卫健委", "瑞德西韦为何未临床先申请专利?卫健委"),  # a real question mark
])
def test_strip_mojibake(raw, clean):
    assert strip_mojibake(raw) == clean


def test_normalize_newlines_from_a_database_dump():
    assert normalize_newlines("会议强调,要A。\\r\\n要B。\\n要C。") == "会议强调,要A。\n要B。\n要C。"
    assert normalize_newlines("a\r\nb\rc") == "a\nb\nc"


# -- page-level ------------------------------------------------------------------------------------
def test_repeated_body_is_kept_once():
    cleaned = clean_text((SEEDS / "000_1f447dccc34fc85d.txt").read_text(encoding="utf-8"))
    assert cleaned.text.count("一要严密防范境外疫情输入") == 1
    assert cleaned.title == "市疫情防控工作领导小组例会:毫不松懈绷紧疫情防控之弦"


def test_dateline_fused_with_first_paragraph_is_split_off():
    cleaned = clean_text((SEEDS / "002_ab591247d2211865.txt").read_text(encoding="utf-8"))
    assert cleaned.text.startswith("市新型冠状病毒感染的肺炎疫情防控工作领导小组今天(2月5日)举行会议。")
    assert "最后更新: 2020-02-05 20:42:28" in cleaned.header
    assert "相关推荐" not in cleaned.text and "观察者头条" not in cleaned.text


def test_portal_chrome_goes_to_the_header():
    cleaned = clean_text((SEEDS / "003_fa9ed41a6c031e20.txt").read_text(encoding="utf-8"))
    for chrome in ("星期四", "您所在的位置", "点击数", "省委1.jpg", "豫ICP备", "主办:"):
        assert chrome not in cleaned.text
    assert "时间:2021-12-13" in cleaned.header
    assert cleaned.text.startswith("12月11日,省委书记楼阳生主持召开")


def test_a_bare_body_keeps_its_first_line():
    cleaned = clean_text("市委书记张建国指出：\n要压实四方责任。\n")
    assert cleaned.text == "市委书记张建国指出:\n要压实四方责任。"


def test_metadata_block_and_spam_lines_are_not_body():
    page = ("索引号：11410000/2021-00123\n发布机构：县人民政府办公室\n成文日期：2021-12-12\n"
            "县疫情防控指挥部召开工作例会\n发布日期：2021-12-13\n"
            "会议强调，要严格落实各项防控措施。\n澳门威尼斯人娱乐城 开户送彩金 http://spam.example\n"
            "会议要求，要加强核酸检测。\n责任编辑：王某\n相关新闻\n要闻：某地召开会议\n")
    cleaned = clean_text(page)
    assert cleaned.text == "会议强调,要严格落实各项防控措施。\n会议要求,要加强核酸检测。"
    assert cleaned.title == "县疫情防控指挥部召开工作例会"


def test_prose_opening_with_a_date_is_not_a_dateline():
    cleaned = clean_text("县疫情防控指挥部召开会议\n2021年12月1日，县委书记主持召开会议。会议强调，要加强核酸检测。")
    assert "2021年12月1日,县委书记主持召开会议。会议强调" in cleaned.text
    assert cleaned.header == ""


_RUN_ON_BODY = ("3月5日上午,县委召开疫情防控工作会议,研究部署当前疫情防控工作。县委书记主持会议。"
                "会议指出,当前疫情防控形势依然复杂严峻,各级各部门要时刻绷紧疫情防控这根弦。")


@pytest.mark.parametrize("name", ["微信图片_20210305101522.jpg", "IMG_4031.JPG".lower(), "县委会议2.png"])
def test_image_name_between_run_on_paragraphs_is_dropped(name):
    # a page whose line breaks were lost: the image's file name stood between two paragraphs
    page = ("县委召开疫情防控工作会议发布时间:2021-03-05 18:00 来源:县融媒体中心 " + _RUN_ON_BODY
            + name + "张书记要求,要全面排查重点人员,确保不漏一人;要加强重点场所管控,严格落实扫码测温。" * 2)
    cleaned = clean_text(page)
    assert name not in cleaned.text
    paragraphs = cleaned.text.split("\n")
    assert paragraphs[1].startswith("张书记要求,要全面排查") and paragraphs[0].endswith("这根弦。")


def test_image_name_inside_a_sentence_is_left_alone():
    # no sentence end before it: not a name between paragraphs
    page = "县委召开会议发布时间:2021-03-05 18:00 " + _RUN_ON_BODY + "会议要求各单位报送附件名称为 表格.png 的统计表," * 3
    assert "表格.png" in clean_text(page).text
