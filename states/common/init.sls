# Baseline every node gets. Paths are rooted at pillar `node:root` (empty on a real
# node; a sandbox directory in the demo and the tests).
{% set root = salt['pillar.get']('node:root', '') %}
include:
  - motd
  - sysctl

halite-etc:
  file.directory:
    - name: {{ root }}/etc/halite
    - makedirs: True
    - mode: '0755'

node-identity:
  file.managed:
    - name: {{ root }}/etc/halite/node.conf
    - contents: |
        id={{ grains['id'] }}
        rack={{ salt['pillar.get']('rack:name', 'unknown') }}
    - mode: '0644'
    - require:
      - file: halite-etc
