"""The typed rows of the two tables, and the per-notice result that carries them.

These pydantic models are the single source of truth for the contract in
``spec/contract.md``: the CSV header, the DataFrame columns and ``schemas/*.json`` are
all derived from ``DirectiveRow`` and ``DocumentRow``.

Offsets (``start``, ``end``) index ``DocumentRow.text``: the cleaned text, which is
simplified Chinese with full-width ASCII folded to half-width (``，`` → ``,``, ``（`` → ``(``;
``、`` ``。`` and circled numbers ``①`` are kept), boilerplate and repeated bodies removed.
"""

from __future__ import annotations

import datetime as dt
import typing
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

Kind = Literal["numbered", "unnumbered", "parallel"]
Status = Literal["ok", "no_directives", "error"]
AdminLevel = Literal["national", "province", "city", "county", "township", ""]
Modality = Literal["require", "prohibit", "recommend", ""]
Scope = Literal["general", "targeted", ""]


class ThemeHit(NamedTuple):
    """One theme on one directive, with the lexicon terms that fired (its evidence).

    A plain tuple, not a model: the tagger makes tens of them a notice from the lexicon's own
    strings, and they reach the tables only as the ``themes`` and ``theme_terms`` strings."""

    theme: str
    terms: list[str]


class DirectiveRow(BaseModel):
    """One directive: the rows of the directive table (``spec/contract.md``)."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str = Field(description="Hash of the document's cleaned text; a page saved twice gets one id.")
    source_path: str = Field(description="The input file as given.")
    title: str = Field("", description="Headline.")
    source: str = Field("", description="Outlet (中国宁波网).")
    published: dt.date | None = Field(None, description="Publication date of the page.")
    meeting_date: dt.date | None = Field(None, description="Date of the meeting.")
    province: str = ""
    city: str = ""
    county: str = ""
    admin_level: AdminLevel = ""
    issuer: str = Field("", description="The meeting or body as written.")
    speaker: str = Field("", description="Who issued the directive: 会议, or the leader's name.")
    directive_no: int = Field(description="1, 2, … in document order.")
    kind: Kind
    numbered: bool = Field(description="kind == numbered.")
    marker: str = Field("", description="一要, 二是, (三), 要, 最好的方法是 …")
    heading: str = Field("", description="The directive's summary clause; may be empty.")
    text: str = Field(description="The directive, simplified Chinese, marker included.")
    primary_theme: str = Field("", description="One theme id, or empty.")
    themes: str = Field("", description="Theme ids joined with |, primary first.")
    theme_terms: str = Field("", description="Evidence: testing:核酸,检测|quarantine:隔离.")
    start: int = Field(description="Offset of text in the document's cleaned text.")
    end: int = Field(description="End offset (exclusive) of text in the cleaned text.")
    modality: Modality = Field("", description="require, prohibit or recommend (rules/measures.yaml).")
    modality_term: str = Field("", description="Evidence: the cue that decided the modality (严禁).")
    scope: Scope = Field("", description="general (the whole jurisdiction) or targeted (named groups, places, "
                                         "venues); empty when the text names neither.")
    scope_term: str = Field("", description="Evidence: the cue that decided the scope (重点人群).")
    oxcgrt: str = Field("", description="Nearest OxCGRT indicators joined with | (C8|H2), from rules/crosswalk.yaml.")
    coronanet: str = Field("", description="Nearest CoronaNet policy types joined with |.")
    crosswalk_terms: str = Field("", description="Evidence of the codes: theme, or theme:cue=term for a split "
                                                 "theme (gatherings:public_events=大型活动).")


class DocumentRow(BaseModel):
    """One input file: the rows of the document table (``spec/contract.md``)."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str = ""
    source_path: str
    status: Status = "ok"
    error: str = ""
    title: str = ""
    source: str = ""
    url: str = ""
    published: dt.date | None = None
    meeting_date: dt.date | None = None
    province: str = ""
    city: str = ""
    county: str = ""
    admin_level: AdminLevel = ""
    issuer: str = ""
    leaders: str = Field("", description="post:name pairs joined with |.")
    n_directives: int = 0
    script: Literal["simplified", "traditional", ""] = ""
    encoding: str = Field("", description="The encoding the file was decoded with, and what was repaired if anything: "
                                          "utf-8 (3 bytes replaced), gb18030 (1 NUL byte removed).")
    duplicate_of: str = Field("", description="source_path of the first input with the same cleaned text.")
    evidence: str = Field("", description="Why each inferred field has its value: field←kind:detail, joined with |.")
    text: str = Field("", description="The cleaned text that directive offsets index.")


