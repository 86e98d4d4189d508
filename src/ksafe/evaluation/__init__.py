"""Evaluation: the Inspect task ``ksafe_mm``, judges (scorers), metrics, runs, judge calibration.

Nothing is imported here so ``import ksafe.evaluation`` stays cheap; import the submodules.
"""
