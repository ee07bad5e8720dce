"""The drop folder around the pipeline: claiming and settling files, the worker pool, batch and watch."""