class Span(NamedTuple):
    """A directive span found by the segmenter, before tagging and tabling.

    A plain tuple, like ``ThemeHit``: made by the segmenter for every directive, from values that
    its own code produced, and checked where it becomes a ``DirectiveRow``."""

    start: int
    end: int
    kind: Kind
    marker: str
    heading: str = ""
    speaker: str = ""


class Notice(BaseModel):
    """Everything extracted from one input: its document row and directive rows."""

    model_config = ConfigDict(extra="forbid")

    document: DocumentRow
    directives: list[DirectiveRow] = []


class Leader(BaseModel):
    """A person named with a post (市委书记彭佳学 → post 市委书记, name 彭佳学)."""

    model_config = ConfigDict(extra="forbid")

    post: str
    name: str


class Metadata(BaseModel):
    """Document fields inferred by ``locate`` (codebook §3), each with its evidence."""

    model_config = ConfigDict(extra="forbid")

    title: str = ""
    source: str = ""
    url: str = ""
    published: dt.date | None = None
    meeting_date: dt.date | None = None
    province: str = ""
    city: str = ""
    county: str = ""
    admin_level: AdminLevel = ""
    issuer: str = ""
    leaders: list[Leader] = []
    evidence: dict[str, str] = Field(default_factory=dict, description="field → why it has its value.")


class Cleaned(BaseModel):
    """Output of ``clean``: the article body and what was set aside for ``locate``."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="Article body: simplified, width-folded, boilerplate and repeats removed.")
    title: str = ""
    header: str = Field("", description="Page text outside the body (navigation, datelines, footer), cleaned.")
    page: str = Field("", description="The whole page, simplified and width-folded, before body selection.")
    script: Literal["simplified", "traditional", ""] = "simplified"


class Loaded(BaseModel):
    """Output of ``load``: decoded text of one input."""

    model_config = ConfigDict(extra="forbid")

    path: str
    text: str
    encoding: str = ""
    is_html: bool = False
    html_title: str = Field("", description="Headline from the page's metadata or a database record.")
    html_date: str = Field("", description="Publication date from the page's metadata or a database record.")
    source: str = Field("", description="Outlet named by a database record.")
    url: str = Field("", description="Address named by a database record.")


# -- the tables' columns as typed frames (one definition for extract_table, extract_frame and the writers)

Table = Literal["directives", "documents"]
TABLE_MODELS: dict[str, type[BaseModel]] = {"directives": DirectiveRow, "documents": DocumentRow}


def _kind(annotation: Any) -> str:
    """'int', 'bool', 'date' or 'str' for a model field's annotation (``dt.date | None`` → date)."""
    args = typing.get_args(annotation) or (annotation,)
    if int in args and bool not in args:
        return "int"
    if bool in args:
        return "bool"
    if dt.date in args:
        return "date"
    return "str"


def column_kinds(table: Table = "directives") -> dict[str, str]:
    """Column name → 'int' | 'bool' | 'date' | 'str', in table order, from the model."""
    return {name: _kind(info.annotation) for name, info in TABLE_MODELS[table].model_fields.items()}


def frame_dtypes(table: Table = "directives") -> dict[str, Any]:
    """Column name → pandas dtype of the table ``extract_frame`` returns."""
    import pandas as pd
    import pyarrow as pa

    by_kind = {"int": "int64", "bool": "bool", "date": pd.ArrowDtype(pa.date32()),
               "str": pd.StringDtype("pyarrow")}
    return {name: by_kind[kind] for name, kind in column_kinds(table).items()}


def typed_frame(rows: list[list[Any]] | list[tuple], table: Table = "directives") -> pd.DataFrame:
    """Rows of field values, in model order, as a DataFrame with the dtypes of ``frame_dtypes``:
    the one constructor behind ``extract_frame``, ``extract_table`` and ``table.directives_frame``."""
    import pandas as pd

    dtypes = frame_dtypes(table)
    columns = list(dtypes)
    data = list(zip(*rows)) if rows else [[] for _ in columns]
    return pd.DataFrame({name: pd.Series(list(values), dtype=dtypes[name])
                         for name, values in zip(columns, data)})
