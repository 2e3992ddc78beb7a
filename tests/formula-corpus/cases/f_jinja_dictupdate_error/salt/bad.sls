{% set d = {'s': 'str'} %}
{% set _ = d|append_dict_key_value('s', 1) %}
out:
  test.nop:
    - name: {{ d }}
