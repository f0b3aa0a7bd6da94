"""What individualisation and real-time updating are worth on the Complete Journey data.

    .venv/bin/python -m evals.personalization.backtest

runs the time-split backtest of offer policies (``backtest``), the redemption
propensity check (``propensity``) and writes ``report.md`` and ``report.json`` here.
The data set is simulated on real patterns and meant for educational use; these are
backtests of "what would they buy", not causal lift.
"""
