# The fleet test's role: one file per node under its sandbox root, saying
# which tree (generation) and which rack's pillar it was applied from.
{% set root = salt['pillar.get']('node:root') %}
fleet-applied:
  file.managed:
    - name: {{ root }}/fleet/applied
    - makedirs: True
    - contents: |
        {{ grains['id'] }} {{ salt['pillar.get']('rack:name') }} {{ salt['pillar.get']('halite_tree:generation') }} {{ salt['pillar.get']('fleet_message', '') }}
