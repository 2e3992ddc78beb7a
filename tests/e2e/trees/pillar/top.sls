# Differential-test pillar: the repository's per-rack pillar plus a per-minion sandbox root.
base:
  '*':
    - common
  'rack:r12':
    - match: grain
    - racks.r12
  'diff-py':
    - node-py
  'diff-halite':
    - node-halite
