"""Generated documentation stays true to the code (golden files, regenerated only on request)."""

from __future__ import annotations

from pathlib import Path

from collectscore._docs import contract_markdown, features_markdown


def test_contract_page_matches_the_declarations(repo_root: Path, regenerate_golden: bool) -> None:
    page = repo_root / "docs" / "contract.md"
    rendered = contract_markdown()
    if regenerate_golden:
        page.parent.mkdir(exist_ok=True)
        page.write_text(rendered, encoding="utf-8")
    assert page.read_text(encoding="utf-8") == rendered, (
        "docs/contract.md is out of date with src/collectscore/_contract.py; run `make docs`"
    )


def test_feature_page_matches_the_registry(repo_root: Path, regenerate_golden: bool) -> None:
    page = repo_root / "docs" / "features.md"
    rendered = features_markdown()
    if regenerate_golden:
        page.write_text(rendered, encoding="utf-8")
    assert page.read_text(encoding="utf-8") == rendered, (
        "docs/features.md is out of date with the feature registry; run `make docs`"
    )


def test_reason_code_page_matches_the_declarations(
    repo_root: Path, regenerate_golden: bool
) -> None:
    from collectscore.explanations._docs import reason_codes_markdown

    page = repo_root / "docs" / "reason-codes.md"
    rendered = reason_codes_markdown()
    if regenerate_golden:
        page.write_text(rendered, encoding="utf-8")
    assert page.read_text(encoding="utf-8") == rendered, (
        "docs/reason-codes.md is out of date with src/collectscore/explanations/; run `make docs`"
    )
