a:
  test.nop:
    - name: {{ 'abc' is startingwith('a') }}