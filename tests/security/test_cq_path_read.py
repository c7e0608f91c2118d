"""Case 8: `GET /query?cq=<path of a .rq file>` read and showed any *.rq under the
project, the working folder or the temporary folder (elsewhere a bare 500).

/query takes question names only (core/questions.known_question).
"""

from __future__ import annotations

import pytest

from zonekg.core.errors import QueryError
from zonekg.core.questions import known_question


@pytest.mark.parametrize(
    "name",
    [
        "/tmp/secret.rq",
        "queries/cq01-zone-areas.rq",
        "../queries/cq01-zone-areas.rq",
        "..\\queries\\cq01",
        "cq01-zone-areas.rq",
        "/etc/passwd",
    ],
)
def test_a_path_is_not_a_question(name, tmp_path):
    (tmp_path / "secret.rq").write_text("SELECT * WHERE { ?s ?p ?o }")
    with pytest.raises(QueryError):
        known_question(name)


def test_a_question_name_is_answered():
    assert known_question("cq01").name.startswith("cq01")
