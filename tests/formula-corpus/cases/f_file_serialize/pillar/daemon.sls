daemon:
  storage-driver: overlay2
  log-opts: {max-size: 10m}
  name: "caf\u00e9"
