before:
  test.nop
{% set st = salt['file.stats']('__SCRATCH__/does-not-exist') %}
after:
  test.nop:
    - name: {{ st }}
