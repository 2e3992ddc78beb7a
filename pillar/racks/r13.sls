rack:
  name: r13
  tor: 10.13.0.1
  pod_subnet: 10.244.13.0/24
  routes:
    - dest: 10.244.12.0/24
      via: 10.13.0.1
    - dest: 10.96.0.0/12
      via: 10.13.0.1
os_image:
  refspec: rhcos:rhcos/9/x86_64/stable
  version: 414.92.202406040852-0
# Container storage (formulas/container-storage): r13 still runs docker on a
# devicemapper thin pool (legacy; docker-storage-setup's layout and file).
container_storage:
  storage_driver: devicemapper
  devs: [/dev/vdb]
  vg: docker-vg
  auto_extend_pool: 'yes'
  pool_autoextend_threshold: 60
  pool_autoextend_percent: 20
