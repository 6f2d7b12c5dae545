"""Compose what the assistant says, from the knowledge base only.

Each function returns a :class:`Reply`; the Rasa actions only send it. Keeping composition here
means the wording rules (answer first, legal basis last, operator facts labelled as such) are
tested without Rasa.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional

from policy_kb.model import FaqEntry, KnowledgeBase
from policy_kb.search import FaqIndex
from policy_kb.text import administrative_places, normalise

RURAL_LAND_ARTICLE = "十一"
RURAL_LAND_TERMS = ("承包地", "宅基地", "集体收益分配权")
# The city itself (and common misspellings); its districts come from the glossary.
CITY_NAMES = ("韶关", "绍关", "韶州")
# The city's own province: "广东省……办法" is no other place's rules (places.yml does not list it either).
HOME_PROVINCE = ("广东",)
# Answers about settling pathways offer the step-by-step check as a next step.
SETTLING_INTENTS = ("faq_overview", "faq_settle_housing", "faq_collective_hukou", "faq_relatives", "faq_talent")
# Offered when nothing in the FAQ resembles the question at all.
DEFAULT_SUGGESTIONS = ("faq_overview", "faq_settle_housing", "faq_relatives")


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)
    articles: tuple = ()
    faq_id: Optional[str] = None  # the FAQ entry this reply answers with, if any


# What a resident can say about an answer (rating_<value> in messages.yml is the button title).
RATINGS = ("useful", "not_useful")
_RATING_PAYLOAD = re.compile(r'^/rate_answer\{"faq_id": "([^"]+)"')


def faq_button(faq: FaqEntry) -> Dict[str, str]:
    """A button that asks for exactly this entry, whatever the NLU would make of its text."""
    return {"title": faq.question, "payload": f'/{faq.intent}{{"faq_id": "{faq.id}"}}'}


def _fill(kb: KnowledgeBase, template: str, **values: str) -> str:
    operator = kb.operator
    return template.format(
        hotline=operator.hotline_number,
        hotline_name=operator.hotline_name,
        office=values.pop("office", operator.general_office),
        **values,
    )


def message(kb: KnowledgeBase, key: str, **values: str) -> Reply:
    """A fixed system message (greet, help, thank …) with its buttons, placeholders filled."""
    entry = kb.messages[key]
    if isinstance(entry, dict):
        buttons = [dict(b) for b in entry.get("buttons") or []]
        return Reply(_fill(kb, str(entry["text"]), **values), buttons)
    return Reply(_fill(kb, str(entry), **values))


def choose_faq(
    kb: KnowledgeBase, index: FaqIndex, intent: str, text: str, faq_id: Optional[str] = None
) -> Optional[FaqEntry]:
    """The entry a button asked for, else the best match within the intent, else its primary entry."""
    requested = kb.faqs.get(faq_id or "")
    if requested is not None and requested.published:
        return requested
    candidates = kb.faqs_for_intent(intent)
    if not candidates:
        return None
    hits = index.search(text, k=1, intent=intent)
    return hits[0].faq if hits else candidates[0]


def mentions_rural_land(kb: KnowledgeBase, text: str) -> bool:
    text = normalise(text)
    forms = [f for t in kb.glossary if t.term in RURAL_LAND_TERMS for f in t.surface_forms]
    return any(form in text for form in forms)


def faq_reply(kb: KnowledgeBase, faq: FaqEntry, text: str = "") -> Reply:
    """Answer, then (if land was mentioned) the land guarantee, then the legal basis last."""
    parts = [_fill(kb, faq.answer)]
    refs = list(faq.articles)
    if RURAL_LAND_ARTICLE not in refs and mentions_rural_land(kb, text):
        parts.append(str(kb.messages.get("rural_land_note", "")).strip())
        refs.append(RURAL_LAND_ARTICLE)
    parts.append(kb.citation(refs))
    related = [kb.faqs[r] for r in faq.related if r in kb.faqs and kb.faqs[r].published]
    buttons = [faq_button(r) for r in related]
    if faq.intent in SETTLING_INTENTS:
        buttons.append({"title": str(kb.messages["eligibility_offer"]), "payload": "/check_eligibility"})
    return Reply("\n".join(p for p in parts if p), buttons, tuple(refs), faq.id)


# An entry that opens by saying what the document does not settle ("《实施意见》没有规定居住证怎样
# 申领"); not one that opens with what it does say ("只写了……").
_OPENS_WITH_SILENCE = re.compile(r"^《实施意见》(?:没有|未)")
_POINTER = "建议"


def silence_of(kb: KnowledgeBase, faq: FaqEntry) -> Optional[Reply]:
    """The opening of an entry that begins with the document's silence, up to its pointer onward
    (咨询…或拨打…); None for an entry that opens with what the document says."""
    answer = _fill(kb, faq.answer).strip()
    if not _OPENS_WITH_SILENCE.match(answer):
        return None
    sentences = [s for s in answer.split("。") if s]
    end = next((i for i, s in enumerate(sentences) if _POINTER in s), 0)
    return Reply("。".join(sentences[: end + 1]) + "。", [], (), faq.id)


def with_rating(kb: KnowledgeBase, reply: Reply) -> Reply:
    """The reply with 有用/没用 buttons under it, if it answers with an FAQ entry."""
    if not reply.faq_id:
        return reply
    rating = [
        {
            "title": str(kb.messages[f"rating_{value}"]),
            "payload": f'/rate_answer{{"faq_id": "{reply.faq_id}", ' f'"rating": "{value}"}}',
        }
        for value in RATINGS
    ]
    return Reply(reply.text, reply.buttons + rating, reply.articles, reply.faq_id)


def rated_faq_id(payload: str) -> Optional[str]:
    """The FAQ id in a rating button's payload, else None."""
    match = _RATING_PAYLOAD.match(payload)
    return match.group(1) if match else None


