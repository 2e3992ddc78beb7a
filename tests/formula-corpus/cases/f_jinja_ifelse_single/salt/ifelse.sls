{% set port = ifelse(8080) %}
{% set conf = ifelse({'mode': 'default', 'list': [1, 2]}, minion_id='other', tgt_type='glob') %}
out:
  test.nop:
    - name: "port={{ port }} conf={{ conf }} {{ ifelse('only')|upper }} {{ ifelse(none) }} {{ ifelse(true, merge={'a': 1}) }}"
