"""segment: cleaned text → directive spans (codebook §1).

Three kinds of directive, found in this order so that the larger unit owns its sentences:

1. numbered: marker families (一要, 一是/一是要, 第一, 首先…, 一、, (一), 1., (1), ①) read from
   ``rules/segment.yaml``; a series needs two or more consecutive ordinals (or opens the page past
   1, or is a lone 一要 in the page's last paragraph, when the family allows); an ordinal said twice
   or skipped once by the writer (三是…三是…四是…) does not end it. Markers inside brackets form
   their own series. A member runs to the next member of its series or to the end of
   its paragraph. A series that reports work done, or is the meeting's agenda, is dropped.
2. parallel: three or more sentences of one shape (最好的方法是… / 执行规定要严 / 聚焦“三防”,…).
3. unnumbered: in a frame (会议强调, <leader>指出, 他都指出, a standalone 会议强调⏎ or 袁华军强调——
   line, a sentence that announces its points: 就…提出五点要求。 …), each sentence that opens with
   a modal (要, 必须 …), with a short actor or topic then a modal (全市上下要 …, “四早”要 …), or
   with one of the other starts of ``Segmenter.sentence_start``; in the frame
   sentence itself, the first clause that does. In a list written as one sentence, each ;-clause
   that opens so starts a directive too.

All positions are offsets into the cleaned text; a span never crosses a paragraph unless a
heading-only numbered item owns the body paragraphs below it (a line that opens with punctuation
continues the paragraph before it).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from extractor.models import Leader, Span
from extractor.rules import SegmentRules, load_segment_rules
from extractor.stages.segment_text import (  # noqa: F401 - re-exported
    _AFTER_SENTENCE_END,
    _ATTENDANCE_TAIL,
    _BOUNDARY,
    _CIRCLED,
    _CLAUSE_ENDS,
    _CLAUSE_MARK,
    _CLAUSE_STOP,
    _CUT_OFF_PARAS,
    _HEADING_END,
    _LAST_BOUNDARY,
    _MAY_SECTION,
    _NAME_AFTER_POST,
    _NAME_ONLY,
    _POST_NAME,
    _POST_WORDS,
    _POSTS,
    _REPEAT_MIN,
    _SEMICOLON,
    _SENTENCE_END,
    _SEQUENCE,
    _after_boundary,
    _alternation,
    _Brackets,
    _clause_starts,
    _Frames,
    _FrameScan,
    _is_signature,
    _Marker,
    _Owned,
    _Para,
    _para_index,
    _paragraphs,
    _sentences,
    _sentences_in,
    _skip_space,
    _Start,
    _Words,
    cn_ordinal,
)


class Segmenter:
    """Finds directive spans with the compiled rules of ``rules/segment.yaml``."""

    def __init__(self, rules: SegmentRules) -> None:
        self.rules = rules
        verbs = _alternation(rules.frame.verbs)
        # After the verb: a comma or colon, a dash (袁华军强调——), the end of the line (a standalone
        # frame line), or a modal or an actor straight after; a fused verb may also run straight
        # into its content (会议要求街道上下要…, 强调了当前…).
        tail = (rf"(?:\s*[,:]\s*|[ \t]*(?:——|—|--)+[ \t]*|(?=[ \t]*(?:\n|\Z))"
                rf"|(?={rules.modal}|各级|各地|各部门|全市|全省|全县|全区))")
        fused = (rf"|(?P<fused>{_alternation(rules.frame.fused_verbs)})了?(?![的地得])(?=[\u4e00-\u9fff“0-9])"
                 if rules.frame.fused_verbs else "")
        adverbs = _alternation(rules.frame.adverbs or ["并", "还", "又", "同时", "也", "亦"])
        self._frame = re.compile(
            rf"(?P<who>[^,;:。!?\n]{{0,{rules.frame.who_max}}}?)(?:在[^,;:。!?\n]{{1,30}}?(?:中|上|时|后|前|期间))?"
            rf"(?P<adv>(?:{adverbs}){{0,3}})(?:(?P<verb>{verbs}){tail}{fused})")
        # Adverbs a speaker part may end with, once its topic is taken off (他|就此事|反复 → 他).
        self._who_adverbs = re.compile(rf"(?:{adverbs})+$")
        # How far after its start a frame's verb may begin: who, then 在…中 (at most 32), then three
        # adverbs.
        self._frame_reach = rules.frame.who_max + 32 + 3 * max(map(len, rules.frame.adverbs or ["同时"]))
        self._announce = re.compile(rules.frame.announce)
        self._who_interposed = re.compile(rules.frame.who_interposed)
        self._verbs = _Words(rules.frame.verbs)
        self._scan: _FrameScan | None = None
        # A speaker section header: a paragraph that is only a leader and a colon (市委书记张建国:).
        self._section = re.compile(r"(?P<who>[^,;:。!?\n]{2,30}?)(?P<verb>)(?:在会上|(?:的)?讲话|发言)?\s*:\s*$",
                                   re.MULTILINE)
        self._who_exclude = re.compile(rules.frame.who_exclude)
        self._who_speaker = re.compile(rules.frame.who_speaker)
        self._who_name_post = re.compile(rules.frame.who_name_post)
        self._who_topic = re.compile(rules.frame.who_topic)
        self._modal = re.compile(rules.modal)
        # A subject may hold bracketed parts (领导小组(指挥部)), each of which counts as one character.
        self._actor = re.compile(
            rf"(?P<subj>(?:[^,;:。!?\n()]|\([^,;:。!?\n()]{{1,12}}\)){{2,{rules.actor.max_len}}}?)"
            rf"(?:也|都|还|更|均|同样)?(?P<modal>{rules.modal})")
        self._actor_noun = re.compile(rules.actor.nouns)
        self._actor_end = re.compile(rf"(?:{rules.actor.nouns})$")
        self._actor_exclude = re.compile(rules.actor.exclude)
        self._comma_subject = re.compile(rules.actor.comma_subject)
        self._topic_subject = re.compile(rules.actor.topic_subject)
        self._lead = re.compile(rules.lead_connective)
        # The openings of sentence_start other than a modal or an actor, tried in one match.
        self._other_start = re.compile(
            rf"(?P<request>{rules.request_start})|(?P<lead>{rules.lead_connective})|"
            rf"(?P<purpose>{rules.purpose_clause})|(?P<topic>{rules.topic_start})")
        self._bullets = re.compile(rules.bullets)
        self._agenda = re.compile(rules.agenda_item)
        self._byline = re.compile(rules.trailing_byline)
        self._narrative = re.compile(rules.narrative_sentence)
        self._attendance = re.compile(rules.attendance_sentence)
        self._narrative_intro = re.compile(rules.narrative_intro)
        self._narrative_item = re.compile(rules.narrative_item)
        # (id, regex, has a prefix group, has a marker group) of each parallel family.
        self._parallel_families = [(fam.id, fam.regex, "prefix" in fam.regex.groupindex,
                                    "marker" in fam.regex.groupindex, fam.requires) for fam in rules.parallel]
        self._topic_exclude = {fam.id: re.compile(fam.topic_exclude) for fam in rules.parallel if fam.topic_exclude}
        self._clause_reach = rules.frame.clause_reach
        self._body_starts = re.compile("|".join(map(re.escape, rules.heading_body_starts)))

    @classmethod
    def default(cls) -> Segmenter:
        return cls(load_segment_rules())

    # -- public ---------------------------------------------------------------------------
    def segment(self, text: str, leaders: list[Leader] | tuple = ()) -> list[Span]:
        _sentences_in.cache_clear()  # the cache serves one notice; it must not keep old notices alive
        paras = _paragraphs(text)
        if not paras:
            return []
        names = {ld.name for ld in leaders}
        frames = self._frames(text, paras, names)
        starts = self._numbered(text, paras, frames)
        starts.extend(self._parallel(text, paras, frames, _Owned([(s.start, s.end) for s in starts])))
        starts.extend(self._unnumbered(text, paras, frames, _Owned([(s.start, s.end) for s in starts]), names))
        starts.sort(key=lambda s: s.start)
        return self._spans(text, paras, starts)

    # -- frames -------------------------------------------------------------------------------
    def match_frame(self, text: str, pos: int, names: set[str] | frozenset = frozenset(),
                    clause: bool = False, lead_start: int = -1) -> re.Match[str] | None:
        """A frame clause (会议强调, / 他指出, / 省长王凯在会议讲话中要求,) starting at ``pos``.

        ``clause``: ``pos`` is a later clause of a sentence that begins at ``lead_start``."""
        scan = self._frame_scan(text)
        m = self._frame.match(text, pos) if scan.may_frame(pos, self._frame_reach) else None
        section = False
        if not m and not clause and _MAY_SECTION.match(text, pos):
            m = self._section.match(text, pos)
            section = m is not None
        if not m:
            return None
        who = self.who_of(m)
        if section and not (who in names or _NAME_AFTER_POST.search(who) or who.endswith(_POSTS)):
            return None
        if self._who_exclude.search(who):
            return None
        named = who in names or _NAME_AFTER_POST.search(who) is not None or self._who_name_post.match(who) is not None
        if not who:
            # 会上,副书记朱玉超传达了…精神,强调了…: the speaker is named in an earlier clause; a
            # sentence that opens with an adverb and the verb (还强调,要…) refers to the last speaker.
            if clause:
                return m if self._names_speaker(text[lead_start:pos], names) else None
            return m if m.group("adv") and m.start("adv") == pos else None
        if not (named or self._who_speaker.search(who)):
            return None
        if clause and not (who in ("会议", "会上", "他", "她") or named):
            return None
        if m.groupdict().get("fused") and not (named or who in ("会议", "会上", "会议上", "他", "她")
                                     or not _NAME_ONLY.match(who) or self._is_leader_in(text, who)):
            return None  # a bare two- or three-character who before a fused verb must be a leader
        return m

    def who_of(self, m: re.Match[str]) -> str:
        """The speaker part of a frame match, without a topic after it (李谦常|对复工复产|提出了)."""
        who = m.group("who").strip()
        t = self._who_topic.search(who)
        if t and t.start() > 0:
            who = who[: t.start()].strip()
        a = self._who_adverbs.search(who)
        if a:
            who = who[: a.start()].strip()
        i = self._who_interposed.search(who)  # 王某|每到一处|都强调
        if i and i.start() > 0:
            who = who[: i.start()].strip()
            a = self._who_adverbs.search(who)
            if a:
                who = who[: a.start()].strip()
        return who

    @staticmethod
    def _names_speaker(lead: str, names: set[str] | frozenset) -> bool:
        return bool(lead) and ("会议" in lead or lead.startswith("会上") or _POST_NAME.search(lead) is not None
                               or any(n in lead for n in names))

    @staticmethod
    def _is_leader_in(text: str, who: str) -> bool:
        """Whether the text names ``who`` after a post somewhere (市长李谦常)."""
        i = text.find(who)
        while i >= 0:
            if text.endswith(_POSTS, 0, i):
                return True
            i = text.find(who, i + 1)
        return False

    def _frame_scan(self, text: str) -> _FrameScan:
        """The frame scan of ``text``, kept for the text last asked about (one notice at a time)."""
        scan = self._scan
        if scan is None or scan.text is not text:
            scan = self._scan = _FrameScan(text, self._verbs.starts(text))
        return scan

    def speaker_of(self, who: str, previous: str, names: set[str]) -> str:
        who = who.strip()
        m = None
        for m in _NAME_AFTER_POST.finditer(who):
            pass
        if m:
            return m.group("name")
        if who.startswith(("他", "她")):
            return previous if previous and previous != "会议" else (next(iter(names)) if len(names) == 1 else "")
        if who.endswith("同志") and _NAME_ONLY.match(who[:-2]):
            return who[:-2]  # 王某同志
        if who in names:
            return who
        inside = max(((who.rfind(n), n) for n in names if n in who), default=None)
        if inside:
            return inside[1]
        if "会" in who:
            return "会议"
        if _NAME_ONLY.match(who) or who.endswith(_POSTS):
            return who
        return "会议"

    def find_frame(self, text: str, s_start: int, s_end: int, names: set[str]) -> re.Match[str] | None:
        """A frame at a sentence start, or after leading clauses (会上,市长X要求,…)."""
        m = self.match_frame(text, s_start, names)
        if m is not None:
            return m
        # A frame at a later clause needs its verb in that clause: only the clauses that hold a
        # verb, within the first clause_reach of the sentence, are tried.
        scan = self._frame_scan(text)
        i = bisect_left(scan.verbs, s_start)
        tried = s_start
        while i < len(scan.verbs) and scan.verbs[i] < s_end:
            v = scan.verbs[i]
            i += 1
            c = max(text.rfind(",", s_start, v), text.rfind(";", s_start, v), text.rfind(":", s_start, v)) + 1
            if c <= tried:
                continue  # the sentence's first clause (tried above), or a clause tried already
            tried = c
            if sum(text.count(ch, s_start, c) for ch in ",;:") >= self._clause_reach:
                break
            m = self.match_frame(text, _skip_space(text, c, s_end), names, clause=True, lead_start=s_start)
            if m:
                return m
        return None

    def find_announce(self, text: str, s_start: int, s_end: int,
                      names: set[str]) -> tuple[re.Match[str] | None, str]:
        """A sentence that announces the points after it (<speaker>就…提出五点要求。 / 提出三点意见:),
        its speaker named before the verb in any of its clauses (会议 / 他 / a leader): the match and
        the words that name the speaker."""
        m = self._announce.search(text, s_start, s_end)
        if m is None:
            return None, ""
        lead = text[s_start:m.start()]
        # A sentence that opens with the name of a leader the page names after a post (市长李明…).
        for k in (3, 2):
            if len(lead) > k and _NAME_ONLY.match(lead[:k]) and self._is_leader_in(text, lead[:k]):
                return m, lead[:k]
        if self._names_speaker(lead, names) or lead.startswith(("他", "她")):
            return m, lead
        return None, ""

    def _frames(self, text: str, paras: list[_Para], names: set[str]) -> _Frames:
        frames = _Frames()
        previous = ""
        verbs = self._frame_scan(text).verbs
        posts = _POST_WORDS.starts(text)
        # Where a sentence may announce its points (讲了三点意见:): one pass over the text.
        announces = [m.start() for m in self._announce.finditer(text)]
        for para in paras:
            for s_start, s_end in _sentences(text, para):
                # A sentence without a frame verb can only open a speaker section (市委书记张建国:)
                # or announce the points after it.
                i = bisect_left(verbs, s_start)
                j = bisect_left(announces, s_start)
                announce = j < len(announces) and announces[j] < s_end
                if (i < len(verbs) and verbs[i] < s_end) or announce or _MAY_SECTION.match(text, s_start):
                    m = self.find_frame(text, s_start, s_end, names)
                    announced = None
                    if m is None and announce:
                        m, announced = self.find_announce(text, s_start, s_end, names)
                    if m:
                        who = announced or self.who_of(m) or text[s_start:m.start()]
                        if who or not previous:  # 同时强调,要…: the last speaker goes on
                            previous = self.speaker_of(who, previous, names)
                        frames.add(m.start(), m.end(), previous)
                        frames.by_sentence[s_start] = m
                        frames.by_pos[m.start()] = m
                # The last leader named (市委书记张建国主持会议) is who a later 他 refers to.
                i = bisect_left(posts, s_start)
                if i < len(posts) and posts[i] < s_end:
                    for nm in _NAME_AFTER_POST.finditer(text, s_start, s_end):
                        previous = nm.group("name")
        return frames

    # -- numbered -----------------------------------------------------------------------------
    def _markers(self, text: str, paras: list[_Para], frame_ends: set[int]) -> dict[str, list[_Marker]]:
        found: dict[str, list[_Marker]] = {}
        starts = [p.start for p in paras]
        firsts = [_skip_space(text, p.start, p.end) for p in paras]
        depth = _Brackets(text)
        for fam in self.rules.numbered:
            allowed = _BOUNDARY[fam.position]
            out: list[_Marker] = []
            heads: list[_Marker] = []  # ordinal-1 markers in mid-clause, kept only if their 二 follows
            for m in fam.regex.finditer(text):  # one pass over the text, not one per paragraph
                pos = m.start()
                pi = bisect_right(starts, pos) - 1
                if pi < 0 or pos < firsts[pi] or m.end() > paras[pi].end:
                    continue
                first = firsts[pi]
                via_actor = False
                if pos != first and pos not in frame_ends and not _after_boundary(text, pos, first, allowed):
                    if fam.after_actor and self._after_actor(text, pos, first):
                        via_actor = True
                    elif fam.after_actor and m.group().endswith("要") and m.group("ord") == "一":
                        # 下一步一要…,二要…: a head in mid-clause stands if its 二 follows (below)
                        heads.append(_Marker(fam.id, fam.level, 1, pos, m.end(), pi, False, first,
                                             depth.at(pos, paras[pi].start), True))
                        continue
                    else:
                        continue
                raw = m.group("ord")
                last = False
                if fam.ordinal == "chinese":
                    ordinal = cn_ordinal(raw)
                elif fam.ordinal == "arabic":
                    ordinal = int(raw)
                elif fam.ordinal == "circled":
                    ordinal = _CIRCLED.index(raw) + 1
                else:
                    ordinal, last = _SEQUENCE.get(raw, 0), raw in ("然后", "最后")
                if ordinal or last:
                    out.append(_Marker(fam.id, fam.level, ordinal, pos, m.end(), pi, last, first,
                                       depth.at(pos, paras[pi].start), via_actor))
            for head in heads:  # few: most texts have none
                i = bisect_right([mk.start for mk in out], head.start)
                if i < len(out) and out[i].para == head.para and out[i].ordinal == 2 and out[i].depth == head.depth:
                    out.insert(i, head)
            found[fam.id] = out
        return found

    def _after_actor(self, text: str, pos: int, first: int) -> bool:
        """Whether a short actor stands between the last boundary and ``pos`` (会议要求,各乡镇|一要…)."""
        lo = max(first, pos - self.rules.actor.max_len - 1)
        b = _LAST_BOUNDARY.search(text, lo, pos)
        subj_start = b.start() + 1 if b else (first if lo == first else -1)
        if subj_start < 0 or pos - subj_start < 2:
            return False
        subj = text[subj_start:pos].strip()
        return self._actor_end.search(subj) is not None and not self._actor_exclude.search(subj)

    def _series(self, markers: list[_Marker], fam, last_prose: int) -> list[list[_Marker]]:
        """Runs of consecutive ordinals. Markers inside brackets form their own runs, so that an
        inner list (…(一是…;二是…);三是…) neither continues nor breaks the outer one."""
        series: list[list[_Marker]] = []
        current: dict[int, list[_Marker]] = {}  # bracket depth → the run open at it
        seen_any = False
        for mk in markers:
            for d in [d for d in current if d > mk.depth]:
                del current[d]  # an outer marker closes the runs inside brackets
            if mk.ordinal == 1 and not mk.last:
                current[mk.depth] = [mk]
                series.append(current[mk.depth])
                seen_any = True
                continue
            cur = current.get(mk.depth)
            if cur is None:
                # A page cut before its first item opens at 四要: the run may begin past 1.
                if fam.cut_off and not seen_any and mk.depth == 0 and mk.para <= _CUT_OFF_PARAS and not mk.last:
                    current[0] = [mk]
                    series.append(current[0])
                seen_any = True
                continue
            seen_any = True
            prev = cur[-1]
            follows = mk.last or mk.ordinal == prev.ordinal + 1
            # A marker said twice (三是…;三是…;四是…) is a slip of the writer: the second opens the
            # next member under the same ordinal, once, and the series goes on from it.
            repeated = (mk.ordinal == prev.ordinal >= 2 and not mk.via_actor
                        and not (len(cur) >= 2 and cur[-2].ordinal == prev.ordinal))
            # One ordinal skipped in a paragraph's run of two or more (一是…二是…四是…) is the same slip.
            skipped = (mk.ordinal == prev.ordinal + 2 and len(cur) >= 2 and mk.para == prev.para
                       and not mk.via_actor and cur[-2].ordinal == prev.ordinal - 1)
            same_place = mk.para == prev.para or mk.start == mk.para_first  # new paragraph: must lead it
            if (follows or repeated or skipped) and same_place:
                if mk.last:
                    mk.ordinal = prev.ordinal + 1
                cur.append(mk)
        # A lone 一要 / 第一 in the page's last prose paragraph: its siblings were cut off.
        return [s for s in series if len(s) >= 2 or (fam.lone_at_end and s[0].ordinal == 1 and s[0].depth == 0
                                                      and not s[0].via_actor and s[0].para >= last_prose)]

    def _numbered(self, text: str, paras: list[_Para], frames: _Frames) -> list[_Start]:
        by_family = self._markers(text, paras, frames.ends)
        # The last paragraph with a sentence end: what follows it is page residue, not text.
        last_prose = next((i for i in range(len(paras) - 1, -1, -1)
                           if _SENTENCE_END.search(text, paras[i].start, paras[i].end)), 0)
        all_series: list[list[_Marker]] = []
        for fam in self.rules.numbered:
            all_series.extend(s for s in self._series(by_family[fam.id], fam, last_prose)
                              if not self._reports_work_done(text, paras, s[0], frames))
        # A series whose members all lie inside one member of another series is part of that
        # member (一要加强监测:①…;②…), not directives of its own. A series that reports work done or
        # is the meeting's agenda is dropped first, so that the lists inside its items stand.
        all_series.sort(key=lambda s: (s[0].start, s[0].level))
        member_starts = sorted(mk.start for s in all_series for mk in s)
        spans_of = [self._member_spans(text, paras, s, member_starts) for s in all_series]
        valid = [i for i, s in enumerate(all_series)
                 if not self._items_report_work_done(text, s, spans_of[i])
                 and not self._items_are_agenda(text, s, spans_of[i])]
        kept: list[tuple[list[_Marker], list[tuple[int, int]]]] = []
        for i in valid:
            s = all_series[i]
            nested = any(j != i and any(a < s[0].start and s[-1].start < b for a, b in spans_of[j])
                         for j in valid)
            if not nested:
                kept.append((s, spans_of[i]))
        out: list[_Start] = []
        for sid, (s, spans) in enumerate(kept):
            for mk, (a, b) in zip(s, spans):
                if b <= a:
                    continue
                out.append(_Start(a, b, "numbered", text[mk.start:mk.end].strip(" ,:"), mk.end,
                                  frames.at(a), sid))
        # A heading-only item whose next paragraph opens an inner series is a section title.
        result = []
        for st in out:
            seg = text[st.start:st.end]
            if not _CLAUSE_STOP.search(seg) and len(seg) <= 40:
                pi = _para_index(paras, st.start)
                nxt = paras[pi + 1] if pi + 1 < len(paras) else None
                inner = nxt and any(o.start == _skip_space(text, nxt.start, nxt.end) and o.series != st.series
                                    for o in out)
                if inner and st.end <= paras[pi].end:
                    continue
            result.append(st)
        return result

    def _reports_work_done(self, text: str, paras: list[_Para], first: _Marker, frames: _Frames) -> bool:
        """The series follows a report of work done (今年以来,我县一是…), not a frame."""
        para = paras[first.para]
        lo = para.start if first.start > first.para_first else (paras[first.para - 1].start if first.para else
                                                                   para.start)
        intro = text[lo:first.start]
        if any(lo <= p < first.start for p in frames.positions):
            return False
        return self._narrative_intro.search(intro) is not None

    def is_narrative(self, text: str, pos: int, end: int, sentence: bool = False) -> bool:
        """Whether the sentence at ``pos`` (within ``text[pos:end]``, or ``text[pos:end]`` itself with
        ``sentence``) reports rather than directs."""
        if self._narrative.match(text[pos:end]):
            return True
        if sentence:
            e = end
        else:
            m = _SENTENCE_END.search(text, pos, end)
            e = m.end() if m else end
        return (self._attendance.search(text, max(pos, e - _ATTENDANCE_TAIL), e) is not None
                and self._modal.search(text, pos, e) is None)

    def is_narrative_item(self, item: str) -> bool:
        """An item whose first two sentences report work done and carry no modal."""
        head = "".join(_AFTER_SENTENCE_END.split(item)[:2])
        return self._narrative_item.search(head) is not None and self._modal.search(head) is None

    def _items_report_work_done(self, text: str, s: list[_Marker], spans: list[tuple[int, int]]) -> bool:
        narrative = sum(self.is_narrative_item(text[a:b]) for a, b in spans)
        return narrative * 2 >= len(s) + 1

    def _items_are_agenda(self, text: str, s: list[_Marker], spans: list[tuple[int, int]]) -> bool:
        """An outline of the meeting's agenda (一、…通报形势 二、…部署 三、…讲话): most headings say
        who reports or speaks, and none holds a modal."""
        agenda = 0
        for mk, (_, b) in zip(s, spans):
            m = _HEADING_END.search(text, mk.end, b)
            heading = text[mk.end:m.start() if m else b]
            if self._modal.search(heading):
                return False
            agenda += self._agenda.search(heading) is not None
        return agenda * 2 > len(s)

    def _member_spans(self, text: str, paras: list[_Para], s: list[_Marker],
                      member_starts: list[int]) -> list[tuple[int, int]]:
        spans = []
        for i, mk in enumerate(s):
            para = paras[mk.para]
            end = para.end
            nxt = s[i + 1] if i + 1 < len(s) else None
            if nxt and nxt.para == mk.para:
                end = nxt.start
            elif nxt is None:
                # The last inline member stops at a new frame sentence in its paragraph.
                for s_start, _ in _sentences(text, para):
                    if s_start > mk.start and (self.match_frame(text, s_start)
                                               or self.is_narrative(text, s_start, para.end)):
                        end = s_start
                        break
            seg = text[mk.start:end]
            first = _skip_space(text, para.start, para.end)
            if mk.start == first and end == para.end and not _CLAUSE_STOP.search(seg) and len(seg) <= 40:
                end = self._extend_heading(text, paras, mk.para, nxt, member_starts)
            spans.append((mk.start, end))
        return spans

    def _extend_heading(self, text: str, paras: list[_Para], pi: int, nxt: _Marker | None,
                        member_starts: list[int]) -> int:
        """A heading-only item (一、加强组织领导) owns the unmarked body paragraphs below it."""
        end = paras[pi].end
        for pj in range(pi + 1, min(len(paras), pi + 7)):
            para = paras[pj]
            first = _skip_space(text, para.start, para.end)
            if (nxt and pj >= nxt.para) or first in member_starts or self.match_frame(text, first):
                break
            if self.is_narrative(text, first, para.end):
                break
            if _is_signature(text[first:para.end]):
                break
            end = para.end
        return end

    # -- parallel -------------------------------------------------------------------------------
    def _sentence_starts(self, text: str, para: _Para, frames: _Frames) -> list[int]:
        """Sentence starts (after 。!?;) and the position right after a frame clause."""
        out = []
        for s_start, s_end in _sentences(text, para, semicolons=True):
            out.append(s_start)
            m = frames.by_pos.get(s_start)
            if m and m.end() < s_end:
                out.append(m.end())
        return out

    def _parallel(self, text: str, paras: list[_Para], frames: _Frames, owned: _Owned) -> list[_Start]:
        cands: list[tuple[str, str, int, int, int, str]] = []  # family, key, pos, body, para, marker
        families = self._parallel_families
        plain = [f for f in families if not f[4]]  # the families a paragraph without their character may hold
        needy = {f[4] for f in families if f[4]}
        for pi, para in enumerate(paras):
            # A family that needs a character (“) is tried only in paragraphs that hold one.
            mine = families if not needy or any(text.find(c, para.start, para.end) >= 0 for c in needy) \
                else plain
            for pos in self._sentence_starts(text, para, frames):
                if pos in owned:
                    continue
                for fid, regex, has_prefix, has_marker, _ in mine:
                    m = regex.match(text, pos)
                    if not m:
                        continue
                    if fid == "p_topic_yao_adj" and self._modal.match(text, pos):
                        continue
                    ex = self._topic_exclude.get(fid)
                    if ex is not None and ex.search(m.group("topic")):
                        continue  # an actor, not a topic (各村要高度重视)
                    key = (m.group("prefix") if has_prefix else None) or ""
                    mk = m.group("marker") if has_marker else None
                    # The member starts at its marker when it has one (即|聚焦“三防”,…).
                    cands.append((fid, key, m.start("marker") if mk else pos, m.end("marker") if mk else pos, pi,
                                  mk or "要"))
        # Each family's candidates by key, in text order: one pass, not one filter per key.
        by_key: dict[str, dict[str, list[tuple]]] = {}
        for c in cands:
            by_key.setdefault(c[0], {}).setdefault(c[1], []).append(c)
        out: list[_Start] = []
        sid = 10_000
        for fam in self.rules.parallel:
            mine = by_key.get(fam.id, {})
            for key in sorted(mine):
                group: list[tuple] = []
                for c in mine[key] + [None]:
                    if c is not None and group and (c[4] == group[-1][4] or (
                            c[4] == group[-1][4] + 1 and c[2] == _skip_space(text, paras[c[4]].start,
                                                                              paras[c[4]].end))):
                        group.append(c)
                        continue
                    if len(group) >= fam.min_members and (not fam.needs_frame
                                                          or self._framed(paras, frames, group[0][4], group[0][2])):
                        sid += 1
                        for i, g in enumerate(group):
                            nxt = group[i + 1] if i + 1 < len(group) else None
                            end = nxt[2] if nxt and nxt[4] == g[4] else paras[g[4]].end
                            out.append(_Start(g[2], end, "parallel", g[5], g[3], frames.at(g[2]), sid))
                    group = [c] if c is not None else []
        # A position two families claim is the first family's member.
        taken: set[int] = set()
        return [st for st in out if not (st.start in taken or taken.add(st.start))]

    @staticmethod
    def _framed(paras: list[_Para], frames: _Frames, pi: int, pos: int) -> bool:
        """Whether a frame stands before ``pos`` in its paragraph or in one of the two before."""
        lo = paras[max(0, pi - 2)].start
        i = bisect_left(frames.positions, lo)
        return i < len(frames.positions) and frames.positions[i] < pos

    # -- unnumbered -----------------------------------------------------------------------------
    def directive_start(self, text: str, pos: int, end: int) -> tuple[int, str] | None:
        """If a directive opens at ``pos`` (要…, 必须…, 全市上下要…), its marker position and marker."""
        m = self._modal.match(text, pos, end)
        if m:
            return m.start(), m.group()
        a = self._actor.match(text, pos, end)
        if a:
            subj = a.group("subj")
            if (self._actor_noun.search(subj) or self._topic_subject.match(subj)) \
                    and not self._actor_exclude.search(subj):
                return a.start("modal"), a.group("modal")
        return None

    def sentence_start(self, text: str, pos: int, end: int, is_open: bool) -> tuple[int, int, str] | None:
        """If a sentence at ``pos`` in a frame opens a directive: (start, marker position, marker).

        Besides 要… and actor+要…: a connective before them (同时,要… / 下一步要…), which the
        directive keeps; a purpose clause (为…,各乡镇要…), after which it begins; a subject clause
        and a comma (各乡镇面对…形势,要…); 要求+actor (要求各镇政府…); and, where no directive of the
        paragraph is open, 对+topic+要 (对防护物资要统一调度)."""
        found = self.directive_start(text, pos, end)
        if found:
            return pos, found[0], found[1]
        o = self._other_start.match(text, pos, end)  # one match for the four openings below
        if o:
            kind = o.lastgroup
            if kind == "request":
                return pos, pos, o.group()
            if kind == "topic" and not is_open:
                return pos, o.start("modal"), o.group("modal")
            if kind in ("lead", "purpose"):
                after = _skip_space(text, o.end(), end)
                found = self.directive_start(text, after, end)
                if found:
                    return (pos if kind == "lead" else after), found[0], found[1]
        comma = _CLAUSE_MARK.search(text, pos, end)
        if comma and text[comma.start()] == "," and self._comma_subject.match(text[pos:comma.start()]):
            m = self._modal.match(text, comma.end(), end)
            if m:
                return pos, m.start(), m.group()
        return None

    def _unnumbered(self, text: str, paras: list[_Para], frames: _Frames, owned: _Owned,
                    names: set[str]) -> list[_Start]:
        out: list[_Start] = []
        context = False
        style_min = self.rules.semicolon_list.sentence_style_min
        for para in paras:
            had = False
            is_open = False  # a directive of this paragraph runs at this point
            sents: list[_Start] = []  # directives opened by sentences
            semis: list[_Start] = []  # directives opened by ;-clauses
            sentences = _sentences(text, para)
            for idx, (s0, s_end) in enumerate(sentences):
                s_start = s0 if "\u4e00" <= text[s0] <= "\u9fff" else self._skip_bullets(text, s0, s_end)
                if s_start >= s_end:
                    continue  # a lone bullet glyph
                if s0 in owned or (s_start != s0 and s_start in owned):
                    had, is_open = True, False
                    continue
                if idx and self.is_narrative(text, s_start, s_end, sentence=True):
                    out.append(_Start(s_start, s_start, "stop", "", s_start))
                    is_open = False
                    continue
                m = frames.by_sentence.get(s0)
                if m:
                    if idx:  # a new frame sentence ends the directive before it (…。他要求,要…)
                        out.append(_Start(s_start, s_start, "stop", "", s_start))
                    context = had = True
                    is_open = False
                    for c in [m.end()] + [c for c in _clause_starts(text, m.end(), s_end) if c > m.end()]:
                        if c in owned:
                            break
                        if c < s_end and not "\u4e00" <= text[c] <= "\u9fff":
                            c = self._skip_bullets(text, c, s_end)
                        found3 = self.sentence_start(text, c, s_end, False)
                        if found3:
                            start, mpos, marker = found3
                            sents.append(_Start(start, para.end, "unnumbered", marker, mpos + len(marker),
                                                frames.at(start)))
                            is_open = True
                            self._semicolon_starts(text, start, s_end, para.end, owned, frames, semis)
                            break
                    continue
                if not context:
                    continue
                found3 = self.sentence_start(text, s_start, s_end, is_open)
                if idx == 0 and not had and not found3:
                    context = False  # a paragraph that opens with no directive ends the frame
                    continue
                if found3:
                    start, mpos, marker = found3
                    had = is_open = True
                    sents.append(_Start(start, para.end, "unnumbered", marker, mpos + len(marker),
                                        frames.at(start)))
                if is_open:
                    self._semicolon_starts(text, found3[0] if found3 else s_start, s_end, para.end, owned, frames,
                                          semis)
            # A list written as one sentence (要…;要…;要…) is one directive per ;-clause, unless the
            # paragraph is written one directive per sentence.
            if semis and not (len(sents) >= style_min and len(sents) > len(semis)):
                out.extend(semis)
            out.extend(sents)
            tail = text[para.start:para.end].rstrip()
            context = had or tail.endswith(":")
        return out

    def _semicolon_starts(self, text: str, lo: int, hi: int, limit: int, owned: _Owned, frames: _Frames,
                          into: list[_Start]) -> None:
        """Directives that ;-clauses of ``text[lo:hi]`` open (要… or actor+要…)."""
        if text.find(";", lo, hi) < 0:  # most sentences have none
            return
        for sm in _SEMICOLON.finditer(text, lo, hi):
            c = sm.end()
            if c >= hi or c in owned:
                continue
            found = self.directive_start(text, c, hi)
            if found is None:
                lead = self._lead.match(text, c, hi)
                found = self.directive_start(text, _skip_space(text, lead.end(), hi), hi) if lead else None
            if found and not self._modal_is_request(text, c):
                into.append(_Start(c, limit, "unnumbered", found[1], found[0] + len(found[1]), frames.at(c)))

    def _skip_bullets(self, text: str, pos: int, end: int) -> int:
        if pos >= end or "\u4e00" <= text[pos] <= "\u9fff":  # no bullet is a Chinese character
            return pos
        m = self._bullets.match(text, pos, end)
        return m.end() if m else pos

    @staticmethod
    def _modal_is_request(text: str, pos: int) -> bool:
        return text.startswith("要求", pos)

    # -- spans ----------------------------------------------------------------------------------
    def _spans(self, text: str, paras: list[_Para], starts: list[_Start]) -> list[Span]:
        spans: list[Span] = []
        seen: dict[str, list[tuple[int, int]]] = {}
        for i, st in enumerate(starts):
            end = st.end
            for j in range(i + 1, len(starts)):  # not a copy of the rest of the list per start
                nxt = starts[j]
                if nxt.start >= end:
                    break
                if nxt.start > st.start and not (st.kind != "unnumbered" and nxt.kind == "unnumbered"):
                    end = min(end, nxt.start)
                    break
            if st.kind == "stop":
                continue
            end = self._trim_end(text, st.start, end)
            if end - st.body < 2:
                continue
            if self._repeats(text, st.start, end, seen):
                continue
            spans.append(Span(start=st.start, end=end, kind=st.kind, marker=st.marker,
                              heading=self.heading(text, st, end), speaker=st.speaker or "会议"))
        return spans

    @staticmethod
    def _repeats(text: str, start: int, end: int, seen: dict[str, list[tuple[int, int]]]) -> bool:
        """Whether the directive repeats an earlier one, whole or as its leading clauses (a lead
        paragraph's 要重点防麻痹、防输入 said again in the body); else it is recorded in ``seen``."""
        e = end
        while e > start and text[e - 1] in _CLAUSE_ENDS:
            e -= 1
        n = e - start
        if n < _REPEAT_MIN:
            return False
        key = text[start:start + _REPEAT_MIN]
        earlier = seen.get(key)
        if earlier:
            body = text[start:e]
            for a, b in earlier:
                if b - a >= n and text.startswith(body, a) and (b - a == n or text[a + n] in _CLAUSE_ENDS):
                    return True
            earlier.append((start, end))
        else:
            seen[key] = [(start, end)]
        return False

    def _trim_end(self, text: str, start: int, end: int) -> int:
        seg = text[start:end]
        m = self._byline.search(seg)
        if m and m.start() > 0:
            seg = seg[: m.start()].rstrip(" \t?")  # a ? before a byline is a lost character
        return start + len(seg.rstrip())

    def heading(self, text: str, st: _Start, end: int) -> str:
        """The leading summary clause; for a fused numbered heading, the phrase before the body."""
        body = st.body
        while body < end and text[body] in " ,、:":
            body += 1
        if st.kind == "numbered":
            m = self._modal.match(text, body, end)
            if m:
                body = m.end()
        m = _HEADING_END.search(text, body, end)
        clause_end = m.start() if m else end
        heading = text[body:clause_end]
        terminal = text[clause_end] if clause_end < end else "。"
        fused = terminal in ",;" and len(heading) > 12 or len(heading) > self.rules.heading_max
        if st.kind == "numbered" and fused and not self._modal.search(heading):
            for bm in self._body_starts.finditer(heading, 4):
                heading = heading[: bm.start()]
                break
        return heading.strip()[: self.rules.heading_max * 2]