def rating_in_words(kb: KnowledgeBase, text: str) -> str:
    """'not_useful' when a typed rating says the answer did not help (messages.yml lists the ways)."""
    text = normalise(text)
    words = kb.messages.get("rating_not_useful_words") or []
    return "not_useful" if any(normalise(str(word)) in text for word in words) else "useful"


def not_covered_topics(kb: KnowledgeBase, text: str) -> List[str]:
    """Keys of the not-covered topics (newborn, fees …) that the text mentions, in file order; a
    topic's ``unless`` words say the text is about something else ("毕业了想迁回" is no student's move),
    its ``with`` words must be there too ("儿子在广州读大学" says nothing of his hukou)."""
    text = normalise(text)
    topics = kb.messages["not_covered_topics"]
    return [
        key
        for key, topic in topics.items()
        if any(normalise(str(k)) in text for k in topic.get("keywords") or [])
        and not any(normalise(str(u)) in text for u in topic.get("unless") or [])
        and (not topic.get("with") or any(normalise(str(w)) in text for w in topic["with"]))
    ]


def topics_marked(kb: KnowledgeBase, text: str, mark: str) -> List[str]:
    """The not-covered topics the text mentions that carry ``mark``: ``of_hukou`` (a hukou
    business itself, such as 分户) or ``other_office`` (handled by another office)."""
    topics = kb.messages["not_covered_topics"]
    return [key for key in not_covered_topics(kb, text) if topics[key].get(mark)]


def without_topic_words(kb: KnowledgeBase, text: str, mark: str) -> str:
    """The text without the keywords of the not-covered topics that carry ``mark``, so that what
    else it names can be read ("身份证掉了" names the ID card, not household registration)."""
    text = normalise(text)
    for topic in kb.messages["not_covered_topics"].values():
        if topic.get(mark):
            for keyword in topic.get("keywords") or []:
                text = text.replace(normalise(str(keyword)), " ")
    return text


def _office_line(kb: KnowledgeBase, district: Optional[str]) -> Optional[str]:
    office = kb.operator.offices.get(district or "")
    if office is None:
        return None
    details = [office.name] + [v for v in (office.address, office.phone, office.hours) if v]
    if len(details) == 1:
        details.append("具体地址和电话请以当地公布为准")
    return "，".join(details) + "。"


def not_covered_reply(kb: KnowledgeBase, text: str, district: Optional[str] = None, outside: bool = False) -> Reply:
    """Say plainly what the document does not settle, then the operator's pointers, labelled.
    ``outside``: not a matter of the reform at all (an ID card, a passport): the assistant's scope is
    said first, as it is whenever every topic named is another office's."""
    topics = kb.messages["not_covered_topics"]
    keys = not_covered_topics(kb, text) or ["general"]
    labels = "、".join(topics[k]["label"] for k in keys if k in topics) or "这方面的具体办事细节"
    office = kb.operator.offices.get(district or "")
    silence = _fill(
        kb, kb.messages["not_covered"], topic=labels, office=office.name if office else kb.operator.general_office
    )
    if outside or all(topics.get(k, {}).get("other_office") for k in keys):
        silence = str(kb.messages.get("scope_statement") or "") + silence
    lines = [silence]
    operator_lines = _operator_lines(kb, keys, district)
    if operator_lines:
        lines.append(kb.messages["operator_info_label"])
        lines.extend(operator_lines)
    return Reply("\n".join(lines))


def _operator_lines(kb: KnowledgeBase, keys: Iterable[str], district: Optional[str]) -> List[str]:
    notes = {
        "fees": kb.operator.notes.get("fees_note"),
        "hours": kb.operator.notes.get("opening_hours"),
        "processing_time": kb.operator.notes.get("processing_time_note"),
        "materials": kb.operator.materials_notes.get("general"),
    }
    lines = [str(notes[k]) for k in keys if notes.get(k)]
    office_line = _office_line(kb, district)
    if office_line:
        lines.append(office_line)
    return lines


