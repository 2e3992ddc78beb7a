{% set same = salt['timezone.zone_compare']('Etc/UTC') %}
{% set other = salt['timezone.zone_compare']('Europe/Berlin') %}
{% set offset = salt['timezone.get_offset']() %}
{% set code = salt['timezone.get_zonecode']() %}
{% set missing = salt['timezone.set_zone']('Nope/Zone') %}
facts:
  test.show_notification:
    - text: "same={{ same }} other={{ other }} offset={{ offset }} code={{ code }} missing={{ missing }}"
nope:
  timezone.system:
    - name: Nope/Zone
nope_local:
  timezone.system:
    - name: Nope/Other
    - utc: False
