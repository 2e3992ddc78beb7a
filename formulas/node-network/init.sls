# node-network formula: the node's host network from pillar `node_network`
# (per rack), in the seed's design: the NIC becomes a port of the orb0 bridge,
# which takes over the node IP (make-before-break) and answers ARP for pods
# (proxy ARP, delay 0); each pod hangs off a routed veth with a /32 route.
# Every change is commit-confirmed: not reaching the gateway and the master
# within confirm_timeout rolls it back (halite_net, docs/network.md).
#   node_network:
#     nic: eth0                 # the NIC cabled to the ToR
#     bridge: orb0
#     prefix: 22                # the node subnet's prefix length
#     tor: 10.9.4.1             # default gateway (the ToR)
#     pod_prefix: 22
#     pod_gateway: 10.10.0.1    # the pods' gateway (on the ToR, answered by proxy ARP)
#     confirm_timeout: 30
#     routes: [{dest: 192.0.2.0/24, via: 10.9.4.1}]   # extra routes via orb0
#     nodes:                    # by minion id
#       r12-n01:
#         ip: 10.9.4.11
#         pod_range: 10.10.1.0/25   # this node's CNI range (halite-cni)
#         pods:                 # static pods (pod networking proper is halite-cni's)
#           veth1a: {netns: p1a, ip: 10.10.2.2}
#     cni: {conf_dir: /etc/cni/net.d, bin_dir: /opt/cni/bin, data_dir: /var/lib/cni/networks}
#     cbr0:                     # optional Open vSwitch bridge with a flow table
#       datapath_type: netdev
#       ports: {ovsv1: 1, ovsv2: 2}      # port: OpenFlow port number
#       flows: ["priority=100,in_port=1,actions=output:2", ...]
{% set net = salt['pillar.get']('node_network', {}) %}
{% set me = net.get('nodes', {}).get(grains['id'], {}) %}
{% if me %}
{% set bridge = net.get('bridge', 'orb0') %}
{% set nic = net.get('nic', 'eth0') %}
{% set confirm = net.get('confirm_timeout', 30) %}
node-network-bridge:
  halite_net.bridge:
    - name: {{ bridge }}
    - mac_from: {{ nic }}
    - rp_filter: {{ net.get('rp_filter', 1) }}
    - confirm_timeout: {{ confirm }}

node-network-address:
  halite_net.address_moved:
    - address: {{ me.ip }}/{{ net.prefix }}
    - from: {{ nic }}
    - to: {{ bridge }}
    - gateway: {{ net.tor }}
    - confirm_timeout: {{ confirm }}
    - require:
      - halite_net: node-network-bridge
{% for route in net.get('routes', []) %}

node-network-route-{{ route.dest }}:
  halite_net.route:
    - name: {{ route.dest }}
    - gateway: {{ route.via }}
    - dev: {{ bridge }}
    - confirm_timeout: {{ confirm }}
    - require:
      - halite_net: node-network-address
{% endfor %}
{% for veth, pod in me.get('pods', {}) | dictsort %}

node-network-pod-{{ veth }}:
  halite_net.veth:
    - name: {{ veth }}
    - netns: {{ pod.netns }}
    - address: {{ pod.ip }}/{{ net.get('pod_prefix', 32) }}
    - gateway: {{ net.pod_gateway }}
    - rp_filter: {{ net.get('rp_filter', 1) }}
    - confirm_timeout: {{ confirm }}
    - require:
      - halite_net: node-network-address
{% endfor %}
{% set cni = net.get('cni', {}) %}
{% if me.get('pod_range') %}

node-network-cni:
  halite_net.cni_config:
    - name: {{ cni.get('conf_dir', '/etc/cni/net.d') }}/10-halite.conflist
    - range: {{ me.pod_range }}
    - gateway: {{ net.pod_gateway }}
    - prefix_length: {{ net.get('pod_prefix', 32) }}
    - bin_dir: {{ cni.get('bin_dir', '/opt/cni/bin') }}
    - data_dir: {{ cni.get('data_dir', '/var/lib/cni/networks') }}
    - require:
      - halite_net: node-network-address
{% endif %}
{% set cbr0 = net.get('cbr0', {}) %}
{% if cbr0 %}

node-network-cbr0:
  openvswitch_bridge.present:
    - name: cbr0
    - datapath_type: {{ cbr0.get('datapath_type', 'system') }}
    - fail_mode: secure
{% for port, ofport in cbr0.get('ports', {}) | dictsort %}

node-network-cbr0-{{ port }}:
  openvswitch_port.present:
    - name: {{ port }}
    - bridge: cbr0
    - ofport: {{ ofport }}
    - require:
      - openvswitch_bridge: node-network-cbr0
{% endfor %}

node-network-cbr0-flows:
  halite_net.ovs_flows:
    - name: cbr0
    - flows: {{ cbr0.get('flows', []) | json }}
    - confirm_timeout: {{ confirm }}
    - require:
      - openvswitch_bridge: node-network-cbr0
{% endif %}
{% endif %}
