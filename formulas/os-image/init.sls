# os-image formula: the OS image of an image-based node (rpm-ostree or bootc),
# from pillar `os_image` (per rack). Stages the target locked; reboots only
# with `reboot: True` in pillar (then by finalizing the staged checksum).
#   os_image:
#     refspec: rhcos:rhcos/9/x86_64/stable   # or image: quay.io/org/node:tag
#     version: 414.92.202407010000-0         # or checksum: / digest:
#     packages: [htop]                       # layered packages (optional)
#     kargs: [mitigations=auto]              # kernel arguments (optional)
#     reboot: False
#     bypass_driver: False
{% set os = salt['pillar.get']('os_image', {}) %}
{% if os.get('version') or os.get('checksum') or os.get('digest') or os.get('image') or os.get('refspec') %}
os-image:
  rpm_ostree.deployed:
{%- for key in ['refspec', 'image', 'version', 'checksum', 'digest'] %}
{%- if os.get(key) %}
    - {{ key }}: "{{ os[key] }}"
{%- endif %}
{%- endfor %}
    - reboot: {{ os.get('reboot', False) }}
    - bypass_driver: {{ os.get('bypass_driver', False) }}
{% endif %}
{% if os.get('packages') %}
os-packages:
  rpm_ostree.packages:
    - pkgs: {{ os.packages | json }}
{% endif %}
{% if os.get('kargs') %}
os-kargs:
  rpm_ostree.kargs:
    - present: {{ os.kargs | json }}
{% endif %}
