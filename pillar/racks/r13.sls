rack:
  name: r13
  tor: 10.13.0.1
  pod_subnet: 10.244.13.0/24
  routes:
    - dest: 10.244.12.0/24
      via: 10.13.0.1
    - dest: 10.96.0.0/12
      via: 10.13.0.1
