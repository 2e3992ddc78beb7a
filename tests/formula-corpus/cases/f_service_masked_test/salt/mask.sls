mask:
  service.masked:
    - name: halite-corpus-nonexistent
mask_rt:
  service.masked:
    - name: halite-corpus-nonexistent.timer
    - runtime: True
unmask:
  service.unmasked:
    - name: halite-corpus-nonexistent
unmask_rt:
  service.unmasked:
    - name: halite-corpus-nonexistent
    - runtime: True
