c:
  test.nop: []
{% if true %}
{% endfor %}

d: 1
