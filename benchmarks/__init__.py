"""The project's benchmark: `python -m benchmarks.run` prints one table of figures and targets.

Speed is measured here only, never by timed assertions in tests: machines are shared and
noisy. Each module below measures one figure; `run` puts them side by side with their
targets and the baselines measured in the same run.
"""
