"""The front page stays short, and every relative link of README.md, docs/*.md and config/README.md
leads to a file that exists (and, with a #fragment, to a heading of it)."""

from __future__ import annotations

import re
from pathlib import Path

README_MAX_LINES = 200
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def broken_links(page: Path) -> list[str]:
    """The relative links of a Markdown page whose file, or whose heading (#fragment), does not exist."""
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)  # links in code blocks are not links
    broken = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        path, _, fragment = target.partition("#")
        file = (page.parent / path).resolve()
        if not file.exists():
            broken.append(target)
        elif fragment and file.is_file() and fragment not in {
                _slug(h) for h in re.findall(r"^#+ (.*)$", file.read_text(), flags=re.M)}:
            broken.append(target)
    return broken


def _pages(root: Path) -> list[Path]:
    return [root / "README.md", root / "config" / "README.md", *sorted((root / "docs").glob("*.md"))]


def test_the_readme_is_at_most_200_lines(root):
    lines = (root / "README.md").read_text().splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines; move detail to docs/"


def test_every_relative_link_resolves(root):
    broken = {str(page.relative_to(root)): links for page in _pages(root) if (links := broken_links(page))}
    assert not broken, f"links to missing files or headings: {broken}"


def test_every_docs_page_is_linked_from_the_readme(root):
    readme = (root / "README.md").read_text()
    unlinked = [page.name for page in sorted((root / "docs").glob("*.md")) if f"](docs/{page.name}" not in readme]
    assert not unlinked, f"README.md links no docs page {unlinked}"


def test_a_missing_file_or_heading_is_a_broken_link(tmp_path):
    (tmp_path / "other.md").write_text("# Other page\n\n## A section (`x`)\n")
    page = tmp_path / "page.md"
    page.write_text("[ok](other.md) [ok](other.md#a-section-x) [web](https://example.org/x.md) [self](#top)\n"
                    "[gone](missing.md) [no heading](other.md#nowhere)\n```\n[in code](also-missing.md)\n```\n")
    assert broken_links(page) == ["missing.md", "other.md#nowhere"]
