"""``make faq-export`` / ``make faq-import``: the FAQ as an .xlsx spreadsheet and back.

python -m policy_kb.authoring.faq_xlsx export faqs.xlsx
python -m policy_kb.authoring.faq_xlsx import faqs.xlsx
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

from policy_kb.authoring.cli import ChineseArgumentParser, display_path
from policy_kb.authoring.faq_import import ImportRefused, ImportResult, import_rows
from policy_kb.authoring.faq_sheet import SheetError, export_workbook, read_workbook
from policy_kb.authoring.faq_source import FaqSourceError, read_faq_files
from policy_kb.loader import DATA_DIR


def export(path: Path, data_dir: Path = DATA_DIR) -> int:
    """Write every FAQ entry of ``data_dir`` to the workbook ``path``; returns the row count."""
    if path.suffix.lower() != ".xlsx":
        raise SheetError(f"导出文件名应以 .xlsx 结尾，实际为 {path.name}")
    if not path.parent.is_dir():
        raise SheetError(f"目录 {path.parent} 不存在")
    return export_workbook(read_faq_files(data_dir), path)


def import_workbook(path: Path, data_dir: Path = DATA_DIR) -> ImportResult:
    """Check the workbook ``path`` and write it into ``data_dir``'s FAQ files, all or nothing."""
    return import_rows(read_workbook(path), data_dir)


def _import_report(path: Path, result: ImportResult) -> str:
    if not result.written:
        return f"{path.name} 与 YAML 文件一致，没有需要写入的修改。"
    parts = [f"修改 {len(result.changed)} 条"] + (
        [f"新增 {len(result.added)} 条（{'、'.join(result.added)}）"] if result.added else []
    )
    return (
        f"已从 {path.name} 导入：{'，'.join(parts)}；写入 {'、'.join(result.written)}。\n"
        "下一步：make faq-check 检查，然后 make faq-publish 发布。"
    )


def main(argv: Optional[List[str]] = None) -> int:
    parser = ChineseArgumentParser(
        prog="python -m policy_kb.authoring.faq_xlsx", description="常见问题导出为 .xlsx 或从 .xlsx 导入"
    )
    parser.add_argument("action", choices=("export", "import"), help="export 导出 / import 导入")
    parser.add_argument("file", type=Path, help=".xlsx 文件路径")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="政策数据目录（默认 policy_kb/data）")
    args = parser.parse_args(argv)
    try:
        if args.action == "export":
            count = export(args.file, args.data_dir)
            print(f"已导出 {count} 条问答到 {display_path(args.file)}。")
        else:
            print(_import_report(args.file, import_workbook(args.file, args.data_dir)))
    except (SheetError, FaqSourceError) as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1
    except ImportRefused as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
