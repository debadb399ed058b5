"""Places: jionlp's gazetteer of administrative divisions (province, city, county, and the
townships below them), packaged in ``data/divisions.tsv`` and ``data/towns.tsv`` and matched by
full name and short name, so that any county resolves to its city and province."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache


log = logging.getLogger(__name__)


MUNICIPALITIES = frozenset({"北京市", "天津市", "上海市", "重庆市"})


@lru_cache(maxsize=1)
def _jio():
    """jionlp, imported on first use (it takes a while and prints banners to stdout)."""
    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp
    return jionlp


@dataclass(frozen=True)
class Place:
    """One administrative division with its parents; ``level`` is province, city or county."""

    name: str
    province: str
    city: str = ""
    county: str = ""
    level: str = "county"

    @property
    def is_municipality(self) -> bool:
        return self.province in MUNICIPALITIES


_NAME_SUFFIXES = "省市区县旗州盟"
# What follows a county's short name at the start of an outlet's name: 文成新闻网, 嘉善发布.
_COUNTY_OUTLET = re.compile(r"新闻网|新闻|发布|电视台|广播电视台|融媒")


class Gazetteer:
    """Province, city and county names (full and short) from jionlp's administrative-division data."""

    def __init__(self, tree: dict, unit_name: re.Pattern[str] | None = None) -> None:
        self.by_name: dict[str, list[Place]] = {}
        self.by_alias: dict[str, list[Place]] = {}
        self.county_alias: dict[str, list[Place]] = {}
        self.by_code: dict[str, Place] = {}
        for prov, pnode in tree.items():
            if prov.endswith("特别行政区") or prov == "台湾省":
                continue
            if prov in MUNICIPALITIES:
                ptop = Place(prov, prov, prov, "", "province")
            else:
                ptop = Place(prov, prov, "", "", "province")
            self._add(self.by_name, prov, ptop)
            for alias in _aliases(pnode.get("_alias")):
                self._add(self.by_alias, alias, ptop)
            self.by_code.setdefault(pnode.get("_admin_code", ""), ptop)
            for city, cnode in pnode.items():
                if city.startswith("_"):
                    continue
                direct = city.endswith("直辖行政区划")
                if prov in MUNICIPALITIES:
                    ctop = ptop
                elif direct:
                    ctop = None
                else:
                    ctop = Place(city, prov, city, "", "city")
                    self._add(self.by_name, city, ctop)
                    for alias in _aliases(cnode.get("_alias")):
                        self._add(self.by_alias, alias, ctop)
                    self.by_code.setdefault(cnode.get("_admin_code", ""), ctop)
                for county, knode in cnode.items():
                    if county.startswith("_") or county[-1] not in _NAME_SUFFIXES:
                        continue
                    if direct:  # a county-level unit under the province (济源市, 仙桃市, 神农架林区)
                        place = Place(county, prov, "", county, "county")
                    else:
                        place = Place(county, prov, ctop.city, county, "county")
                    self._add(self.by_name, county, place)
                    own = county[len(city):] if not direct and county.startswith(city) else ""
                    if own and unit_name is not None and unit_name.fullmatch(own):
                        # 益阳市大通湖管理区: the unit goes by its own name too (大通湖管理区)
                        self._add(self.by_name, own, place)
                    for alias in _aliases(knode.get("_alias")):
                        if len(alias) >= 2:
                            self._add(self.county_alias, alias, place)
                    self.by_code.setdefault(knode.get("_admin_code", ""), place)
        self.max_len = max(map(len, self.by_name))
        self._suffix = re.compile(f"[{_NAME_SUFFIXES}]")
        # The lengths of the names that end in each pair of characters, longest first: most
        # characters that could end a name end none, and the rest only a few lengths.
        ending: dict[str, set[int]] = {}
        for name in self.by_name:
            ending.setdefault(name[-2:], set()).add(len(name))
        self._lengths_ending = {tail: tuple(sorted(lengths, reverse=True))
                                for tail, lengths in ending.items()}
        # Where a name of two or more characters can end: a suffix character after one that comes
        # before it in some name (宁波|市, 镇海|区). The regex engine finds these; a Python step at
        # every 市 and 区 of the text cost more than the lookups.
        before: dict[str, set[str]] = {}
        for tail in self._lengths_ending:
            if len(tail) == 2 and tail[1] in _NAME_SUFFIXES:
                before.setdefault(tail[1], set()).add(tail[0])
        ends = [f"{suffix}(?<=[{re.escape(''.join(sorted(chars)))}]{suffix})" for suffix, chars in before.items()]
        self._name_end = re.compile("|".join(ends) or "(?!)")
        # A site names the same outlet on every page: each name is read once.
        self._outlet_places = lru_cache(maxsize=4096)(self._read_outlet_places)

    @staticmethod
    def _add(index: dict[str, list[Place]], key: str, place: Place) -> None:
        lst = index.setdefault(key, [])
        if place not in lst:
            lst.append(place)

    def names_in(self, text: str, min_len: int = 3) -> list[tuple[int, int, str, list[Place]]]:
        """Full names in ``text`` as (start, end, name, places), longest name at each end position."""
        out = []
        last_end = -1
        by_name, lengths_ending = self.by_name, self._lengths_ending
        for m in (self._name_end if min_len >= 2 else self._suffix).finditer(text):
            end = m.end()
            for n in lengths_ending.get(text[end - 2:end], ()) if end >= 2 else ():
                if n < min_len:
                    break
                start = end - n
                if start < last_end or start < 0:  # do not let a name swallow the tail of the previous one
                    continue
                name = text[start:end]
                places = by_name.get(name)
                if places:
                    out.append((start, end, name, places))
                    last_end = end
                    break
            else:
                if min_len <= 1 and last_end < end:  # a one-character name, when one is asked for
                    places = by_name.get(text[end - 1:end])
                    if places:
                        out.append((end - 1, end, text[end - 1:end], places))
                        last_end = end
        return out

    def name_ending_at(self, text: str, end: int, min_len: int = 2) -> tuple[str, list[Place]] | None:
        """The longest full name that ends exactly at ``end``."""
        if 2 <= end <= len(text) and min_len >= 2:  # only the lengths of names with these last two characters
            for n in self._lengths_ending.get(text[end - 2:end], ()):
                if n < min_len:
                    break
                cand = text[end - n:end]
                if n <= end and cand in self.by_name:
                    return cand, self.by_name[cand]
            return None
        for n in range(min(self.max_len, end), min_len - 1, -1):
            cand = text[end - n:end]
            if cand in self.by_name:
                return cand, self.by_name[cand]
        return None

    def name_at_start(self, text: str, min_len: int = 2) -> tuple[str, list[Place]] | None:
        for n in range(min(self.max_len, len(text)), min_len - 1, -1):
            cand = text[:n]
            if cand in self.by_name:
                return cand, self.by_name[cand]
        return None

    @cached_property
    def _province_city_pairs(self) -> tuple[re.Pattern[str], dict[str, Place]]:
        """A province's short name then one of its cities' (黑龙江鹤岗, 湖北武汉): one regex, and
        the city each pair names."""
        pairs: dict[str, Place] = {}
        for alias, provinces in self.by_alias.items():
            for prov in provinces:
                if prov.level != "province" or prov.is_municipality or len(alias) < 2:
                    continue
                for city_alias, cities in self.by_alias.items():
                    for city in cities:
                        if city.level == "city" and city.province == prov.province and len(city_alias) >= 2:
                            pairs.setdefault(alias + city_alias, city)
        names = sorted(pairs, key=len, reverse=True)
        return re.compile("|".join(map(re.escape, names)) or "(?!)"), pairs

    def province_city_pairs_in(self, text: str) -> list[tuple[int, int, str, Place]]:
        rx, pairs = self._province_city_pairs
        return [(m.start(), m.end(), m.group(0), pairs[m.group(0)]) for m in rx.finditer(text)]

    def alias_at_start(self, text: str) -> tuple[str, list[Place]] | None:
        """The longest short name (益阳, 永春, 黑龙江) that ``text`` starts with, of two or more
        characters, from the gazetteer's own aliases; with the character its full name ends in
        when that follows (恩施州 for 恩施土家族苗族自治州, 长阳县 for 长阳土家族自治县)."""
        for n in (4, 3, 2):
            cand = text[:n]
            if len(cand) < n:
                continue
            places = self.by_alias.get(cand) or self.county_alias.get(cand)
            if places:
                if len(text) > n and all(p.name[-1] == text[n] for p in places):
                    return text[:n + 1], places
                return cand, places
        return None

    def alias_ending_at(self, text: str, end: int) -> tuple[str, list[Place]] | None:
        """The longest short name (遵义, 六盘水) of two to four characters that ends at ``end``."""
        for n in (4, 3, 2):
            if end - n < 0:
                continue
            cand = text[end - n:end]
            places = self.by_alias.get(cand) or self.county_alias.get(cand)
            if places:
                return cand, places
        return None

    @cached_property
    def initials(self) -> dict[str, Place]:
        """One character that begins the full or short name of a single division, a city (梧 for
        梧州市): what such a character abbreviates when it stands for a place (来梧人员)."""
        begins: dict[str, set[Place]] = {}
        for index in (self.by_name, self.by_alias, self.county_alias):
            for name, places in index.items():
                begins.setdefault(name[0], set()).update(places)
        return {ch: next(iter(places)) for ch, places in begins.items()
                if len(places) == 1 and next(iter(places)).level == "city"}

    @cached_property
    def _province_short(self) -> tuple[re.Pattern[str], dict[str, Place]]:
        names = {alias: places[0] for alias, places in self.by_alias.items()
                 if len(alias) >= 2 and len(places) == 1 and places[0].level == "province"
                 and not places[0].is_municipality}
        rx = re.compile("|".join(map(re.escape, sorted(names, key=len, reverse=True))) or "(?!)")
        return rx, names

    def province_short_names_in(self, text: str) -> list[tuple[int, int, str, Place]]:
        """A province's short name (山西, 黑龙江) wherever it stands in ``text``, not inside a
        longer full name that the text writes out (山西省 is found by ``names_in``)."""
        rx, names = self._province_short
        return [(m.start(), m.end(), m.group(0), names[m.group(0)]) for m in rx.finditer(text)
                if not text.startswith(names[m.group(0)].name, m.start())]

    def places_in_outlet(self, name: str) -> tuple[str, list[Place]] | None:
        """The place an outlet or site is named after: 中国宁波网 → 宁波市, 沈丘县政府网 → 沈丘县."""
        return self._outlet_places(name)

    def _read_outlet_places(self, name: str) -> tuple[str, list[Place]] | None:
        best: tuple[str, list[Place]] | None = None
        found = self.names_in(name, min_len=2)
        if found:
            _, _, cand, places = max(found, key=lambda f: len(f[2]))
            best = (cand, places)
        for i in range(len(name)):
            for n in (4, 3, 2):
                cand = name[i:i + n]
                places = self.by_alias.get(cand)
                if places is None and (name[i + n:i + n + 2] == "融媒"
                                       or (i == 0 and _COUNTY_OUTLET.match(name, n))):
                    # a county's short name is a place only before an outlet word: 石鼓融媒,
                    # 文成新闻网 (not 东方网 or 长安网, whose short names are common words)
                    places = self.county_alias.get(cand)
                if places and (best is None or len(cand) > len(best[0])):
                    best = (cand, places)
        return best

    @cached_property
    def towns(self) -> dict[str, list[Place]]:
        """Township and street names (镇, 乡, 街道) → their county, read from jionlp's data file."""
        return _load_towns(self)


