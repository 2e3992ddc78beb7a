{% set parts = 'a b' | split %}
a:
  test.nop:
    - name: {{ parts }}