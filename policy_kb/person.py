"""Who the resident is asking about, and the answer that fits that person (issue 16).

The document's 第（五）条 lets spouses, minor children and parents join each other; siblings, adult
children and other relatives are not among them. Who a message speaks of is read from the
glossary's relation terms (the same ones the NLU extracts as ``relation`` entities), with the
eligibility check's own ``family_join`` vocabulary as a second reading; the replies are
messages.yml texts.
"""

from __future__ import annotations

import re
from typing import Optional

from policy_kb.answers import Reply, _fill
from policy_kb.eligibility.parsing import NUMBER, number, parse_answer
from policy_kb.loader import KnowledgeBase
from policy_kb.text import normalise

# The family_join answers 第（五）条 names, and those it does not.
DIRECT = ("spouse", "parent", "minor_child")
NOT_DIRECT = ("adult_child", "sibling", "other")
# The glossary's relation terms (the document's own categories) as family_join answers.
RELATION_TERMS = {
    "配偶": "spouse",
    "父母": "parent",
    "子女": "minor_child",
    "兄弟姐妹": "sibling",
    "祖父母": "other",
    "孙子女": "other",
    "亲友": "other",
}
HOUSING_ARTICLE, RELATIVES_ARTICLE, PERMIT_ARTICLE = "三", "五", "八"
ADULT_AGE = 18
# An age: "25岁", "廿五岁", "三十了" (a number right after the child it is about: "我儿子三十了").
_AGE = re.compile(NUMBER + r"\s*(?:周)?[岁歲]")
_AGE_AFTER_CHILD = re.compile(
    r"(?:儿子|女儿|孩子|子女|个仔|个女|仔|女|他|她|佢)(?:今年|已经|都)?" + NUMBER + r"(?:多|好几)?(?:了|岁)"
)
# An age said before the child ("我那个四十多岁没成家的儿子").
_AGE_BEFORE_CHILD = re.compile(NUMBER + r"(?:多|好几)?[岁歲][^，,。？?！!]{0,6}?(?:儿子|女儿|孩子|子女|个仔|个女)")
# The resident's own age ("我今年五十八了", "我们俩都七十好几了"): never a child's.
_OWN_AGE = re.compile(r"(?:我们|我哋|我)(?:俩|两个)?(?:今年|已经|都)?" + NUMBER + r"(?:多|好几)?(?:了|岁)")


def ages(text: str) -> list:
    """Every age the text gives, in digits or Chinese numerals."""
    found = _AGE.findall(text) + _AGE_AFTER_CHILD.findall(text) + _AGE_BEFORE_CHILD.findall(text)
    return [number(n) for n in found]


def gives_an_age(text: str) -> bool:
    """Someone's age, the resident's own included ("我今年五十八了，岁数大会不会不给办")."""
    return bool(ages(text) or _OWN_AGE.search(text))


# "已经成年/出来工作" about a child; joining a child ("投靠女儿") is a parent's case whatever the age.
# Not "离婚/未婚": those usually describe the parent asking ("我离婚了，女儿13岁……").
_ADULT_WORDS = ("成年子女", "已成年", "成年了", "满18", "满十八", "已经工作", "出来工作", "大学毕业", "结婚了")
_JOINS_CHILD = re.compile(r"(投靠|跟|随|同)(我)?(的)?(儿子|女儿|子女|孩子|个仔|个女|仔女)")
# The resident joining their own parents ("我能投靠爸妈吗"): a child's case, adult or minor.
_JOINS_PARENTS = re.compile(
    r"我.{0,12}(投靠|迁到|迁去|落到|落在|挂到|挂在)(我)?(的)?(爸妈|父母|爸爸|妈妈|老爸|老妈|父亲|母亲|阿爸|阿妈|老豆)"
)


def _relation_terms(kb: KnowledgeBase, text: str) -> list:
    """The relation terms named, the first named first: "我妹……帮我带孩子，她户口能落我家吗" is about
    the sister."""
    found = {}
    for term in (t for t in kb.glossary if t.entity == "relation"):
        places = [text.find(normalise(f)) for f in term.surface_forms if normalise(f) in text]
        if places:
            found[term.term] = min(places)
    return sorted(found, key=found.get)


def subject(kb: KnowledgeBase, text: str) -> Optional[str]:
    """Whom the message asks about, as a ``family_join`` value, or None when it names no one."""
    text = normalise(text)
    found = [RELATION_TERMS[t] for t in _relation_terms(kb, text) if t in RELATION_TERMS]
    if not found:
        found = [v for v in [parse_answer("family_join", text, kb.eligibility)] if v in DIRECT + NOT_DIRECT]
    if not found:
        return None
    given = ages(text)
    if found[0] == "parent" and _JOINS_PARENTS.search(text):
        # the resident joins their own parents: an adult child, unless they say they are under 18
        return "minor_child" if given and max(given) < ADULT_AGE else "adult_child"
    if found[0] == "minor_child" and not _JOINS_CHILD.search(text):
        if any(w in text for w in _ADULT_WORDS) or (given and max(given) >= ADULT_AGE):
            return "adult_child"
    if found[0] == "minor_child" and _JOINS_CHILD.search(text):
        return "parent"
    return found[0]


