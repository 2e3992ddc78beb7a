include:
  - b
exclude:
  - id: gone
extend:
  bstate:
    test.nop:
      - extra: 1
astate:
  test.nop:
    - require_in:
      - test: bstate
