a:
  test.nop
{% if %}
b:
  test.nop
{% endif %}
