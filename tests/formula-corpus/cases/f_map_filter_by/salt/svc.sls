{% from "map.jinja" import chrony, rack, missing with context %}
{% macro line(k, v) -%}
{{ k }}={{ v }}
{%- endmacro %}
conf:
  file.managed:
    - name: __SCRATCH__/chrony.conf
    - contents: |
        {{ line('pkg', chrony.pkg) }}
        {{ line('service', chrony.service) }}
        {{ line('conf', chrony.conf) }}
        {{ line('finger', chrony.finger) }}
        {{ line('extra', chrony.get('extra', 'none')) }}
        servers={{ chrony.servers | join(',') }}
        opts={{ chrony.opts | json }}
        rack={{ rack | json }}
        missing={{ missing }}
show:
  cmd.run:
    - name: cat __SCRATCH__/chrony.conf
