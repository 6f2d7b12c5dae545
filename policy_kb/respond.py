"""Decide what to say to a policy question: the one place that weighs the classifier's intent,
the search, the concepts the question names, who it is about, and the conversation so far.

The actions pass in what Rasa understood (a :class:`Question`) and the stored :class:`Context`,
and send the :class:`Plan`'s replies. Nothing here imports Rasa (issue 16: context across turns,
several questions in one message, answers that fit the person, never confidently wrong).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from policy_kb import answers, person
from policy_kb.answers import Reply
from policy_kb.concepts import SETTLING_SECTION, ConceptIndex, entry_text
from policy_kb.eligibility.dialogue import asks_anything, is_question, says_farewell, speaks_of_self
from policy_kb.followup import Context, is_bare_next_step, is_elliptical, is_short
from policy_kb.loader import KnowledgeBase
from policy_kb.model import NOT_COVERED_INTENT, OFF_TOPIC_INTENTS, FaqEntry
from policy_kb.reading import (
    asks_for_the_check,
    asks_progress,
    pathways_met,
    pathways_named,
    pathways_ruled_out,
    split_questions,
    stated_facts,
    states_facts,
)
from policy_kb.search import FaqIndex
from policy_kb.text import normalise, without_a_not_a

# Intents where "who" decides the answer: asking to join or settle with a relative.
FAMILY_INTENTS = ("faq_relatives", "faq_overview", "faq_settle_housing", "faq_collective_hukou")
RELATIVES_INTENT, HOUSING_INTENT, OVERVIEW_INTENT = "faq_relatives", "faq_settle_housing", "faq_overview"
HOUSING_TOPICS = ("合法稳定住所", "自有住房", "租赁住房")
# Smalltalk that closes a topic: read as a follow-up only when it asks or tells something.
CLOSINGS = ("thank", "goodbye")
# Lodging one's hukou with a relative or friend already settled (第（四）（六）条): any 亲友 will do.
LODGING = "搭户"
# Glossary terms of 第（五）条 itself: joining a relative, with no age or marriage-length condition.
RELATIVES_TOPICS = frozenset(("投靠", "直系亲属", "婚龄", "年龄限制"))
# Moving a registration somewhere ("迁去英德", "能迁入现住地吗", "转户"): household registration
# whatever else the question names.
_MOVING = re.compile(r"迁(?:去|到|往|入|进|出|回|移|户|走|上|过)|转户|入户|户口(?:弄|搬|转|放)(?:到|去|过|进|入)")
# Moving together with the resident ("我男朋友能跟我一起迁吗"), not registering in a settled kinsman's
# household (搭户, "我表姐在浈江落了户").
_MOVES_TOGETHER = re.compile(r"一起|一齐|跟我|同我|随我|带(?:过去|过来|上|埋)")
# Moving one's hukou along with the resident ("我爸妈能一起迁吗", "老公能跟我一起落吗").
_MOVING_ALONG = re.compile(r"(?:一起|一齐|跟我|同我|随我|跟着)\S{0,3}?(?:迁|落|搬|入户|上户)")
MAX_ANSWERS = 3
SEARCH_DEPTH = 5
# A message this long says something even without a question word ("我想咨询一下事业编制转公务员").
SENTENCE_CHARS = 8
# A message this short with no question word names a topic only ("公租房", "医保转移").
FRAGMENT_CHARS = 6


@dataclass(frozen=True)
class Question:
    text: str
    intent: str = ""
    faq_id: Optional[str] = None  # a suggestion button asking for one exact entry
    district: Optional[str] = None
    other_city: Optional[str] = None  # the NLU's other_city entity, if any


@dataclass
class Plan:
    replies: List[Reply] = field(default_factory=list)
    answered: Optional[FaqEntry] = None  # the main entry answered, for the context and the signals
    not_covered: bool = False  # the honest "the document does not say" was given
    # the topic a follow-up continues when no entry was answered: after another city's rules, the
    # same question about Shaoguan ("那韶关呢")
    topic: Optional[FaqEntry] = None
    start_status: bool = False  # the resident asks about their own application: the lookup starts
    # the resident asks again, of their own case, what was just answered: the step-by-step check starts
    start_eligibility: bool = False
    # False when the reply only offers suggestions: the message was not understood (a form then
    # gives its own hint instead)
    understood: bool = True


class Responder:
    """Built once per knowledge-base version, like the search index."""

    def __init__(self, kb: KnowledgeBase, index: FaqIndex):
        self.kb, self.index, self.concepts = kb, index, ConceptIndex(kb)

    # ── the entry points ────────────────────────────────────────────────────────────────
    def answer(self, question: Question, context: Optional[Context] = None) -> Plan:
        """A policy question (an faq_* intent): the fitting answer, each further question's answer,
        and the not-covered detail it names."""
        if asks_progress(self.kb, question.text):
            return Plan(start_status=True)  # the resident's own application, whatever the classifier heard
        if asks_for_the_check(self.kb, question.text):
            # "你帮我测下我入唔入到韶关户口", after an answer too ("…你帮我逐项评估一下行不行")
            return Plan(start_eligibility=True)
        if context is not None and self._continues(question.text, context):
            plan = self.follow_up(question, context)
            if plan is not None:
                return plan
        mixed = self._split_off(question, context)
        if mixed is not None:
            return mixed
        if self._plainly_off_topic(question.text):
            return Plan([answers.message(self.kb, "out_of_scope")])
        if self._other_city(question):
            # another city's rules: said plainly, Shaoguan's offered as buttons, no article stated as its answer
            return self._other_city_plan(question)
        if self._another_offices_detail(question.text):
            return Plan([answers.message(self.kb, "out_of_scope_detail")])
        plan = self._moving_along(question.text, context) or self._main_answer(
            question, in_conversation=context is not None
        )
        self._more_questions(question.text, plan)
        if (
            not plan.not_covered
            and answers.not_covered_topics(self.kb, question.text)
            and not self._says_kind(question.text, "this_policy")  # "改革是哪个部门牵头的" is no window's address
        ):
            # the policy part is answered; the practical detail the document leaves open is named
            plan.replies.append(answers.not_covered_reply(self.kb, question.text, question.district))
            plan.not_covered = True
        elif not plan.not_covered and plan.answered is not None and self._says_kind(question.text, "specifics"):
            # the document's principle is answered; the criteria or cases asked about are not in it
            plan.replies.append(answers.message(self.kb, "not_covered_specifics"))
            plan.not_covered = True
        return plan

    def _moving_along(self, text: str, context: Optional[Context]) -> Optional[Plan]:
        """After the housing answer, a spouse, parent or child moving along with the resident ("我爸妈能一起迁吗，
        迁了以后养老保险咋弄"): they settle with the resident's home (三) or join them (五), whatever else is asked."""
        if context is None or person.HOUSING_ARTICLE not in context.articles:
            return None
        who = person.subject(self.kb, text)
        if who not in person.DIRECT or not _MOVING_ALONG.search(normalise(text)):
            return None
        return Plan([person.direct_with_home_reply(self.kb, who)], self.kb.faqs.get(context.faq_id or ""))

    def route(self, question: Question, candidates: Sequence[str] = (), context: Optional[Context] = None) -> Plan:
        """The reply a message gets by the classifier's intent, as data/stories routes it outside a
        form: for a question asked in the middle of the status lookup or the eligibility check."""
        if question.intent.startswith("faq_"):
            return self.answer(question, context)
        if question.intent == NOT_COVERED_INTENT:
            return self.not_covered(question, context)
        if question.intent in OFF_TOPIC_INTENTS:
            return self.off_topic(question, candidates, context)
        # what the classifier heard ("算了", "再见") is no guess at the question asked with it
        return self.low_confidence(question, [c for c in candidates if c != question.intent], context)

    def leans_on_context(self, text: str) -> bool:
        """A short message that reads as the next turn of the conversation: an elliptical question
        ("那我老婆呢") or a fact about the resident ("在韶关干了差不多二十年了")."""
        if is_elliptical(self.kb, text) or person.refers_back(text):
            return True
        return is_short(self.kb, text) and self._states_own_facts(text)

    def _continues(self, text: str, context: Context) -> bool:
        """The next turn of the conversation: a follow-up, the next practical step of the topic, or
        something new about the relative it is about ("我俩还没扯证" after asking for one's partner)."""
        if self.leans_on_context(text) or is_bare_next_step(self.kb, text):
            return True
        if self.concepts.asked(text) or answers.not_covered_topics(self.kb, text):
            return False  # a topic of its own ("以后生了宝宝上户口咋弄": the newborn's registration)
        if person.gives_an_age(text):
            return True  # "我们俩都七十好几了，年纪这么大会不会卡": the same question, asked of their age
        if states_facts(self.kb, text) and not asks_anything(text):
            return True  # "讲错了，我租的是村里的农民房": a new fact about the resident, whatever its length
        tells_standing = speaks_of_self(self.kb.eligibility, text) and self.concepts.names_household_status(text)
        if tells_standing and not is_question(text):
            return True  # "我还不是韶关户口，外地来打工的" after the newcomers' answer: the same question, of them
        # someone new, or new about the one spoken of ("阿爸阿妈同我一齐住，佢哋跟唔跟得过嚟" after the
        # housing answer)
        who = person.subject_in_context(self.kb, text, context.who)
        return who is not None and who != context.who

    def smalltalk_is_follow_up(self, text: str, intent: str) -> bool:
        """A message the classifier heard as greet/thank/goodbye/help that is really the next turn
        ("那我老伴呢", "我住厂里宿舍"); thanks or a goodbye that neither ask nor tell anything stay what
        they are ("那就好，谢谢你们")."""
        if states_facts(self.kb, text):
            return True  # no greeting or goodbye tells the facts of a pathway ("我住厂里宿舍")
        if intent in CLOSINGS and not is_question(text):
            return False  # "好，冇嘢喇，拜拜": its "冇嘢" (nothing more) is no fact of a pathway
        return self._states_own_facts(text) or self.leans_on_context(text)

    def follow_up(self, question: Question, context: Context) -> Optional[Plan]:
        """A short message read as the same question about a new subject, a new fact about the
        resident, or the next step of the same topic; None when it carries a topic of its own
        (then it is a new question)."""
        text, who = question.text, person.subject_in_context(self.kb, question.text, context.who)
        asked = self.concepts.asked(text)
        if asked and (person.subject(self.kb, text) is None or not asked & RELATIVES_TOPICS):
            # "佢读书点算", "孙子上学呢": the relative's schooling, a topic of its own, not joining again
            who = None
        if answers.topics_marked(self.kb, text, "of_hukou") and not self.concepts.names_settling(text):
            who = None  # "以后生了宝宝上户口咋弄": the baby's registration, a hukou business of its own
        if who in person.NOT_DIRECT:
            # their own pathway, never 投靠 (the words that made them no spouse name marriage: "还没领结婚证")
            met = [a for a in pathways_named(self.kb, text) if a != person.RELATIVES_ARTICLE]
            if met:  # "我弟在韶关打工五六年了", "我男朋友也是大专": the relative's own pathway, even the same
                return self._pathway_answers(text, met)
            previous = self.kb.faqs.get(context.faq_id or "")
            if (
                previous is not None
                and previous.intent != RELATIVES_INTENT
                and LODGING in self.concepts.of_faq(previous)
                and not _MOVES_TOGETHER.search(normalise(text))
            ):
                # "搭朋友家的户口也行？" after 搭户: lodging is with 亲友, any relative or friend
                return Plan([answers.faq_reply(self.kb, previous, text)], previous)
            return self._not_direct(who)
        if who in person.DIRECT:
            if person.HOUSING_ARTICLE in context.articles:
                return Plan([person.direct_with_home_reply(self.kb, who)], self.kb.faqs.get(context.faq_id))
            return self._relatives_answer(text)
        stated = pathways_met(self.kb, text) or pathways_named(self.kb, text)
        met = [a for a in stated if a not in context.articles]
        if met:
            # a new fact about the resident ("我还有大专文凭") or the person asked about ("他要是回城里
            # 租房住呢"): the pathway it opens
            plan = self._pathway_answers(text, met)
            if plan.replies:
                return plan
        previous = self.kb.faqs.get(context.faq_id)
        ruled_out = pathways_ruled_out(self.kb, text)
        if previous is not None and set(previous.articles) & set(ruled_out):
            return self._other_pathways(previous, ruled_out)  # "讲错了，租的是村里的房" after 第（三）条
        if answers.not_covered_topics(self.kb, text):
            return Plan([answers.not_covered_reply(self.kb, text, question.district)], not_covered=True)
        if self.concepts.topics(text):
            return self._same_pathway_on(text, context)  # "搭户呢" after 第（六）条: its own 搭户
        if previous is None or (who is None and not self._bears_on_an_answer(text)):
            return None  # "给我讲个段子解解闷": neither asks nor tells anything of it
        if person.gives_an_age(text) and who is None:
            return Plan([answers.faq_reply(self.kb, previous, text)], previous)  # the same answer holds at any age
        hits = self.index.search(f"{previous.question} {text}", k=1)
        faq = hits[0].faq if hits else previous
        if faq is previous and self._asks_own_case(text):
            # "请问我具体能不能落户呢" after the answer: not the same answer again, but their own case
            return Plan(start_eligibility=True)
        return Plan([answers.faq_reply(self.kb, faq, text)], faq)

    def _bears_on_an_answer(self, text: str) -> bool:
        """A message that can continue an answer: it asks something, leans on the answer ("那我呢"), tells
        a fact or names a term of the reforms (who, where, which diploma)."""
        if asks_anything(text) or is_elliptical(self.kb, text) or person.refers_back(text):
            return True
        if self._says_kind(text, "detail") or self._says_kind(text, "yes_no") or "谁" in normalise(text):
            return True  # "由谁来认定", "谁能办"
        told = self._states_own_facts(text) or person.gives_an_age(text) or person.speaks_of_marriage(text)
        return told or self.concepts.says_anything_of_hukou(text)

    def _same_pathway_on(self, text: str, context: Context) -> Optional[Plan]:
        """A bare topic after a settling answer, when an entry of the same articles asks about it
        ("搭户呢" after the graduates' answer: the talent entry's 搭户); None for a new question."""
        previous = self.kb.faqs.get(context.faq_id or "")
        if previous is None or previous.intent not in answers.SETTLING_INTENTS or not is_elliptical(self.kb, text):
            return None
        topics = self.concepts.topics(text)
        same = [
            f
            for f in self.kb.published_faqs()
            if f.articles == previous.articles and topics <= self.concepts.topics(" ".join((f.question, *f.phrasings)))
        ]
        return Plan([answers.faq_reply(self.kb, same[0], text)], same[0]) if same else None

    def low_confidence(self, question: Question, candidates: Sequence[str], context: Optional[Context]) -> Plan:
        """The classifier is unsure: a follow-up in context, else answer only where the search and
        the classifier agree and the entry fits the question's concepts, else suggestions."""
        if (
            says_farewell(question.text)
            and not asks_anything(question.text)
            and not self._speaks_of_hukou_at_all(question.text)
        ):
            return Plan([answers.message(self.kb, "goodbye")])  # "算了，拜拜": no follow-up of the last answer
        if asks_progress(self.kb, question.text):
            return Plan(start_status=True)
        if asks_for_the_check(self.kb, question.text):
            return Plan(start_eligibility=True)
        if context is not None and (is_short(self.kb, question.text) or self._continues(question.text, context)):
            # unsure what a short message means on its own ("孩子16岁了"): read it as the next turn
            plan = self.follow_up(question, context)
            if plan is not None:
                return plan
        if self._moving_along(question.text, context) is not None:
            return self.answer(question, context)  # "我老公能跟我一起落吗？要带啥证件" after the housing answer
        mixed = self._split_off(question, context)
        if mixed is not None:
            return mixed
        if self._plainly_off_topic(question.text):
            return Plan([answers.message(self.kb, "out_of_scope")])  # "帮我写首诗"
        if self._other_city(question):
            return self._other_city_plan(question)
        if self._another_offices_detail(question.text):
            return Plan([answers.message(self.kb, "out_of_scope_detail")])
        if answers.topics_marked(self.kb, question.text, "of_hukou") and self._asks_one_thing(question.text):
            # "上大学有必要迁户口吗", "宝宝刚满月，户口怎么上": a hukou business the document leaves open
            return self._honest(question)
        if not self.concepts.topics(question.text) and (
            self._asks_to_move_here(question.text) or not is_question(question.text)
        ):
            # the resident told us about themselves and asked of nothing else ("在韶钢做高级工，有证"),
            # or asked about settling by the facts of a pathway ("买房迁户口的条件")
            stated = self._by_the_facts(question.text) or self._settling_in_general(question.text)
            if stated is not None:
                return stated
        text = question.text
        who = person.subject(self.kb, text)
        lodging = LODGING in self.concepts.topics(text)  # lodging with kin is 第（四）（六）条's own pathway
        if who in person.NOT_DIRECT and not lodging and self.concepts.names_hukou(text):
            return self._not_direct(who)  # "我妹……她户口能落我家吗"
        if who in person.DIRECT and self._asks_to_settle(text) and not pathways_named(self.kb, text):
            return self._relatives_answer(text)  # "我今年80了，跟儿子住在浈江……想迁过来，行不行"
        reply = answers.low_confidence_reply(self.kb, self.index, text, candidates)
        guessed = self.kb.faqs.get(reply.faq_id or "")
        faq = self._gated(text, guessed, in_conversation=context is not None, unsure=True)
        if faq is not None and faq is not guessed:
            return self._with_more_questions(text, Plan([answers.faq_reply(self.kb, faq, text)], faq))
        if faq is None and candidates[:1] == ["out_of_scope"] and not self._speaks_of_hukou_at_all(text):
            return self._honest(question)  # "今天韶关限号吗"
        if faq is None and not answers.not_covered_topics(self.kb, question.text):
            # no guess, or one off the question's topic: the search's entry on the very topic the
            # question names ("家庭户口是什么意思"), a second signal
            faq = self._gated(text, self._on_topic(text), in_conversation=context is not None, unsure=True)
            if faq is not None:
                return Plan([answers.faq_reply(self.kb, faq, text)], faq)
        if faq is None and self._asks_something(text):
            # a question nothing here answers: said honestly (the document's silence, or not a hukou
            # matter), not "did you mean"; the closest questions still come as buttons with the silence
            return self._honest(question)
        if faq is None and guessed is not None:
            reply = answers.fallback_reply(self.kb, self.index, text)  # a murmur: never the rejected guess
        not_covered = bool(answers.not_covered_topics(self.kb, text)) and not faq
        plan = Plan([reply], faq, not_covered=not_covered, understood=faq is not None or not_covered)
        return self._with_more_questions(text, plan) if faq is not None else plan

    def _asks_to_move_here(self, text: str) -> bool:
        """Settling, or moving one's hukou ("想把户口从村里迁上去"), not leaving, nor another office's matter
        asked of the move ("户口迁进城政府给补偿吗")."""
        moving = self.concepts.names_hukou(text) and _MOVING.search(normalise(text))
        if self._speaks_of_leaving(text) or self._says_kind(text, "other_office_matter"):
            return False
        return self.concepts.names_settling(text) or bool(moving)

    def _by_the_facts(self, text: str) -> Optional[Plan]:
        """The pathways the resident's facts meet; or, when they rule some out and meet none ("我高中毕业，
        城里没房"), which remain and the residence permit; None when the text states no such facts."""
        named = pathways_named(self.kb, text) if self.concepts.names_hukou(text) else []
        stated = self._pathway_answers(text, pathways_met(self.kb, text) or named)
        if stated.replies:
            return stated
        ruled_out = pathways_ruled_out(self.kb, text)
        overview = next(iter(self.kb.faqs_for_intent(OVERVIEW_INTENT)), None)
        if ruled_out and overview is not None and self._asks_to_move_here(text):
            return self._other_pathways(overview, ruled_out)
        return None

    def _settling_in_general(self, text: str) -> Optional[Plan]:
        """Moving one's hukou to Shaoguan asked of at all ("广州户口能直接迁到韶关吗"), or with facts of the
        resident that settle no pathway ("没有大学文凭能在韶关落户吗"): every pathway, and nothing else
        named beside it (an entry's topic, a detail the document leaves open)."""
        if not self._asks_to_move_here(text) or answers.not_covered_topics(self.kb, text):
            return None
        told = answers.names_shaoguan(self.kb, text) or stated_facts(self.kb, without_a_not_a(text))
        overview = next(iter(self.kb.faqs_for_intent(OVERVIEW_INTENT)), None)
        # settling's own terms (户口迁移 …) name no entry's topic beside it; a pathway named was :meth:`_by_the_facts`'s
        if not told or overview is None or self.concepts.asked(text) - self.concepts.settling_terms:
            return None
        return Plan([answers.faq_reply(self.kb, overview, text)], overview)

    def _with_more_questions(self, text: str, plan: Plan) -> Plan:
        """An unsure answer too answers each further question of the message (as :meth:`answer` does)."""
        self._more_questions(text, plan)
        return plan

    def off_topic(self, question: Question, candidates: Sequence[str], context: Optional[Context]) -> Plan:
        """The classifier says the message is not a policy question (out of scope, another city).
        Believed only when nothing disagrees: another city named gets the other-city reply; a
        follow-up in context is read as one; a message that names hukou or Shaoguan is answered as
        an unsure policy question; anything else gets the out-of-scope reply."""
        if asks_progress(self.kb, question.text):
            return Plan(start_status=True)
        mixed = self._split_off(question, context)
        if mixed is not None:
            return mixed
        if self._plainly_off_topic(question.text):
            return Plan([answers.message(self.kb, "out_of_scope")])
        if self._other_city(question):
            return self._other_city_plan(question)
        text = question.text
        if context is not None and self._continues(text, context):
            # "我住厂里宿舍" after an answer is the next turn of it, not a message from nowhere
            plan = self.follow_up(question, context)
            if plan is not None:
                return plan
        if self._another_offices_detail(text):
            return Plan([answers.message(self.kb, "out_of_scope_detail")])
        if self.concepts.of_another_office_only(text) and self._asks_services_practice(text):
            # "社保55岁退休什么时候开始": the classifier is right, an insurance office's question
            return Plan([answers.message(self.kb, "out_of_scope")])
        if self.concepts.names_policy(text) or self.concepts.names_facet(text):
            plan = self.low_confidence(question, [c for c in candidates if c.startswith("faq_")], None)
            if plan.answered is None and not plan.not_covered:
                # it speaks of hukou or of who/where/which diploma: the search's best entry, if it fits
                faq = self._gated(text, next(iter(self._searched(text)), None), unsure=True)
                if faq is not None and self.concepts.fits(text, faq):
                    return Plan([answers.faq_reply(self.kb, faq, text)], faq)
            return plan if plan.answered is not None or plan.not_covered else self._honest(question)
        return self._not_placed(text)  # "户号和门牌号的区别": the silence and both pointers; "哈哈": out of scope

    def not_covered(self, question: Question, context: Optional[Context]) -> Plan:
        """A detail the document leaves open, by the classifier: another place's question is said to
        be so; a message that also asks a policy question of its own ("租房能落户吗？要交钱不")
        gets that answer first; otherwise the honest not-covered reply."""
        text, kb, concepts = question.text, self.kb, self.concepts
        if asks_progress(kb, text):
            return Plan(start_status=True)  # "递了落户材料，现在什么进度了"
        if self._moving_along(text, context) is not None:
            return self.answer(question, context)  # the relative's settling first, then the detail
        mixed = self._split_off(question, context)
        if mixed is not None:
            return mixed
        if self._other_city(question):
            return self._other_city_plan(question)
        if self._plainly_off_topic(text):
            return Plan([answers.message(kb, "out_of_scope")])
        if context is not None and is_bare_next_step(kb, text):
            return Plan([answers.not_covered_reply(kb, text, question.district)], not_covered=True)
        if self._another_offices_detail(text):
            return Plan([answers.message(kb, "out_of_scope_detail")])
        parts = split_questions(text)
        details = [p for p in parts if self._asks_detail(p)]
        rest = " ".join(p for p in parts if p not in details)
        asks_policy = concepts.asked(rest) or (concepts.names_facet(rest) and concepts.names_policy(rest))
        if asks_policy and (details or self._asks_yes_or_no(rest)):
            # a policy question beside the detail ("迁移证丢了怎么办？外地人租房落户是不是放开了"), or the
            # classifier heard a detail in a plain "may I" question ("武江区租的房子能不能上户口"):
            # read from those parts alone (the detail's words would mislead the search), then the detail
            plan = self.answer(Question(rest, "", question.faq_id, question.district), context)
            if any(reply.articles for reply in plan.replies):
                if details and not plan.not_covered:
                    plan.replies.append(answers.not_covered_reply(kb, text, question.district))
                    plan.not_covered = True
                return plan
        other_topic = concepts.asked(text) - concepts.settling_terms  # "落户使唔使交返啲田" asks of the land
        if self._asks_to_move_here(text) and not other_topic and not answers.not_covered_topics(kb, text):
            # "在翁源矿上下井十五年，能上户口吗": the pathway the facts meet; "要迁过来需要满足哪些条件": what
            # settling takes is the document's to say (how a child is registered is not)
            stated = self._by_the_facts(text)
            if stated is None and (self._says_kind(text, "requirements") or self._asks_yes_or_no(text)):
                stated = self._settling_in_general(text)
            if stated is not None:
                return stated
        services = self._services_answer(text)
        if services is not None:
            return services
        return Plan([answers.not_covered_reply(kb, text, question.district)], not_covered=True)

    def _split_off(self, question: Question, context: Optional[Context]) -> Optional[Plan]:
        """Two questions in one message, one of them another place's or not hukou at all ("在乳源租房十年
        能落户吗？广州那边是不是也这样", "…另外港澳通行证快到期了续办找谁"): Shaoguan's question answered,
        then the other said to be another place's or outside the assistant's scope. None for one question,
        or when no part is Shaoguan's policy question of its own."""
        parts = split_questions(question.text)
        if len(parts) < 2:
            return None
        away = {p: self._away_reply(Question(p, other_city=question.other_city), question.text) for p in parts}
        here = [p for p in parts if away[p] is None]
        if len(here) == len(parts) or not any(self._asks_policy_here(p) for p in here):
            return None
        if any(self._other_city(Question(p)) for p in parts) and not answers.names_shaoguan(self.kb, " ".join(here)):
            return None  # "中山积分入户要哪些条件，怎样查积分": every part is about that place
        plan = self.answer(Question("，".join(here), "", question.faq_id, question.district), context)
        if not any(reply.articles for reply in plan.replies):
            return None
        for part in parts:
            reply = away[part]
            if reply is not None and len(plan.replies) < MAX_ANSWERS:
                plan.replies.append(reply)
        return plan

    def _away_reply(self, question: Question, whole: str) -> Optional[Reply]:
        """The reply to a part that asks of something not Shaoguan's hukou policy: another place's rules,
        or another matter (a part that only tells, "我老家湖南的", is no question of its own). A part that
        asks of another place by the rest of the message ("…能落户吗，深圳那边是不是也一样") asks its rules."""
        if not asks_anything(question.text):
            return None
        if self._plainly_off_topic(question.text):
            return answers.message(self.kb, "out_of_scope")
        if self._other_city(question):
            elsewhere = self._without_other_places(question)[1]
            if whole != question.text and not self._asks_a_field_elsewhere(question, elsewhere):
                # no field of its own: asked of the rest of the message (its place is named first, so stays)
                question = Question(f"{question.text}，{whole}", other_city=question.other_city)
            return next(iter(self._other_city_plan(question).replies), None)
        return None

    def _asks_policy_here(self, part: str) -> bool:
        """A part that asks a policy question of its own, not the other half of an either-or ("还是…")."""
        said = normalise(part)
        return (
            asks_anything(part)
            and not said.startswith(("还是", "或者", "抑或"))
            and bool(self.concepts.names_hukou(part) or self.concepts.asked(part))
        )

    def _services_answer(self, text: str) -> Optional[Plan]:
        """ "户口迁移后医保怎么办": what the services section says of that field for a resident who
        moves (its entries say themselves that the procedure is not in the document); None when the
        question does not speak of household status or of such a field."""
        if not self.concepts.names_household_status(text) or answers.not_covered_topics(self.kb, text):
            return None  # materials, fees, the window …: the hukou window's detail, said as such
        faq = self._on_topic(text)
        if faq is None or not self.concepts.of_services(faq):
            return None
        return Plan([answers.faq_reply(self.kb, faq, text)], faq)

    def _plainly_off_topic(self, text: str) -> bool:
        """A service residents often ask about that is not hukou (messages.yml out_of_scope_words),
        with no policy topic beside it ("公积金怎么提取", "港澳通行证在哪办")."""
        text = normalise(text)
        words = [normalise(str(w)) for w in self.kb.messages.get("out_of_scope_words") or []]
        found = [w for w in words if w in text]
        for word in found:  # "提取公积金" names 公积金 only as the service asked about
            text = text.replace(word, " ")
        return bool(found) and not self.concepts.topics(text)

    def _says_kind(self, text: str, kind: str) -> bool:
        """The text has one of the words of ``kind`` in messages.yml's question_kinds."""
        said = normalise(text)
        return any(w in said for w in (self.kb.messages.get("question_kinds") or {}).get(kind) or ())

    def _asks_detail(self, text: str) -> bool:
        """A detail the document leaves open, or a "怎么/什么/哪/多久" question."""
        return bool(answers.not_covered_topics(self.kb, text)) or self._says_kind(text, "detail")

    def _states_own_facts(self, text: str) -> bool:
        """Facts the resident tells of themselves, with or without 我: after an answer a statement
        that names nobody else ("在韶关干了差不多二十年了") is about the resident."""
        if states_facts(self.kb, text):
            return True
        return person.subject(self.kb, text) is None and not is_question(text) and bool(stated_facts(self.kb, text))

    def asks_of_a_matter(self, text: str) -> bool:
        """A sentence that asks or names something, not about the assistant itself ("你能做什么"):
        a question the classifier may have heard as a greeting or a request for the menu."""
        if self._says_kind(text, "about_the_assistant"):
            return False
        said = normalise(text)
        return len(said) >= SENTENCE_CHARS and (self._speaks_of_hukou_at_all(text) or asks_anything(text))

    def _asks_something(self, text: str) -> bool:
        """A question or a sentence of some length, not a murmur ("嗯嗯嗯", "哈"): only a message
        that asks something can be told the document is silent on it."""
        said = normalise(text)
        asks = self._says_kind(text, "yes_no") or self._says_kind(text, "detail")
        # NFKC has folded "？" into "?"
        return asks or "?" in said or said.rstrip("啊呀呢").endswith("吗") or len(said) >= SENTENCE_CHARS

    def _asks_services_practice(self, text: str) -> bool:
        """A resident's own practical question in another office's field ("住房公积金怎么自己交",
        "城乡医保一年多少", "60岁还交不交"), with nothing of household status in it. The document's
        reforms in that field are its to answer: asked as policy ("统一了吗", "有什么政策"), as what
        a term means ("…是什么"), or as a bare topic ("公租房")."""
        if self.concepts.names_household_status(text) or self._asks_what(text):
            return False
        if self._says_kind(text, "reform_level"):
            return False  # "城乡医疗救助制度统一了吗", "对农村教师有什么鼓励政策", "户改文件对住房保障怎么说"
        return len(normalise(text)) > FRAGMENT_CHARS  # a bare "公租房" asks what the document says of it

    def _asks_what(self, text: str) -> bool:
        """ "X是什么", "有什么区别": what a term means (not "条件是什么样的")."""
        return self._says_kind(normalise(text).replace("什么样", " "), "definition")

    def _asks_yes_or_no(self, text: str) -> bool:
        """ "能不能/可以吗", and no detail asked beside it."""
        return not self._asks_detail(text) and self._says_kind(text, "yes_no")

    def _another_offices_detail(self, text: str) -> bool:
        """A practical detail (time, fee, procedure …) of something that is not household
        registration ("医保异地备案程序", "二手房过户要多少钱"): no hukou window to point to."""
        kb = self.kb
        if answers.topics_marked(kb, text, "of_hukou") and not self._says_kind(text, "other_office_matter"):
            return False  # "在哪个派出所办" is the hukou window's; "工伤向哪个部门申请" is not
        if self.concepts.names_hukou(answers.without_topic_words(kb, text, "other_office")):
            return False  # "补办身份证要带户口本吗" names 户口本 beside the ID card
        if answers.not_covered_topics(kb, text):
            if self._says_kind(text, "other_office_matter"):
                return True  # "残疾人认证在哪个部门": another office's benefit, whatever else it names
            return not self.concepts.names_facet(text) or bool(answers.topics_marked(kb, text, "other_office"))
        # "城镇居民如何申请低保", "买房提取住房公积金流程": how to get something done at another office
        return self._asks_detail(text) and self._names_procedure(text)

    def _asks_one_thing(self, text: str) -> bool:
        """One question, perhaps after a statement ("宝宝刚满月，户口怎么上")."""
        parts = split_questions(text)
        return len(parts) == 1 or sum(asks_anything(p) for p in parts) <= 1

    def _names_procedure(self, text: str) -> bool:
        """申请, 办理, 缴纳 …: getting something done, not what the policy is."""
        return self._says_kind(text, "procedure")

    def _without_other_places(self, question: Question) -> Tuple[str, str]:
        """The question without the place it asks of, and (normalised) without any other place named."""
        place = question.other_city or answers.names_other_place(self.kb, question.text)
        here = question.text.replace(place, "") if place else question.text
        elsewhere = normalise(here)
        for other in self.kb.other_places:  # every other place named, not only the first
            elsewhere = elsewhere.replace(other, " ")
        return here, elsewhere

    def _asks_a_field_elsewhere(self, question: Question, elsewhere: str) -> bool:
        """Another place's question (``elsewhere``: without its places) on a field of the document (its hukou,
        a newcomer's standing …), or an elliptical one ("那广州呢"); not "广州地铁怎么收费"."""
        return self._names_a_field_of_the_document(elsewhere) or is_elliptical(self.kb, question.text)

    def _other_city_plan(self, question: Question) -> Plan:
        """Another place's rules: said plainly, Shaoguan's offered as buttons; Shaoguan's entry for
        the same question is the topic a follow-up ("那韶关呢") continues."""
        here, elsewhere = self._without_other_places(question)
        if not self._asks_a_field_elsewhere(question, elsewhere):
            return Plan([answers.message(self.kb, "out_of_scope")])  # "广州地铁怎么收费": not hukou anywhere
        if self._of_another_office(elsewhere) and not _MOVING.search(elsewhere):
            # "南昌市个人灵活就业社保怎么交", "株洲人才购房补贴什么时候到账": another place's insurance, land,
            # health or benefits office, not its hukou rules
            return Plan([answers.message(self.kb, "out_of_scope_elsewhere")])
        if self.concepts.names_settling(here) and not self.concepts.asked(here) and not pathways_named(self.kb, here):
            topic = next(iter(self.kb.faqs_for_intent(OVERVIEW_INTENT)), None)  # "深圳落户要啥条件": settling at all
        else:
            topic = self._gated(here, self._best_searched(here), unsure=True)
        return Plan([answers.other_city_reply(self.kb)], topic=topic)

    def _of_another_office(self, text: str) -> bool:
        """Another office's field only (insurance, land, health), or another office's benefit, licence or
        exam (question_kinds other_office_matter: 补贴, 生育, 上牌 …) asked without settling."""
        if self.concepts.of_another_office_only(text):
            return True
        return self._says_kind(text, "other_office_matter") and not self.concepts.names_settling(text)

    def _names_a_field_of_the_document(self, text: str) -> bool:
        """Household registration or a move ("迁去"), a newcomer's standing, who/which diploma/which
        home, a term of the reforms (居住证, 公租房 …) or policy as such: another city's question on it
        is another city's rules, not another matter ("广州地铁怎么收费")."""
        concepts = self.concepts
        if concepts.names_household_status(text) or concepts.names_policy(text) or concepts.names_facet(text):
            return True
        return bool(_MOVING.search(normalise(text))) or self._says_kind(text, "policy_level")

    def _other_city(self, question: Question) -> bool:
        return answers.asks_about_other_city(self.kb, question.text, question.other_city, question.district)

    # ── the parts ───────────────────────────────────────────────────────────────────────
    def _main_answer(self, question: Question, in_conversation: bool = False) -> Plan:
        """The answer to the message's main question. ``in_conversation``: it follows an answer on
        household registration, so a service it asks about is asked as a newcomer's ("公积金呢")."""
        kb, text = self.kb, question.text
        requested = kb.faqs.get(question.faq_id or "")
        if requested is not None and requested.published:
            return Plan([answers.faq_reply(kb, requested, text)], requested)
        personal = self._for_the_person(question)
        if personal is not None:
            return personal
        # "户籍制度改革是哪个部门牵头的" asks about the reform, not a window's address
        about_the_reform = self._says_kind(text, "this_policy")
        names_nothing_else = not (self.concepts.topics(text) or self.concepts.names_facet(text) or about_the_reform)
        if answers.not_covered_topics(kb, text) and names_nothing_else:
            # only a detail the document leaves open ("分户要什么条件", "要多久"): no article for it
            return self._honest(question)
        if answers.topics_marked(kb, text, "of_hukou") and len(split_questions(text)) == 1 and not about_the_reform:
            # a hukou business the document does not deal with ("身份证号码写错了怎么改", "新生儿上户口")
            return self._honest(question)
        if question.intent:
            faq = answers.choose_faq(kb, self.index, question.intent, text)
        elif self.concepts.names_hukou(text) and pathways_named(kb, text):
            # no classifier reading (a part of a message): the pathways whose facts it names
            return self._pathway_answers(text, pathways_named(kb, text))
        else:
            faq = self._best_searched(text)
        # without the classifier's reading (a part of a message) the search alone chose: unsure
        faq = self._gated(text, faq, in_conversation, unsure=not question.intent)
        faq = self._closer_entry(text, faq, in_conversation)
        named = pathways_named(kb, text) if faq is None and self.concepts.names_hukou(text) else []
        if named:
            # the classifier's entry does not fit, the facts of a pathway are there ("那在市区自己有房子落户
            # 肯定可以吧" is no question on the reform's principles)
            return self._pathway_answers(text, named)
        if faq is None:
            return self._honest(question)
        silence = answers.silence_of(kb, faq)
        asks_one_detail = len(split_questions(text)) == 1 and (self._asks_detail(text) or self._names_procedure(text))
        if silence is not None and asks_one_detail:
            # the entry itself says the document is silent on the detail asked: that, and no basis line
            # (asked beside another question, the whole entry: what the document does say helps there)
            return Plan([silence], faq, not_covered=True)
        return self._fitted_to_facts(text, faq)

    def _gated(
        self, text: str, faq: Optional[FaqEntry], in_conversation: bool = False, unsure: bool = False
    ) -> Optional[FaqEntry]:
        """The chosen entry if the question speaks of what it answers, else the search's entry on
        the question's own topic, else None (never an unrelated article). ``unsure``: the
        classifier did not choose it with confidence, so the question must name what the entry is
        about (its topic, or settling and the pathway), not merely not contradict it."""
        if faq is None or not self._admits(text, faq, in_conversation, unsure):
            return None
        if unsure and faq.intent not in answers.SETTLING_INTENTS:
            # an entry on a field of its own answers an unsure question only if it names that field:
            # "离婚后户口能转移吗" is no 财政转移支付 question
            on_topic = self.concepts.shares_topic(text, faq)
        else:
            on_topic = self.concepts.fits(text, faq)
        if on_topic:
            return faq
        # the search's entry on the question's topic, else one of the classifier's intent that is on
        # it (the search ranks "户口性质怎么填" by its other words); each must pass the same gate
        siblings = [] if unsure else [f for f in self.kb.faqs_for_intent(faq.intent) if f.published]
        return next(
            (
                f
                for f in self._searched(text) + siblings
                if self.concepts.shares_topic(text, f) and self._admits(text, f, in_conversation, unsure)
            ),
            None,
        )

    def _admits(self, text: str, faq: FaqEntry, in_conversation: bool, unsure: bool) -> bool:
        """Whether the question is one this entry may answer at all, whatever else it names."""
        if faq.intent in answers.SETTLING_INTENTS and not self._speaks_of(text, faq, unsure):
            return False  # a settling pathway for a question that never speaks of settling or of that pathway
        if faq.intent in answers.SETTLING_INTENTS and self._speaks_of_leaving(text):
            return False  # "户口迁走了还能迁回农村吗": moving out is no pathway of settling here
        if faq.intent == RELATIVES_INTENT and not in_conversation and not self._names_relatives(text):
            return False  # "户口迁移后原籍地的户口怎么办": 投靠 answers a question about a relative
        if len(faq.articles) > 2 and not self.concepts.names_hukou(text):
            return False  # every pathway at once, for a question that never speaks of household registration
        names_the_reform = (
            self._says_kind(text, "this_policy")
            or self.concepts.quotes_entry(text, faq)
            or self.concepts.shares_topic(text, faq)
            or (self.concepts.names_policy(text) and not pathways_named(self.kb, text))
        )  # "那在市区自己有房子落户肯定可以吧" names a pathway's facts, not the reform's principles
        if self.concepts.of_the_reform_itself(faq) and not names_the_reform:
            return False  # "拆迁房安置适用什么法律依据": the basis of another matter, not of this reform
        if self._names_other_matter_beside(text, faq):
            return False  # "农村户口可以生二胎吗": the family-planning office's question, not 第（七）条's
        # "城乡医保一年多少": the insurance office's question, not how a move bears on it
        return not (self.concepts.of_services(faq) and not in_conversation and self._asks_services_practice(text))

    def _names_other_matter_beside(self, text: str, faq: FaqEntry) -> bool:
        """The question asks of another office's benefit, licence or exam (question_kinds
        other_office_matter) that the entry never speaks of."""
        said, own = normalise(text), normalise(entry_text(faq))
        terms = self.concepts.policy_terms(text)  # "计划生育服务" is the document's term, not another office's
        words = [
            normalise(str(w)) for w in (self.kb.messages.get("question_kinds") or {}).get("other_office_matter") or ()
        ]
        return any(w in said and w not in own and not any(w in term for term in terms) for w in words)

    def _fitted_to_facts(self, text: str, faq: FaqEntry) -> Plan:
        """A resident who describes themselves ("我没买房，在韶关干了十几年") gets the pathway their
        facts meet, read by the eligibility check's own rules: the chosen entry if it is one of
        them, another entry for a pathway it does not cover (so two pathways are both heard)."""
        plan = Plan([answers.faq_reply(self.kb, faq, text)], faq)
        if faq.intent not in answers.SETTLING_INTENTS:
            return plan
        ruled_out = pathways_ruled_out(self.kb, text)
        if ruled_out and set(faq.articles) & set(ruled_out) and (len(faq.articles) > 1 or faq.articles[0] in ruled_out):
            # the pathway asked about, or one of those an overview lists, is one their facts rule out
            return self._other_pathways(faq, ruled_out)
        met = pathways_met(self.kb, text)
        if not met or set(faq.articles) >= set(met):
            return plan
        if not set(faq.articles) & set(met):
            plan = Plan([], None)
        more = self._pathway_answers(text, [a for a in met if a not in faq.articles])
        plan.replies.extend(more.replies)
        plan.answered = plan.answered or more.answered
        return plan if plan.replies else Plan([answers.faq_reply(self.kb, faq, text)], faq)

    def _other_pathways(self, faq: FaqEntry, ruled_out: Dict[str, str]) -> Plan:
        """The resident's own facts rule out the pathway asked about ("我没房，户口能落县城吗"): why,
        the pathways still open to them, the residence permit, and the step-by-step check offered —
        never "可以申请" on a pathway they just said they do not meet."""
        kb = self.kb
        settling = [a for a in kb.document.articles if kb.document.articles[a].section == SETTLING_SECTION]
        others = [a for a in settling if a not in ruled_out]
        fallback = kb.eligibility.fallback.article
        text = answers.message(
            kb,
            "pathway_ruled_out",
            why="".join(f"第（{a}）条，{ruled_out[a]}" for a in faq.articles if a in ruled_out),
            others="、".join(f"第（{a}）条" for a in others) or "（无）",
            fallback=f"第（{fallback}）条",
        ).text
        refs = [*others, fallback]
        return Plan([Reply(f"{text}\n{kb.citation(refs)}", articles=tuple(refs))], faq)

    def _pathway_answers(self, text: str, articles: Sequence[str]) -> Plan:
        """The entry of each settling pathway (one article each), the search's choice first."""
        plan = Plan()
        for article in articles:
            other = next((f for f in self._searched(text) + self.kb.published_faqs() if f.articles == (article,)), None)
            if other is not None:
                plan.replies.append(answers.faq_reply(self.kb, other, text))
                plan.answered = plan.answered or other
        return plan

    def _for_the_person(self, question: Question) -> Optional[Plan]:
        """Asking about relatives: 第（五）条 for the family it names, kindly "not 投靠" for the others
        ("想把我妈和我姐的户口都迁过来": both answers)."""
        plan = self._for_the_first_person(question)
        if plan is None:
            return None
        for other in person.others_named(self.kb, question.text, person.subject(self.kb, question.text)):
            if person.PERMIT_ARTICLE not in {a for r in plan.replies for a in r.articles}:
                plan.replies.append(person.not_direct_reply(self.kb, other))
        return plan

    def _for_the_first_person(self, question: Question) -> Optional[Plan]:
        if question.intent not in FAMILY_INTENTS or self._says_kind(question.text, "other_office_matter"):
            return None  # "迁户口对孩子学籍有影响吗": the school's matter, not the child's joining
        who = person.subject(self.kb, question.text)
        topics = self.concepts.topics(question.text)
        asks_to_join = "投靠" in topics or question.intent == RELATIVES_INTENT
        if who in person.NOT_DIRECT and LODGING not in topics and asks_to_join:
            return self._not_direct(who)
        if who in person.DIRECT and question.intent == RELATIVES_INTENT:
            return self._relatives_answer(question.text)  # the entry for that relative ("我儿子8岁")
        if who in person.DIRECT and question.intent != RELATIVES_INTENT:
            if any(t in topics for t in HOUSING_TOPICS) or question.intent == HOUSING_INTENT:
                # "我买了房，想把爸妈迁过来": they settle with the resident (三) or join them (五);
                # the housing entry is the topic a follow-up ("那我自己呢") continues
                housing = answers.choose_faq(self.kb, self.index, HOUSING_INTENT, question.text)
                return Plan([person.direct_with_home_reply(self.kb, who)], housing)
            if "投靠" in topics:
                return self._relatives_answer(question.text)
        return None

    def _not_direct(self, who: str) -> Plan:
        """Kindly "not 投靠" for a relative 第（五）条 does not list. The reply ends on the residence
        permit (第（八）条), so that is the topic a follow-up ("那我去她那住着，能享受点啥") continues;
        a question about the relative again ("亲兄弟也不行？") is read by who it names."""
        permit = (person.PERMIT_ARTICLE,)
        topic = next((f for f in self.kb.published_faqs() if f.articles == permit), None)
        return Plan([person.not_direct_reply(self.kb, who)], topic)

    def _relatives_answer(self, text: str) -> Plan:
        """第（五）条's entry for the relative the text is about (a parent joining a child is the
        parents' entry, however the child is named)."""
        who = person.subject(self.kb, text)
        query = f"{person.label(self.kb, who)}投靠 {text}" if who in person.DIRECT else text
        faq = answers.choose_faq(self.kb, self.index, RELATIVES_INTENT, query)
        return Plan([answers.faq_reply(self.kb, faq, text)], faq) if faq else Plan()

    def _honest(self, question: Question) -> Plan:
        """Nothing in the FAQ fits: the document's silence said plainly if it is a hukou question,
        else the out-of-scope reply; never an unrelated article."""
        text = question.text
        if self.concepts.names_household_status(text) or answers.topics_marked(self.kb, text, "of_hukou"):
            # only a paper the document never speaks of ("首次办护照需要户口本吗"): not a reform matter
            outside = not answers.topics_marked(self.kb, text, "of_hukou") and not self.concepts.names_cited_term(text)
            reply = answers.not_covered_reply(self.kb, text, question.district, outside)
            suggestions = [answers.faq_button(h.faq) for h in self.index.search(text, k=3)]
            return Plan([Reply(reply.text, suggestions)], not_covered=True)
        if self._speaks_of_hukou_at_all(text):
            # another office's field (医保, 公积金, 低保 …) with nothing of household status: not ours,
            # and not the hukou window's either
            return Plan([answers.message(self.kb, "out_of_scope_detail")], not_covered=True)
        return self._not_placed(text)

    def _not_placed(self, text: str) -> Plan:
        """A question nothing here places ("怎么改自己的民族", "卖地需要村民同意吗"): the document's
        silence, and both the hukou window and the other offices, rather than a guess; a message
        that asks nothing ("哈哈") gets the out-of-scope reply. Logged as out of scope."""
        key = "out_of_scope_unplaced" if self._asks_something(text) else "out_of_scope"
        return Plan([answers.message(self.kb, key)])

    def _speaks_of_hukou_at_all(self, text: str) -> bool:
        """A policy term, who/where/which diploma, or a detail the document leaves open."""
        concepts, details = self.concepts, answers.not_covered_topics(self.kb, text)
        return concepts.names_policy(text) or concepts.names_facet(text) or bool(details)

    def _speaks_of_leaving(self, text: str) -> bool:
        """Moving a hukou out or back to the village (messages.yml leaving_words), and not settling
        here besides ("迁出来落户到城里" settles)."""
        said = normalise(text)
        leaving = any(normalise(str(w)) in said for w in self.kb.messages.get("leaving_words") or ())
        return leaving and "落户" not in self.concepts.policy_terms(text)

    def _asks_own_case(self, text: str) -> bool:
        """Settling asked of the resident themselves ("我这种情况能不能落户"), nothing else named, and
        not as "what about me" ("那我自己先把户口落过来呢": the same answer, about the resident)."""
        starts = tuple((self.kb.messages.get("follow_up_words") or {}).get("starts") or ())
        if normalise(text).startswith(starts):
            return False
        return speaks_of_self(self.kb.eligibility, text) and self.concepts.names_settling(text)

    def _asks_to_settle(self, text: str) -> bool:
        """Settling named (迁过来, 落户 …), or hukou with no other topic beside it: "外地户口孩子入学"
        is a schooling question about a child, not the child joining anyone."""
        concepts = self.concepts
        if concepts.topics(text) - concepts.settling_terms or self._says_kind(text, "other_office_matter"):
            return False  # "迁户口多久孩子能上学", "迁户口对孩子学籍有影响吗": a question on schooling
        moves_along = "迁" in normalise(text) and _MOVES_TOGETHER.search(normalise(text))  # "老婆能不能跟我一起迁"
        return concepts.names_settling(text) or concepts.names_hukou(text) or bool(moves_along)

    def _names_relatives(self, text: str) -> bool:
        """A relative, or joining one (投靠, 婚龄 …): what 第（五）条's entries answer."""
        return person.subject(self.kb, text) is not None or bool(RELATIVES_TOPICS & self.concepts.topics(text))

    def _speaks_of(self, text: str, faq: FaqEntry, unsure: bool = False) -> bool:
        """The question names a policy term (``unsure``: settling itself, or the entry's topic); or
        it names who, where or which diploma, or quotes the entry's own words, and the search (a
        second reading) ranks this very entry first. A question that names none of these is no
        settling question, whoever the search finds."""
        if unsure and (self.concepts.names_settling(text) or self.concepts.shares_topic(text, faq)):
            return True
        if not unsure and self.concepts.names_policy(text):
            return True
        if set(pathways_met(self.kb, text)) & set(faq.articles):
            return True  # "我喺韶钢做咗八年炼钢": the resident's own facts meet this very pathway
        if unsure and self.concepts.names_hukou(text) and set(pathways_named(self.kb, text)) & set(faq.articles):
            return True  # "大专毕业户口能不能迁韶关": hukou, and the facts of this very pathway
        quotes = self.concepts.topics_of_article_text(text, faq)
        if unsure and not quotes:
            return False  # "离婚后的户口处理方式有几种": the search's first entry is no reason of its own
        if not self.concepts.says_anything_of_hukou(text) and not quotes:
            return False  # "从哪年开始大学生不分配工作"
        hits = self.index.search(text, k=1)
        return bool(hits) and hits[0].faq.id == faq.id

    def _best_searched(self, text: str) -> Optional[FaqEntry]:
        """Without an intent: the first entry the search finds on the question's own topic, else
        its best entry if nothing in the question speaks against it."""
        hits = self._searched(text)
        fitting = self.concepts.first_fitting(text, hits)
        return fitting or next((f for f in hits[:1] if self.concepts.fits(text, f)), None)

    def _on_topic(self, text: str) -> Optional[FaqEntry]:
        """The entry on a topic the question names: the search's first such, else the first in
        the FAQ (the search ranks "家庭户口是什么意思" by its other words)."""
        return self.concepts.first_fitting(text, self._searched(text) + self.kb.published_faqs())

    def _closer_entry(self, text: str, faq: Optional[FaqEntry], in_conversation: bool) -> Optional[FaqEntry]:
        """An entry the search found that speaks of more of the question's topics than the chosen one
        ("特殊专业人才能不能搭户到亲戚家": the talent entry's 搭户, not the hard-industry one's)."""
        if faq is None or len(split_questions(text)) > 1:
            return faq  # several questions: each part gets its own entry (_more_questions)
        asked, named = self.concepts.asked(text), set(pathways_named(self.kb, text))

        def closeness(entry: FaqEntry) -> int:
            # topics shared, and the pathway whose facts it names, less the pathways it does not name
            articles = set(entry.articles)
            beside = len(articles - named) if named else 0
            return len(asked & self.concepts.of_faq(entry)) + len(named & articles) - beside

        closer = [
            f
            for f in self._searched(text)
            # within the classifier's intent the search already chose; only another intent's entry may be closer
            if f.intent != faq.intent
            and closeness(f) > closeness(faq)
            and self._admits(text, f, in_conversation, False)
        ]
        return max(closer, key=closeness, default=faq)

    def _searched(self, text: str) -> List[FaqEntry]:
        return [hit.faq for hit in self.index.search(text, k=SEARCH_DEPTH)]

    def _more_questions(self, text: str, plan: Plan) -> None:
        """Each further question in the message that brings up something the answers so far do not
        speak of gets its own answer ("孩子上学怎么办？居住证呢" → 第（十二）条 and 第（八）条)."""
        parts = split_questions(text)
        # every part, the first too: the classifier may have answered the message by a later part;
        # a message of one part may still ask of two topics ("投靠子女落户后医保社保怎样转移")
        for part in parts:
            if len(plan.replies) >= MAX_ANSWERS:
                return
            said = "\n".join(r.text for r in plan.replies)
            cited = {a for reply in plan.replies for a in reply.articles}
            if len(parts) > 1:
                reply = self._part_answer(part, said, cited, text)
            else:  # beside an answer only: a message the document does not answer gets no article
                reply = self._topic_answer(part, said) if cited else None
            if reply is not None and not set(reply.articles) <= cited:
                plan.replies.append(reply)

    def _topic_answer(self, part: str, said: str) -> Optional[Reply]:
        """The entry for a topic the part names and the answers so far do not speak of."""
        new = self.concepts.topics(part) - self.concepts.topics(said)
        if not new or not said:
            return None
        faq = next((f for f in self._searched(part) if new & self.concepts.of_faq(f)), None)
        return answers.faq_reply(self.kb, faq, part) if faq is not None and faq.articles else None

    def _part_answer(self, part: str, said: str, cited: set, whole: str) -> Optional[Reply]:
        """One further question: its own new topic's entry, or the answer for a relative it asks
        about ("老婆能不能一起迁") when 第（五）条 was not cited yet; None otherwise."""
        if self.concepts.topics(part) - self.concepts.topics(said):
            return self._topic_answer(part, said)
        met = [a for a in pathways_named(self.kb, part) if a not in cited]
        if not met and self.concepts.names_settling(part):
            # "我在大宝山下井挖矿二十年了，户口落得了韶关不？…": the facts told before the question
            met = [a for a in pathways_met(self.kb, whole) if a not in cited]
        if met:  # "大专生和中级工都能落户吗" after another pathway's answer
            return next(iter(self._pathway_answers(part, met).replies), None)
        who = person.subject(self.kb, part)
        if who is None or person.RELATIVES_ARTICLE in cited:
            return None
        if who in person.NOT_DIRECT:
            if set(pathways_named(self.kb, whole)) & cited:
                return None  # "我男朋友也是大专，他也行吧": his own pathway is the answer already given
            return person.not_direct_reply(self.kb, who)
        return next(iter(self._relatives_answer(part).replies), None)


_current: Dict[str, Responder] = {}


def responder_for(kb: KnowledgeBase, index: FaqIndex) -> Responder:
    """The responder for the knowledge base in service, built once per published version (the action
    server's answers and the channel's answers while a resident waits for a person share it)."""
    current = _current.get("responder")
    if current is None or current.kb is not kb or current.index is not index:
        current = _current["responder"] = Responder(kb, index)
    return current