def _aliases(value) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    from extractor.stages.locate.ruleset import load_locate_rules

    return Gazetteer(location_tree(), load_locate_rules().rx("unit_type"))


def _jionlp_data(name: str) -> str:
    """Path of a data file that ships inside the jionlp package, found without importing it."""
    from importlib.util import find_spec

    spec = find_spec("jionlp")
    base = list(spec.submodule_search_locations)[0] if spec and spec.submodule_search_locations else ""
    return os.path.join(base, "dictionary", name)


def jionlp_location_text() -> str:
    """jionlp's ``china_location.txt``, read from the zip archive jionlp ships. jionlp unpacks the
    archive only when it is first imported, so the text file is absent from a fresh install."""
    import zipfile

    with zipfile.ZipFile(_jionlp_data("china_location.zip")) as archive:
        return archive.read("china_location.txt").decode("utf-8")


# Province, city and county lines of jionlp's china_location.txt: 0–2 tabs, name, code, alias.
_LOCATION_LINE = re.compile(r"(?:^|\n)(\t{0,2})([^\t\r\n]+)\t([^\t\r\n]+)\t([^\t\r\n]*)")
DIVISIONS_FILE = "divisions.tsv"
TOWNS_FILE = "towns.tsv"


def location_tree_from_jionlp() -> dict:
    """jionlp's province/city/county tree, as ``jionlp.china_location_loader()`` builds it, read
    straight from jionlp's data (its loader walks all 700,000 lines down to villages)."""
    return _tree(_LOCATION_LINE.findall(jionlp_location_text()))


