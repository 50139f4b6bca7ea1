"""Build: the pipeline that turns a `model.Site` into the published files (signing orchestration, per-award
workers, pages, caches, the size budget and the atomic write into output/)."""