# A message that goes on about someone already named ("他今年二十了", "佢哋跟唔跟得过嚟").
_REFERS_BACK = re.compile(r"^(?:那|咁|不过|但是|可是)?(?:他|她|佢|ta)")
# A partner the resident is not married to yet ("我俩还没扯证"): not a spouse under 第（五）条.
# Not (yet) married: no certificate taken ("还没领结婚证", "证还没扯"), only a banquet, living together.
_NOT_MARRIED = re.compile(
    r"(?:没|未|冇|唔)(?:有)?(?:去)?(?:领|扯|登记|办)(?:过)?(?:结婚)?证|证(?:还)?(?:没|未|冇)(?:有)?(?:领|扯|办)"
    r"|(?:没|未|冇)(?:有)?(?:登记)?结婚(?!年限|满|几年|多久|时间)|未婚(?![夫妻])|同居|只是办酒"
    r"|(?:没|未|冇|唔)(?:有)?去登记|(?:办|摆)(?:了|咗)?酒"  # "未去登记，只系摆咗酒": a wedding feast, no marriage
)


# Married now, or asked of once married ("刚领的证", "领证以后呢", "结婚了").
_MARRIED_NOW = re.compile(
    r"领(?:了|咗|的)?(?:结婚)?证|扯(?:了|咗|的)?证|结(?:了|咗)婚|结婚(?:了|以后|之后|后)|登记(?:了|咗)"
)
# A partner, married or not yet ("我对象", "未婚夫"), unlike a cousin or friend.
_PARTNER = re.compile(r"男朋友|女朋友|男友|女友|对象|对像|未婚夫|未婚妻|另一半")
# No longer married ("已经离了", "离婚了", "离咗").
_DIVORCED = re.compile(r"离(?:了|咗)婚|离婚(?:了|咗)|已经离|(?:去年|早就|早)离(?:了|咗)|离(?:咗)$")


_ASKS = re.compile(r"[?？吗呢嗎]|能不能|可不可以|得唔得|可唔可以")


def refers_back(text: str) -> bool:
    return bool(_REFERS_BACK.match(normalise(text)))


def speaks_of_marriage(text: str) -> bool:
    """Married, not yet, or no longer ("刚领证两个月", "还没扯证", "已经离了")."""
    said = normalise(text)
    return any(pattern.search(said) for pattern in (_MARRIED_NOW, _NOT_MARRIED, _DIVORCED))


def subject_in_context(kb: KnowledgeBase, text: str, earlier: Optional[str]) -> Optional[str]:
    """Whom the message is about, reading what it adds about the relative the conversation is about
    (``earlier``): a child said to be twenty is an adult child, a partner not yet married no spouse."""
    named = subject(kb, text)
    said = normalise(text)
    # told, not asked, the child named beside a divorce is the custody, not whom it is about ("已经离了，孩子判给我")
    told = not _ASKS.search(said)
    if (
        "spouse" in (named, earlier)
        and (named in ("spouse", None) or (told and _DIVORCED.search(said)))
        and (_NOT_MARRIED.search(said) or _DIVORCED.search(said))
    ):
        return "other"  # "说错了，我们还没领结婚证", "不过我俩去年已经离了": a partner or ex, not a spouse
    partner = earlier == "other" or _PARTNER.search(said)
    if partner and named in ("other", None) and _MARRIED_NOW.search(said) and not _NOT_MARRIED.search(said):
        # "哎想起来了，我们上礼拜刚领的证", "领证以后呢", "我对象…我们下个月去领证": a spouse (to be)
        return "spouse"
    if named is not None or earlier is None:
        return named
    given = ages(said)
    if not refers_back(text):
        return None
    if earlier == "minor_child" and (any(w in said for w in _ADULT_WORDS) or (given and max(given) >= ADULT_AGE)):
        return "adult_child"
    return earlier


def others_named(kb: KnowledgeBase, text: str, who: Optional[str]) -> list:
    """Relatives the text names besides ``who`` whom 第（五）条 does not list ("我妈和我姐": 姐)."""
    named = [RELATION_TERMS[t] for t in _relation_terms(kb, normalise(text)) if t in RELATION_TERMS]
    return list(dict.fromkeys(w for w in named if w in NOT_DIRECT and w != who))


def label(kb: KnowledgeBase, who: str) -> str:
    return str((kb.messages.get("person_labels") or {}).get(who, who))


def not_direct_reply(kb: KnowledgeBase, who: str) -> Reply:
    """Kindly: not 投靠 under 第（五）条, and what the document does offer instead."""
    text = _fill(kb, str(kb.messages["person_not_direct"]), who=label(kb, who))
    refs = [RELATIVES_ARTICLE, PERMIT_ARTICLE]
    return Reply(text + "\n" + kb.citation(refs), [], tuple(refs))


def direct_with_home_reply(kb: KnowledgeBase, who: str) -> Reply:
    """After a housing answer: the family member settles with the resident (三), or joins (五)."""
    text = _fill(kb, str(kb.messages["person_direct_with_home"]), who=label(kb, who))
    refs = [HOUSING_ARTICLE, RELATIVES_ARTICLE]
    return Reply(text + "\n" + kb.citation(refs), [], tuple(refs))
