a:
  test.nop:
    - name: {{ grains.id
