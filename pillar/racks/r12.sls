rack:
  name: r12
  tor: 10.12.0.1
  pod_subnet: 10.244.12.0/24
  routes:
    - dest: 10.244.13.0/24
      via: 10.12.0.1
    - dest: 10.96.0.0/12
      via: 10.12.0.1
# OS image of the rack's nodes (formulas/os-image); staged, rebooted by the rollout.
os_image:
  refspec: rhcos:rhcos/9/x86_64/stable
  version: 414.92.202407010000-0
# Container storage (formulas/container-storage): r12's nodes are new, CRI-O
# on overlay2, its root on an XFS LV of the second data disk.
container_storage:
  storage_driver: overlay2
  devs: [/dev/vdc]
  vg: containers-vg
  container_root_lv_name: containers-lv
  container_root_lv_size: 100%FREE
  container_root_lv_mount_path: /var/lib/containers/storage
  storage_conf: /etc/containers/storage.conf
  output_file: ''
# Host network (formulas/node-network): the seed's flat ToR segment, nodes on
# 10.9.4.0/22 behind orb0, pods on 10.10.0.0/22 by proxy ARP. The netns
# tests build exactly this topology (tests/netns).
node_network:
  nic: eth0
  bridge: orb0
  prefix: 22
  tor: 10.9.4.1
  pod_prefix: 22
  pod_gateway: 10.10.0.1
  confirm_timeout: 30
  nodes:
    r12-n01:
      ip: 10.9.4.11
      pod_range: 10.10.1.0/25
      pods:
        veth1a: {netns: p1a, ip: 10.10.2.2}
        veth1b: {netns: p1b, ip: 10.10.3.2}
    r12-n02:
      ip: 10.9.4.12
      pod_range: 10.10.1.128/25
      pods:
        veth2a: {netns: p2a, ip: 10.10.2.3}