def _tree(rows) -> dict:
    tree: dict = {}
    prov_node: dict = {}
    city_node: dict = {}
    for tabs, name, code, alias in rows:
        if tabs == "":
            prov_node = tree[name] = {"_full_name": name, "_alias": alias, "_admin_code": code}
        elif tabs == "\t":
            city_node = prov_node[name] = {"_full_name": name, "_alias": alias.split("/"), "_admin_code": code}
        else:
            city_node[name] = {"_full_name": name, "_alias": alias, "_admin_code": code}
    return tree


def render_divisions() -> str:
    """``data/divisions.tsv``: the province, city and county lines of jionlp's gazetteer."""
    rows = _LOCATION_LINE.findall(jionlp_location_text())
    from importlib.metadata import version
    head = ("# Administrative divisions of China down to county level: the province, city and county lines of\n"
            f"# jionlp {version('jionlp')}'s dictionary/china_location.txt, copied by locate.render_divisions().\n"
            "# Columns: depth (0 province, 1 city, 2 county), name, admin code, alias(es).\n"
            "# A test regenerates it from the installed jionlp and fails when the two differ.\n")
    return head + "".join(f"{len(t)}\t{n}\t{c}\t{a}\n" for t, n, c, a in rows)


def render_towns() -> str:
    """``data/towns.tsv``: the township and street names (镇, 乡, 街道 …) of jionlp's gazetteer, one
    line per county: province, city, county (as jionlp writes them), then the towns."""
    from importlib.metadata import version
    out = ["# Townships and streets of China: the fourth-level lines of jionlp "
           f"{version('jionlp')}'s dictionary/china_location.txt,\n"
           "# copied by locate.render_towns(). Columns: province, city, county, towns (space-separated).\n"
           "# A test regenerates it from the installed jionlp and fails when the two differ.\n"]
    prov = city = county = ""
    towns: list[str] = []

    def flush() -> None:
        if county and towns:
            out.append(f"{prov}\t{city}\t{county}\t{' '.join(towns)}\n")

    for line in jionlp_location_text().split("\n"):
        if line.startswith("\t\t\t\t") or not line.strip():
            continue
        name = line.strip().split("\t")[0]
        if line.startswith("\t\t\t"):
            towns.append(name)
            continue
        flush()
        towns = []
        if line.startswith("\t\t"):
            county = name
        elif line.startswith("\t"):
            city, county = name, ""
        else:
            prov, city, county = name, "", ""
    flush()
    return "".join(out)


