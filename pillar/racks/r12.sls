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
