"""The commented starter file `tradeoff init` writes."""

STARTER = """\
# yaml-language-server: $schema=goals.schema.json
# (editor completion: write that schema with `tradeoff schema -o goals.schema.json`)
# A tradeoff goals file. Run `tradeoff rank` to rank, `tradeoff pareto` for the front,
# `tradeoff check` in CI. Replace the example figures with your own measurements.
version: 1
title: Which model should we ship?

# Every goal, in column order. direction: max (more is better) or min (less is better).
# additive: true when the mean over a traffic mix is the mix of the means (cost, accuracy).
metrics:
  quality:     {direction: max, unit: "%", description: benchmark accuracy, additive: true}
  cost:        {direction: min, unit: USD/request, additive: true}
  latency_p95: {direction: min, unit: ms}
  safety:      {direction: max, range: [0, 1]}   # range: fixed goalposts for normalization

# Hard limits. A candidate that breaks an error-level budget is infeasible (and fails `check`).
budgets:
  latency_p95: {max: 800}
  safety:
    - {min: 0.9}
    - {min: 0.95, level: warn}                  # warn: reported, fails only with --strict

# Named weightings: relative, need not sum to 1. Pick one with --profile.
profiles:
  default: {quality: 4, cost: 2, latency_p95: 2, safety: 2}
  batch:   {quality: 5, cost: 4}

candidates:
  - name: big-model
    tags: [api]
    metrics:
      quality: {value: 72.6, stderr: 0.4}      # a value with its standard error
      cost: 0.0078
      latency_p95: 640
      safety: 0.95
  - name: small-model
    tags: [self-hosted]
    metrics: {quality: 61.0, cost: 0.0009, latency_p95: 210, safety: 0.93}
  # slow-model breaks the 800 ms budget: it is infeasible, and `tradeoff check` fails (exit 1)
  # until it (or the budget) changes.
  - name: slow-model
    metrics: {quality: 74.1, cost: 0.0150, latency_p95: 1250, safety: 0.97}
"""
