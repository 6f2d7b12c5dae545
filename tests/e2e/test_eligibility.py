"""The eligibility check over REST, answered in free colloquial Chinese as a new resident would."""

import pytest

from tests.stack import running_stack

CITE = "依据：《韶关市人民政府关于进一步推进户籍制度改革的实施意见》"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with running_stack(tmp_path_factory.mktemp("eligibility")) as running:
        yield running


def test_rich_first_message_then_one_question_then_verdict(stack):
    text, replies = stack.ask("帮我看看能不能落户，我本科毕业，在乐昌租房", sender="elig-1")
    assert "市区、县城、镇上" in text  # only the one thing it was not told
    text, _ = stack.ask("喺县城", sender="elig-1")
    assert CITE + "第（三）条" in text and CITE + "第（六）条" in text
    assert "乐昌市辖区派出所户政窗口" in text


def test_step_by_step_with_a_policy_question_in_between(stack):
    text, replies = stack.ask("我能落户吗", sender="elig-2")
    assert "住的地方" in text and replies[-1].get("buttons")
    text, _ = stack.ask("冇，住亲戚屋企", sender="elig-2")
    assert "投靠" in text or "一起生活" in text or "家人" in text
    text, _ = stack.ask("父母投靠子女有冇年龄限制？", sender="elig-2")
    assert "第（五）条" in text  # answered in full, then the same question again
    for answer in ("冇人可以投靠", "初中毕业", "冇", "唔系"):
        text, _ = stack.ask(answer, sender="elig-2")
        assert CITE not in text  # still asking, one question at a time
    text, _ = stack.ask("系，喺度做咗十几年", sender="elig-2")
    assert CITE + "第（四）条" in text


def test_stop_in_the_middle(stack):
    stack.ask("帮我判断下我符唔符合落户条件", sender="elig-3")
    text, _ = stack.ask("算了", sender="elig-3")
    assert "已停止判断" in text
    text, _ = stack.ask("租房可以落户吗", sender="elig-3")
    assert "第（三）条" in text  # back to normal answers


def test_correction_dont_know_and_restart(stack):
    stack.ask("帮我看看能不能落户", sender="elig-4")
    text, _ = stack.ask("租紧屋", sender="elig-4")
    assert "市区、县城、镇上" in text
    text, _ = stack.ask("说错了，系买咗楼", sender="elig-4")
    assert "已按您说的更正" in text and "市区、县城、镇上" in text  # same question again
    text, _ = stack.ask("重新开始", sender="elig-4")
    assert "从头开始" in text and "住的地方" in text
    text, _ = stack.ask("唔知", sender="elig-4")
    assert CITE not in text and "不好意思" not in text  # recorded as unknown, next question


def test_facts_told_in_a_policy_question_just_before_are_not_asked_again(stack):
    first, _ = stack.ask("我在浈江区租房，租房可以落户吗？", sender="elig-5")
    assert "根据您的回答" not in first  # a policy question: answered, no check yet
    text, _ = stack.ask("帮我看看我能不能落户", sender="elig-5")
    assert "住的地方" not in text and "市区、县城、镇上" not in text  # already told: rented, in town
    assert CITE + "第（三）条" in text


def test_a_parent_asking_for_a_young_child(stack):
    text, _ = stack.ask("帮我看看我女儿能不能落户", sender="elig-6")
    assert "住的地方" in text
    text, _ = stack.ask("有，我哋租紧屋", sender="elig-6")
    assert "市区、县城、镇上" in text
    text, _ = stack.ask("武江区", sender="elig-6")
    assert "孩子几岁" in text  # the daughter was mentioned: the family question is still asked
    text, _ = stack.ask("系我个女，今年先8岁", sender="elig-6")
    assert CITE + "第（三）条" in text and CITE + "第（五）条" in text
