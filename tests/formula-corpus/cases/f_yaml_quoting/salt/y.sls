{% set data = {'opt': 'a=b', 'brace': '{x}', 'list': '[1]', 'colon': 'k: v', 'hash': 'x #y', 'star': '*', 'amp': '&a', 'bang': '!tag', 'dash': '- x', 'pct': '%x', 'at': '@x', 'tick': '`x', 'yes': 'yes', 'num': '012', 'empty': '', 'ok': 'plain', 'multi': 'a\nb'} %}
{% set enc = 'line one\nline two' %}
dump:
  file.managed:
    - name: __SCRATCH__/dump.yaml
    - contents: |
        {{ data | yaml(False) | indent(8) }}
check:
  test.configurable_test_state:
    - changes: False
    - comment: {{ enc | yaml_encode }}
{% for k, v in data | dictsort %}
check-{{ k }}:
  test.configurable_test_state:
    - changes: False
    - comment: {{ v | yaml_encode }}
{% endfor %}
show:
  cmd.run:
    - name: cat __SCRATCH__/dump.yaml
