"""``python -m benchmarks``: the figures of the benchmarks issue, each a ratio to a floor
measured in the same run (see ``benchmarks/README.md``)."""
