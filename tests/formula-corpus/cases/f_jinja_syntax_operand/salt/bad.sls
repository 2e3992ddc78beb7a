first:
  test.nop
second:
  test.nop:
    - name: {{ 1 + }}
