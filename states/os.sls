# The node's OS image (rpm-ostree / bootc), from the rack's `os_image` pillar.
include:
  - os-image
