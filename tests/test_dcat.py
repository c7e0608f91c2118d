"""The release's DCAT description as a data portal harvests it: ckanext-dcat's own parser
(the CKAN extension, in a venv of its own made by `make ckan`) reads licence, publisher,
contact point, keywords, themes, languages, identifier, access URLs, checksums and the
SPARQL endpoint given by --base-url."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from zonekg.publish import release

ROOT = Path(__file__).resolve().parents[1]
CKAN_PYTHON = ROOT / "build" / "ckan-venv" / "bin" / "python"


@pytest.fixture(scope="module")
def bundle(release_bundle):
    return release_bundle


def _harvest(path: Path, profile: str) -> list[dict]:
    assert CKAN_PYTHON.exists(), "ckanext-dcat is missing: `make ckan` makes its venv"
    done = subprocess.run(
        [str(CKAN_PYTHON), str(ROOT / "tests" / "ckan_harvest.py"), str(path), profile],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize("profile", ["euro_dcat_ap_3", "euro_dcat_ap_2"])
def test_ckan_harvests_every_field(bundle, profile, release_base_url):
    [dataset] = _harvest(bundle / release.DESCRIPTION_FILE, profile)
    extras = {e["key"]: e["value"] for e in dataset.get("extras", [])}
    assert dataset["license_id"] == "cc-by"
    assert extras["publisher_name"] == release.PUBLISHER_NAME
    assert extras["contact_name"] == release.PUBLISHER_NAME
    assert {t["name"] for t in dataset["tags"]} >= {"China", "Japan", "Chengdu"}
    themes = json.loads(extras["theme"])
    assert "http://publications.europa.eu/resource/authority/data-theme/ECON" in themes
    languages = json.loads(extras["language"])
    assert any(language.endswith("/JPN") for language in languages)
    assert extras["identifier"] == str(release.DATASET)
    sums = dict(
        reversed(line.split("  ", 1))
        for line in (bundle / release.SUMS).read_text(encoding="utf-8").splitlines()
    )
    resources = dataset["resources"]
    assert len(resources) > 30
    assert all(r.get("access_url") for r in resources)
    downloads = [r for r in resources if r.get("download_url")]
    assert downloads
    for resource in downloads:
        name = resource["download_url"].split(f"/release/{release.version()}/", 1)[1]
        assert resource["hash"] == sums[name], name
    services = [json.loads(r["access_services"]) for r in resources if r.get("access_services")]
    assert services and services[0][0]["endpoint_url"] == [release_base_url + "/sparql"]
