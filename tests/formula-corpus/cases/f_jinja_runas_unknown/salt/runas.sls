{% set out = salt['cmd.run']('echo hi', runas='halite-no-such-user') %}
shown:
  test.nop:
    - name: {{ out }}
