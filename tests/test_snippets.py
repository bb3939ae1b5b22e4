"""Each page's snippet runs as a plain script, and gives the numbers the build gave."""

from __future__ import annotations

import json

from conftest import EXECUTED, run_snippet
from keras_guide.page import GLUE_FILE_VARIABLE


def test_snippet_runs_standalone_and_reproduces_the_build(page, tmp_path):
    glue_file = tmp_path / "glue.jsonl"
    result = run_snippet(page, env={GLUE_FILE_VARIABLE: str(glue_file)})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr

    built_glue = EXECUTED / f"{page}.glue.json"
    built = (
        {name: output["data"]["text/plain"] for name, output in json.loads(built_glue.read_text()).items()}
        if built_glue.exists()
        else {}
    )
    standalone = {}
    if glue_file.exists():
        for line in glue_file.read_text().splitlines():
            standalone.update(json.loads(line))
    assert standalone == built, "a second execution glued different values: the page is not deterministic"
