"""Layer 6: outputs on the pipeline: releases, docs, diagrams, diffs, synthetic data, pushes."""

#: The flat CSV tables ``tables`` writes, and the pictures ``diagram`` draws (here, so that
#: the command line lists them without importing what draws them).
TABLE_NAMES = ("projects", "organizations", "timeline", "zones", "events")
DIAGRAM_KINDS = ("ontology", "zone")
