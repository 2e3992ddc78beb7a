# sysctl formula: kernel parameters from pillar `sysctl`, written as a sysctl.d file.
# (sysctl.present would also set the live values; the file keeps the demo sandboxed.)
{% set root = salt['pillar.get']('node:root', '') %}
{% set params = salt['pillar.get']('sysctl', {}) %}
sysctl-conf:
  file.managed:
    - name: {{ root }}/etc/sysctl.d/90-halite.conf
    - makedirs: True
    - contents: |
{%- for key, value in params | dictsort %}
        {{ key }} = {{ value }}
{%- endfor %}
