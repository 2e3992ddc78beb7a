a:
  test.nop: []
{% if true %}
x
{% for i in [1] %}
b: 1
