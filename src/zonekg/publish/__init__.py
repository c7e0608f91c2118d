"""Layer 6: outputs built on the pipeline: release bundles, docs, diagrams, diffs, synthetic data, pushes."""
