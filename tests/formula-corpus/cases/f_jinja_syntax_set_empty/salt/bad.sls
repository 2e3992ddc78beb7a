{% set %}
a:
  test.nop