def fallback_reply(kb: KnowledgeBase, index: FaqIndex, text: str) -> Reply:
    """Never a bare "I don't understand": the three closest questions and the hotline."""
    hits = index.search(text, k=3)
    faqs = [hit.faq for hit in hits] or [kb.faqs_for_intent(i)[0] for i in DEFAULT_SUGGESTIONS if kb.faqs_for_intent(i)]
    fallback = kb.messages["fallback"]
    text = "\n".join((fallback["intro"], _fill(kb, fallback["hotline_line"])))
    return Reply(text, [faq_button(f) for f in faqs[:3]])


def other_city_reply(kb: KnowledgeBase) -> Reply:
    """Shaoguan's policy only; the Shaoguan pathways offered as buttons."""
    offered = [kb.faqs_for_intent(i)[0] for i in DEFAULT_SUGGESTIONS if kb.faqs_for_intent(i)]
    return Reply(message(kb, "other_city").text, [faq_button(f) for f in offered])


# Where the resident comes from is not what they ask about: "我是梅州人，有中级焊工证" asks about
# settling here. Such phrases are set aside before looking for another place's name.
_ORIGIN = re.compile(
    r"(?:我|我们|我哋|俺|老公|老婆|佢|他|她|媳妇|丈夫|妻子|爱人|对象|爸|妈|父母|儿子|女儿|孩子)"
    r"(?:是|系|来自|从)\s*\S{2,6}?(?:人|的|嚟|来|过来)"
    r"|户口在\S{2,6}?(?=[，,。.\s]|$)"
    r"|(?:在|喺)\S{2,4}?(?:老家|乡下|农村)"  # where the family is now ("老婆孩子还在河南老家")
    # where someone works or lives now ("他在广州打工，没跟我住"): a fact of the case, not the question
    r"|(?:在|喺)\S{2,6}?(?:打工|上班|工作|返工|做嘢|做事|务工)"
)


# Moving away to another place, or asking about "that side": that place's rules are the question.
_DESTINATION = r"(?:迁去|迁到|迁往|迁入|落户到|落到|入户到)\s*{place}|{place}(?:那边|嗰边|那里|当地)"


# Moving here ("老婆孩子还在湖南，能一起迁过来吗"): the other place is where someone is now, and
# the question is about settling in Shaoguan.
_HITHER = re.compile(r"(?:迁|搬|转|调)(?:过来|过嚟|来|嚟|回来|回嚟)|(?:来|嚟)韶关")


# The resident's hukou on the mainland beside another jurisdiction ("移民香港后国内户口怎么办"): a hukou
# business here, not that place's rules.
_HOME_HUKOU = re.compile(r"(?:国内|内地|大陆|原籍)(?:的)?户(?:口|籍)")


def names_other_place(kb: KnowledgeBase, text: str) -> Optional[str]:
    """The first other province or city (places.yml) the text asks about, if any, else another
    county or district jieba's dictionary knows ("北仑区居住房屋租赁登记"), never one of Shaoguan's."""
    text = _ORIGIN.sub(" ", normalise(text))
    listed = next((place for place in kb.other_places if place in text), None)
    if listed is not None:
        return listed
    own = (
        CITY_NAMES
        + HOME_PROVINCE
        + tuple(normalise(form) for t in kb.glossary if t.entity == "district" for form in t.surface_forms)
    )
    return next((place for place in administrative_places(text) if not any(name in place for name in own)), None)


def names_shaoguan(kb: KnowledgeBase, text: str) -> bool:
    """The text names Shaoguan or one of its counties or districts."""
    said = normalise(text)
    forms = CITY_NAMES + tuple(normalise(f) for t in kb.glossary if t.entity == "district" for f in t.surface_forms)
    return any(form in said for form in forms)


def asks_about_other_city(kb: KnowledgeBase, text: str, city: Optional[str], district: Optional[str]) -> bool:
    """A named other city counts only when the question is not also about Shaoguan: "我系郴州人，
    喺韶关打工" is a Shaoguan question."""
    asked = _ORIGIN.sub(" ", normalise(text))
    city = city if city and normalise(city) in asked else names_other_place(kb, text)
    if city and re.search(_DESTINATION.format(place=re.escape(normalise(city))), asked):
        return True  # "从韶关迁去惠州，惠州那边要什么条件": the other place is what is asked about
    if _HITHER.search(asked) or _HOME_HUKOU.search(asked):
        return False
    return bool(city) and not district and not names_shaoguan(kb, text)


def low_confidence_reply(kb: KnowledgeBase, index: FaqIndex, text: str, candidates: List[str]) -> Reply:
    """When the classifier is unsure, answer only if a second, independent signal agrees.

    ``candidates`` are the classifier's intents, best first. A not-covered detail (fees, newborn …)
    named in the text gets the honest not-covered answer; a policy intent that the FAQ search also
    ranks among its best three gets that answer; anything else gets suggestions and the hotline.
    """
    if not_covered_topics(kb, text):
        return not_covered_reply(kb, text)
    hits = index.search(text, k=3)
    for intent in candidates[:2]:
        agreeing = [hit.faq for hit in hits if hit.faq.intent == intent]
        if agreeing:
            return faq_reply(kb, agreeing[0], text)
    return fallback_reply(kb, index, text)
