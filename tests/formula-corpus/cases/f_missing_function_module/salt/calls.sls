first:
  test.nop:
    - value: {{ salt.nosuchmod.nosuchfun(1, key='v') }}
