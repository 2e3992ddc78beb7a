before:
  test.nop
{% set doc = {'root': 'text'}|xml %}
after:
  test.nop:
    - name: {{ 'just a string'|xml }}
