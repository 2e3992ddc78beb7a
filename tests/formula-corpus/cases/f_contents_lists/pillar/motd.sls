motd:
  lines:
    - Welcome
    - to r12
