"""The README's two commands stay true: CI runs exactly the README's test command."""

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Get going", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_readme_has_exactly_two_commands_start_and_test():
    start, test = _readme_commands()
    assert "streamlit run streamlit_app.py" in start and "requirements.txt" in start
    assert "pytest" in test and "requirements-dev.txt" in test


def test_ci_runs_the_readme_test_command():
    _, test = _readme_commands()
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test in ci_lines


def test_files_the_readme_names_exist():
    for path in (
        "streamlit_app.py",
        "requirements.txt",
        "requirements-dev.txt",
        ".ci/run",
        ".streamlit/config.toml",
        "docs/dashboard.png",
    ):
        assert (ROOT / path).exists(), path
