"""Read a DCAT description with ckanext-dcat's RDF parser, as a CKAN harvester does, and print
the datasets it makes (JSON). Runs in the CKAN venv (`make ckan`), not in the project's:

    build/ckan-venv/bin/python tests/ckan_harvest.py dataset.ttl [PROFILE]
"""

import json
import sys

from ckanext.dcat.processors import RDFParser

path, profile = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "euro_dcat_ap_3")
parser = RDFParser(profiles=[profile])
with open(path, encoding="utf-8") as handle:
    parser.parse(handle.read(), _format="turtle")
json.dump(list(parser.datasets()), sys.stdout, default=str, indent=1)
