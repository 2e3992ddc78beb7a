# Per-rack pillar: every node gets common data, then its rack's by the `rack` grain.
base:
  '*':
    - common
  'rack:r12':
    - match: grain
    - racks.r12
  'rack:r13':
    - match: grain
    - racks.r13
