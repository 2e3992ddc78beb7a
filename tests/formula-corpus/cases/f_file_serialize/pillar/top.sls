base:
  '*':
    - daemon
