{%- set greeting = salt.test.echo('hi') %}
first:
  test.nop:
    - value: {{ greeting }}
    - other: {{ salt.test.nosuchfun() }}
