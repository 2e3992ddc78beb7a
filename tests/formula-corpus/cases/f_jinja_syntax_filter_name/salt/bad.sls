{% set items = [1, 2] %}
a:
  test.nop:
    - name: {{ items | }}
