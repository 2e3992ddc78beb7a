sysctl:
  net.ipv4.ip_forward: 1
  net.ipv4.conf.all.proxy_arp: 1
  vm.max_map_count: 262144
