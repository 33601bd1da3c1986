"""The feature's README is generated from devcontainer-feature.json and NOTES.md, as
devcontainers/action publishes it: the committed one must be what scripts/feature-readme writes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO
from markdown_tables import rows_by_first_cell, section

FEATURE = REPO / "feature" / "litellm-key"
GENERATOR = REPO / "scripts" / "feature-readme"


def _generate(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(GENERATOR), *map(str, arguments)], capture_output=True, text=True)


def _copy_of_the_feature(tmp_path: Path) -> Path:
    folder = tmp_path / "litellm-key"
    folder.mkdir()
    for name in ("devcontainer-feature.json", "NOTES.md", "README.md"):
        shutil.copy(FEATURE / name, folder / name)
    return folder


def test_the_committed_feature_readme_is_current():
    result = _generate("--check")
    assert result.returncode == 0, result.stderr


def test_a_changed_option_makes_the_readme_stale_until_it_is_generated_again(tmp_path):
    folder = _copy_of_the_feature(tmp_path)
    metadata = json.loads((folder / "devcontainer-feature.json").read_text())
    metadata["options"]["proxyPort"]["default"] = "8181"
    (folder / "devcontainer-feature.json").write_text(json.dumps(metadata, indent=4))

    stale = _generate("--check", folder)
    assert stale.returncode == 1
    assert "not current: run scripts/feature-readme" in stale.stderr

    assert _generate(folder).returncode == 0
    options = rows_by_first_cell(section((folder / "README.md").read_text(), "Options"))
    assert options["proxyPort"][3] == "8181"
    assert _generate("--check", folder).returncode == 0


def test_notes_edits_reach_the_readme_and_nothing_else_is_hand_written(tmp_path):
    folder = _copy_of_the_feature(tmp_path)
    (folder / "NOTES.md").write_text("## Offline installs\n\nBring your own wheelhouse.\n")
    (folder / "README.md").write_text("# hand-written\n")

    assert _generate(folder).returncode == 0
    readme = (folder / "README.md").read_text()
    assert "hand-written" not in readme
    assert "## Offline installs\n\nBring your own wheelhouse.\n" in readme
    assert readme.index("## Options") < readme.index("## Offline installs") < readme.index("_Note: This file was auto-generated")


def test_the_readme_has_the_shape_devcontainers_action_publishes():
    """Title "name (id)", the description, a `features` snippet with the major version, an options
    table with id, description, type and default, then the notes: what the registry page shows."""
    metadata = json.loads((FEATURE / "devcontainer-feature.json").read_text())
    readme = (FEATURE / "README.md").read_text()
    assert readme.startswith(f"\n# {metadata['name']} ({metadata['id']})\n\n{metadata['description']}\n\n## Example Usage\n")
    assert f'"ghcr.io/OWNER/litellm-key/litellm-key:{metadata["version"].split(".")[0]}": {{}}' in readme
    options = rows_by_first_cell(section(readme, "Options"))
    for option_id, option in metadata["options"].items():
        assert options[option_id][1:3] == (option["description"], option["type"]), option_id
    assert (FEATURE / "NOTES.md").read_text() in readme


def test_a_wrong_argument_shows_the_usage():
    result = _generate("--write")
    assert result.returncode == 2
    assert "scripts/feature-readme --check" in result.stderr
