chrony:
  lookup:
    service: chrony-custom
  servers: [b.pool, c.pool]
  opts:
    prefer: True
