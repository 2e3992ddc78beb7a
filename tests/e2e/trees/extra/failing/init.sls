# A run with a failing state and its consequences: a dependent skipped, an onfail handler.
{% set root = salt['pillar.get']('node:root', '') %}
will-fail:
  cmd.run:
    - name: echo "about to fail" && exit 3

needs-failure:
  file.managed:
    - name: {{ root }}/never-written
    - contents: nope
    - require:
      - cmd: will-fail

on-failure:
  cmd.run:
    - name: echo "handling failure"
    - onfail:
      - cmd: will-fail
