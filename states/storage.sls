# Container storage of nodes with the `container-host` role: the rack's
# pillar says which disks and which driver (formulas/container-storage).
include:
  - container-storage
