{% set avail = salt['locale.list_avail']() %}
{% set current = salt['locale.get_locale']() %}
{% set c_utf8 = salt['locale.avail']('C.UTF-8') %}
{% set c_lower = salt['locale.avail']('c.utf8') %}
{% set en_us = salt['locale.avail']('en_US.UTF-8') %}
{% set gen_bad = salt['locale.gen_locale']('xx_YY.UTF-8') %}
{% set gen_bare = salt['locale.gen_locale']('xx_YY', verbose=True) %}
facts:
  test.show_notification:
    - text: "avail={{ avail|join(',') }} current=[{{ current }}] c_utf8={{ c_utf8 }} c_lower={{ c_lower }} en_us={{ en_us }} gen_bad={{ gen_bad }} gen_bare={{ gen_bare }}"
present_c:
  locale.present:
    - name: C.UTF-8
present_missing:
  locale.present:
    - name: xx_YY.UTF-8
system_current:
  locale.system:
    - name: '{{ current }}'
