# container-storage formula: the node's container storage, from pillar
# `container_storage` (per rack), through docker_storage.configured
# (docker-storage-setup's job: same keys, lower-cased). Every key is passed on.
#   container_storage:
#     storage_driver: overlay2          # new nodes; devicemapper = legacy docker thin pool
#     devs: [/dev/vdc]                  # whole disks only; never partitions
#     vg: containers-vg
#     container_root_lv_name: containers-lv        # overlay2: the XFS LV...
#     container_root_lv_size: 100%FREE
#     container_root_lv_mount_path: /var/lib/containers/storage   # ...mounted here
#     storage_conf: /etc/containers/storage.conf   # or daemon_json: /etc/docker/daemon.json
#     output_file: ''                   # no /etc/sysconfig/docker-storage (not docker)
#     wipe_signatures: False            # True wipes disks that carry other data
{% set cs = salt['pillar.get']('container_storage', {}) %}
{% if cs %}
container-storage:
  docker_storage.configured:
{%- for key, value in cs | dictsort %}
    - {{ key }}: {{ value | json }}
{%- endfor %}
{% endif %}
