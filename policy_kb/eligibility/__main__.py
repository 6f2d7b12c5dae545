"""``python -m policy_kb.eligibility PROFILE.json``: evaluate one profile and print the result as JSON.

The output adds the Chinese verdict a resident would read, so an operator can see the effect of
an edit to ``eligibility.yml`` at once. An unreadable file, bad JSON, or an unknown field or
value gives a Chinese message on stderr and exit status 2; invalid policy data gives exit 1.
"""

from __future__ import annotations

import json
import sys
from typing import List, Optional

from policy_kb.eligibility.engine import ProfileError, evaluate
from policy_kb.eligibility.verdict import verdict_parts
from policy_kb.loader import KnowledgeBaseError, load_kb


def _fail(message: str, status: int = 2) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return status


def _read_profile(path: str):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def main(argv: Optional[List[str]] = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # Chinese as is, whatever the terminal's encoding
        stream.reconfigure(encoding="utf-8")
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        return _fail("用法：python -m policy_kb.eligibility PROFILE.json")
    try:
        profile = _read_profile(args[0])
        kb = load_kb()
        result = evaluate(profile, kb.eligibility)
    except OSError as error:
        return _fail(f"无法读取文件 {args[0]}：{error.strerror}")
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return _fail(f"{args[0]} 不是有效的 JSON（UTF-8 编码）：{error}")
    except ProfileError as error:
        return _fail(f"{args[0]} 中的资料有误：{error}")
    except KnowledgeBaseError as error:
        return _fail(str(error), status=1)
    output = {**result.to_dict(), "verdict": verdict_parts(result, kb)}
    print(json.dumps(output, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
