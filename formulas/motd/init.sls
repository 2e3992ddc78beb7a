# motd formula: a message of the day naming the node, its rack and its roles.
{% set root = salt['pillar.get']('node:root', '') %}
motd:
  file.managed:
    - name: {{ root }}/etc/motd
    - source: salt://motd/files/motd.jinja
    - template: jinja
    - makedirs: True
    - mode: '0644'
