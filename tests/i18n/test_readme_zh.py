"""The Chinese README: linked from the README, same set-up commands, the seller's walk-through."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
README_ZH = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")


def first_code_block(text: str) -> list[str]:
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_links_the_chinese_readme_near_the_top() -> None:
    top = README.splitlines()[:10]
    assert any("(README.zh-CN.md)" in line for line in top)


def test_chinese_readme_has_the_same_two_setup_commands() -> None:
    assert first_code_block(README_ZH) == first_code_block(README)
    assert len(first_code_block(README_ZH)) == 2


def test_chinese_readme_walks_through_a_case_with_commands_that_exist() -> None:
    from appeal_kit.cli.main import app

    commands = {info.name or info.callback.__name__ for info in app.registered_commands}
    walk = re.findall(r"^appeal-kit ([a-z]+)", README_ZH, re.M)
    assert walk[:6] == ["init", "check", "build", "preview", "log", "deadlines"]
    assert set(re.findall(r"appeal-kit ([a-z]+)\b", README_ZH)) <= commands
    assert "originals/" in README_ZH and "accused/" in README_ZH and "documents/" in README_ZH
    # Written in Chinese, with the platform's own terms.
    for word in ("申诉", "知识产权", "图片盗用", "原图", "北京时间"):
        assert word in README_ZH, word
