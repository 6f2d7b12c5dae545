"""articles.yml must be the policy document, word for word."""

from pathlib import Path

import pytest

from policy_kb.model import PREAMBLE

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_4b65a2026160cf81.txt"
NUMERALS = "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八".split()


@pytest.fixture(scope="module")
def seed_text():
    if not SEED.exists():
        pytest.skip(f"原始政策文件不在 {SEED}，跳过逐字核对")
    return SEED.read_text(encoding="utf-8")


def test_all_eighteen_articles_in_order(kb):
    assert [a.number for a in sorted(kb.document.articles.values(), key=lambda a: a.index)] == NUMERALS


def test_every_article_is_verbatim_from_the_document(kb, seed_text):
    for article in kb.document.articles.values():
        assert f"（{article.number}）{article.heading}。{article.text}" in seed_text, article.number


def test_preamble_and_basis_documents_are_verbatim(kb, seed_text):
    assert kb.document.preamble in seed_text
    for code, title in kb.document.basis:
        assert f"《{title}》（{code}）" in seed_text


def test_sections_match_document_headings(kb, seed_text):
    assert len(kb.document.sections) == 5
    for number, title in kb.document.sections.items():
        assert f"{number}、{title}" in seed_text
    assert kb.document.articles["三"].section == "二" and kb.document.articles["十七"].section == "五"


def test_citation_uses_the_documents_own_numbering(kb):
    assert kb.citation(["三"]) == "依据：《韶关市人民政府关于进一步推进户籍制度改革的实施意见》第（三）条"
    assert kb.citation(["三", "五"]).endswith("第（三）条、第（五）条")
    assert kb.citation([PREAMBLE]).endswith("开篇引言")
