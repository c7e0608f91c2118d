"""Layer 6: outputs on the pipeline: releases, docs, diagrams, diffs, synthetic data, pushes."""
