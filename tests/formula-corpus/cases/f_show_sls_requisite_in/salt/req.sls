pkgish:
  test.nop:
    - require_in:
      - test: service
    - watch_in:
      - test: service
service:
  test.nop: []
