"""Validate the knowledge base and print every problem in Chinese (exit 1 if any)."""

import sys

from policy_kb.loader import KnowledgeBaseError, load_kb


def main() -> int:
    try:
        kb = load_kb()
    except KnowledgeBaseError as error:
        print(error, file=sys.stderr)
        return 1
    print(
        f"政策知识库校验通过：{len(kb.document.articles)} 条条款，{len(kb.faqs)} 条问答，{len(kb.glossary)} 个词条，"
        f"{len(kb.eligibility.rules)} 条落户判断规则。"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
