{% set ok = salt['test.echo']('hi') %}
first:
  test.succeed_without_changes:
    - name: {{ ok }}
second:
  test.nop:
    - value: {{ salt['nosuchmod.nosuchfun']('x') }}
