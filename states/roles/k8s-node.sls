# A bare-metal Kubernetes node: pod network config from the rack pillar,
# kubelet config, and a restart hook that runs only when the config changed.
{% set root = salt['pillar.get']('node:root', '') %}
{% set rack = salt['pillar.get']('rack', {}) %}
include:
  - common

kubelet-dir:
  file.directory:
    - name: {{ root }}/etc/kubernetes
    - makedirs: True

kubelet-config:
  file.managed:
    - name: {{ root }}/etc/kubernetes/kubelet.env
    - contents: |
        POD_CIDR={{ rack.get('pod_subnet', '') }}
        NODE_IP={{ grains.get('fqdn_ip4', ['127.0.0.1'])[0] }}
    - require:
      - file: kubelet-dir

pod-routes:
  file.managed:
    - name: {{ root }}/etc/halite/routes
    - contents:
{%- for route in rack.get('routes', []) %}
      - "{{ route.dest }} via {{ route.via }}"
{%- endfor %}
    - require:
      - file: halite-etc

kubelet-reload:
  cmd.run:
    - name: echo "kubelet config changed, reloading"
    - onchanges:
      - file: kubelet-config