def _packaged(name: str) -> str:
    from importlib import resources

    return resources.files("extractor").joinpath("data", name).read_text(encoding="utf-8")


def location_tree() -> dict:
    """The gazetteer tree, from the packaged copy of jionlp's province/city/county lines (fast to
    read at start-up), else from jionlp's own data."""
    try:
        text = _packaged(DIVISIONS_FILE)
    except OSError:  # pragma: no cover - the file ships with the package
        return location_tree_from_jionlp()
    rows = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            depth, name, code, alias = line.split("\t")
            rows.append(("\t" * int(depth), name, code, alias))
    return _tree(rows)


def _load_towns(gaz: Gazetteer) -> dict[str, list[Place]]:
    """Town name → the counties that have a town of that name, from ``data/towns.tsv``."""
    towns: dict[str, list[Place]] = {}
    try:
        text = _packaged(TOWNS_FILE)
    except OSError as exc:  # pragma: no cover - the file ships with the package
        log.warning("township names unavailable: %s", exc)
        return towns
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        prov, city, county_name, names = line.split("\t")
        if prov in MUNICIPALITIES:
            city = prov
        if county_name.endswith("直辖行政区划"):  # towns straight under a city (东莞市, 中山市)
            county = next((p for p in gaz.by_name.get(city, []) if p.province == prov), None)
        else:
            county = next((p for p in gaz.by_name.get(county_name, [])
                           if p.province == prov and p.city in (city, "")), None)
        if county is None:
            continue
        for name in names.split(" "):
            lst = towns.setdefault(name, [])
            if county not in lst:
                lst.append(county)
    return towns
